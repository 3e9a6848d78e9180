"""Measure the screening candidate index on a synthetic watchlist and print JSON.

Usage: python bench/screening_index.py [--n N ...] [--queries Q] [--seed S]

Generates N entities (default: 100,000 then 1,000,000) with Russian-style names in
Cyrillic, some with a Latin alias, builds the index and runs Q queries (default 1,000) on
one core: half are noisy spellings of listed names (another transliteration, the
patronymic dropped, one letter changed in half of them), half are fresh names.
Prints build seconds, peak RSS, queries per second (candidates + scoring) and recall.
The build is timed on the list of entities made beforehand: making them (the aliases'
transliteration, the ``WatchlistEntity`` models) is the benchmark's own work, not the
index's, and is given apart as ``input_generation_seconds`` (and ``_cpu_seconds``);
``peak_rss_mib`` includes the list itself, as a caller holding its watchlist would.
Fresh names are drawn from the same generator, so some are on the list verbatim (a hit on
them is right): ``hits_on_unlisted_names`` counts hits on the other fresh names only.
Times are given twice: wall clock, and CPU seconds of this process (``process_time``),
which is what "on one core" means when other work shares the machine.
``recall_of_pair_accepted`` measures the index against the pair scorer itself: of the
(query, listed entity) pairs that the scorer accepts when scored directly, the share that
``screen`` returns as hits. The pairs are each noisy query against its true entity, and,
for ``--brute`` queries (default 4, noisy and fresh alike; only on lists of at most
200,000, where one query takes some 20 CPU seconds), the query against every entity scored
the brute-force way. ``screen`` returns every accepted candidate it scores (its ``limit``
only shortens the list), but scores at most ``SCORED`` (40) of them, so of the
brute-force pairs the 10 best of each query count (``pair_accepted_brute_top``);
``pair_accepted_brute_all`` says how many the scorer accepted in all (on this syllable
lattice of names, hundreds: names one syllable apart read as transliteration variants).
The ``ceiling_*`` keys say what no ordering of the candidates could beat when screening
scores a few of them: every candidate of each noisy query (up to ``RERANKED``) is scored,
``ceiling_accepted_per_query`` gives how many the scorer accepts (median, mean, 90th
percentile), and ``ceiling_recall_top_k`` the share of the direct pairs whose true entity
is outscored by fewer than k of its query's candidates, i.e. the recall that returning
the k best-scored candidates would reach (a lower bound on what returning k hits misses).
``ceiling_in_pool`` is the share of the direct pairs whose true entity is a candidate at
all (what scoring every candidate would reach), ``ceiling_not_in_pool`` the others.
``--scored`` and ``--spread`` replace screening's ``SCORED`` and ``ALIKE_SPREAD`` for the
run (a wider rule scores more of each query's candidates; ``--scored 299 --spread 100``
scores every candidate at least ``ALIKE_MIN`` alike); ``scored_rule`` says which ran.
``screen_again_queries_per_cpu_second`` screens the same queries a second time: the
first pass (``screen_queries_per_cpu_second``, the target's measure) also pays for what
its words and their candidates' words need worked out the first time they are met; the
second finds it in the caches (``screen_again_same_hits``: with the same hits).
``machine_reference_cpu_seconds`` times a fixed pure-Python loop: the machine's speed,
to compare runs taken on different days. ``engine`` says which screening engine ran:
"compiled" (the modules mypyc built at install, ``setup.py``) or "python (why)";
``PFUND_PURE_PYTHON=1`` runs the Python. Given several ``--n``, each is measured in a
process of its own.
Targets: build 1,000,000 in 120 s within 4 GB; at least 500 queries per second; at least
0.99 of the pair-accepted matches retrieved.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator

import iuliia
import numpy as np

import pfund.screening
from pfund.domain.watchlist import WatchlistEntity
from pfund.screening import index as screening_index
from pfund.screening.index import RERANKED, CandidateIndex
from pfund.screening.score import THRESHOLD

SYLLABLES = [c + v for c in "бвгдзклмнпрстфхцчшщж" for v in "аеиоу"]
SURNAME_ENDINGS = ["ов", "ев", "ин", "ский", "енко", "ук", "цев", "ых"]
FIRST = [
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Максим",
    "Евгений",
    "Иван",
    "Михаил",
    "Артём",
    "Никита",
    "Олег",
    "Павел",
    "Роман",
    "Владимир",
    "Юрий",
    "Николай",
    "Виктор",
    "Игорь",
    "Григорий",
    "Фёдор",
    "Тимур",
    "Вадим",
    "Кирилл",
]
FATHERS = [
    "Сергее",
    "Андрее",
    "Алексее",
    "Николае",
    "Юрье",
    "Викторо",
    "Ивано",
    "Петро",
    "Павло",
    "Олего",
    "Игоре",
]
WORD_ENDINGS = ["тех", "строй", "торг", "инвест", "пром", "нефть", "транс", "снаб", "лес"]
FORMS = ["ООО", "АО", "ПАО", "ЗАО"]


SCREEN_LIMIT = 10  # brute-force pairs counted per query (the target's definition)
CEILING_K = (1, 4, 10)
BRUTE_MAX_ENTITIES = 200_000


def _zipf(rng: np.random.Generator, size: int, count: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1)
    return rng.choice(size, count, p=weights / weights.sum())


def _root(rng: np.random.Generator) -> str:
    first, second = rng.choice(len(SYLLABLES), 2)
    return str(SYLLABLES[first].capitalize() + SYLLABLES[second])


def _person(rng: np.random.Generator) -> str:
    surname = _root(rng) + SURNAME_ENDINGS[rng.integers(len(SURNAME_ENDINGS))]
    first = FIRST[_zipf(rng, len(FIRST), 1)[0]]
    return f"{surname} {first} {FATHERS[rng.integers(len(FATHERS))]}вич"


def _company(rng: np.random.Generator) -> str:
    words = [_root(rng) + WORD_ENDINGS[rng.integers(len(WORD_ENDINGS))]]
    if rng.random() < 0.4:
        words.append(_root(rng).lower() + WORD_ENDINGS[rng.integers(len(WORD_ENDINGS))])
    return f"{FORMS[rng.integers(len(FORMS))]} {' '.join(words)}"


def _latin(name: str, schema: iuliia.Schema = iuliia.WIKIPEDIA) -> str:
    return " ".join(schema.translate(word) for word in name.split())


def generate(n: int, seed: int) -> list[tuple[str, str, str]]:
    """(id, schema, Cyrillic name) for n synthetic entities, 70 % persons."""
    rng = np.random.default_rng(seed)
    persons = rng.random(n) < 0.7
    return [
        (f"e{i}", "Person", _person(rng)) if person else (f"e{i}", "Company", _company(rng))
        for i, person in enumerate(persons)
    ]


def entities(rows: list[tuple[str, str, str]], seed: int) -> Iterator[WatchlistEntity]:
    rng = np.random.default_rng(seed + 1)
    for entity_id, schema, name in rows:
        alias = (_latin(name),) if rng.random() < 0.3 else ()
        inn = (f"{rng.integers(10**9, 10**10)}",) if schema == "Company" else ()
        yield WatchlistEntity(
            id=entity_id, schema_name=schema, names=(name,), aliases=alias, inn=inn
        )


def _noisy(name: str, schema: str, rng: np.random.Generator) -> str:
    words = _latin(name, iuliia.BGN_PCGN).split()
    if schema == "Person" and rng.random() < 0.5:
        words = words[:2]
    if rng.random() < 0.5:
        at = int(rng.integers(len(words)))
        word = words[at]
        if len(word) > 4:
            pos = int(rng.integers(1, len(word) - 1))
            words[at] = word[:pos] + "aeiou"[int(rng.integers(5))] + word[pos + 1 :]
    return " ".join(words)


def queries(rows: list[tuple[str, str, str]], count: int, seed: int) -> list[tuple[str, str, str]]:
    """(expected id or '', schema, query name): half noisy listed names, half fresh."""
    rng = np.random.default_rng(seed + 2)
    picked = rng.choice(len(rows), count // 2, replace=False)
    noisy = [(rows[i][0], rows[i][1], _noisy(rows[i][2], rows[i][1], rng)) for i in picked]
    fresh = [
        ("", schema, _latin(name)) for _, schema, name in generate(count - len(noisy), seed + 3)
    ]
    return noisy + fresh


def fresh_on_list(rows: list[tuple[str, str, str]], count: int, seed: int) -> list[bool]:
    """For each fresh query of ``queries``, whether the generator happened to draw a name
    that is on the list verbatim (same schema, same Cyrillic name): a hit on it is right."""
    listed = {(schema, name) for _, schema, name in rows}
    return [(schema, name) in listed for _, schema, name in generate(count - count // 2, seed + 3)]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clocks()
    return wall - started[0], cpu - started[1]


def accepted_by_scorer(index: CandidateIndex, position: int, name: str, schema: str) -> bool:
    """Whether the pair scorer, given the entity directly (no candidate stage), accepts
    the query against any of the entity's names."""
    return index.score_entity(position, name, schema) >= THRESHOLD


def brute_force_accepted(
    index: CandidateIndex, asked: list[tuple[str, str, str]], sample: list[int], limit: int
) -> tuple[list[tuple[int, str]], int]:
    """(query number, entity id) of the pairs the scorer accepts among the sampled queries
    against all entities, the ``limit`` best of each query (``screen`` returns at most
    ``limit`` hits by design), and how many pairs it accepted in all. Slow: a sample."""
    found: list[tuple[int, str]] = []
    accepted = 0
    for number in sample:
        _, schema, name = asked[number]
        scored = [(index.score_entity(p, name, schema), p) for p in range(len(index))]
        passing = sorted((-s, p) for s, p in scored if s >= THRESHOLD)
        accepted += len(passing)
        found += [(number, index.ids[position]) for _, position in passing[:limit]]
    return found, accepted


def pair_accepted_recall(
    index: CandidateIndex,
    asked: list[tuple[str, str, str]],
    hits: list[list[str]],
    brute: int,
    seed: int,
) -> dict[str, object]:
    """Share of the scorer-accepted (query, entity) pairs that ``screen`` returned."""
    position = {entity_id: i for i, entity_id in enumerate(index.ids)}
    pairs = {
        (number, expected)
        for number, (expected, schema, name) in enumerate(asked)
        if expected and accepted_by_scorer(index, position[expected], name, schema)
    }
    direct = len(pairs)
    rng = np.random.default_rng(seed + 4)
    brute = min(brute, len(asked)) if len(index) <= BRUTE_MAX_ENTITIES else 0
    sample = sorted(rng.choice(len(asked), brute, replace=False).tolist())
    brute_pairs, brute_all = brute_force_accepted(index, asked, sample, SCREEN_LIMIT)
    pairs |= set(brute_pairs)
    missed = sorted(pair for pair in pairs if pair[1] not in hits[pair[0]])
    return {
        "recall_of_pair_accepted": round(1 - len(missed) / len(pairs), 4) if pairs else 1.0,
        "pair_accepted_direct": direct,
        "pair_accepted_brute_top": len(brute_pairs),
        "pair_accepted_brute_all": brute_all,
        "pair_accepted_brute_queries": len(sample),
        "pair_accepted_missed_examples": [
            f"{asked[number][2]} / {index.names[position[entity]][0]}"
            for number, entity in missed[:5]
        ],
    }


def ceiling(index: CandidateIndex, asked: list[tuple[str, str, str]]) -> dict[str, object]:
    """How many candidates the scorer accepts per noisy query, and the recall that the k
    best-scored candidates would give (see the module's docstring). Scores every candidate
    of every noisy query: about 150 pair scores a query."""
    position = {entity_id: i for i, entity_id in enumerate(index.ids)}
    accepted: list[int] = []
    within = dict.fromkeys(CEILING_K, 0)
    pairs = 0
    outside: list[str] = []
    for expected, schema, name in asked:
        if not expected:
            continue
        true_score = index.score_entity(position[expected], name, schema)
        if true_score < THRESHOLD:
            continue
        pairs += 1
        found = index.candidates(name, schema, limit=RERANKED, scored=RERANKED)
        scores = np.array([index.score_entity(p, name, schema) for p in found])
        accepted.append(int((scores >= THRESHOLD).sum()))
        if position[expected] in found:
            better = int((scores > true_score).sum())
            for k in CEILING_K:
                within[k] += better < k
        else:
            outside.append(f"{name} / {index.names[position[expected]][0]}")
    return {
        "ceiling_accepted_per_query": {
            "median": float(np.median(accepted)) if accepted else 0.0,
            "mean": round(float(np.mean(accepted)), 1) if accepted else 0.0,
            "p90": float(np.percentile(accepted, 90)) if accepted else 0.0,
        },
        "ceiling_recall_top_k": {str(k): round(v / pairs, 4) for k, v in within.items()},
        "ceiling_in_pool": round(1 - len(outside) / pairs, 4) if pairs else 1.0,
        "ceiling_not_in_pool": outside,
    }


def machine_reference_cpu_seconds() -> float:
    """CPU seconds of a fixed pure-Python loop (30 million additions, the best of three):
    this machine's speed at the time, so that figures taken on different machines or
    days can be compared (the machines here have differed by twice)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for number in range(30_000_000):
            total += number
        best = min(best, time.process_time() - started)
    return round(best, 2)


def measure(n: int, count: int, seed: int, brute: int = 4) -> dict[str, object]:
    rows = generate(n, seed)
    verbatim = fresh_on_list(rows, count, seed)
    started = _clocks()
    watchlist = list(entities(rows, seed))
    generation, generation_cpu = _since(started)
    started = _clocks()
    index = CandidateIndex.build(watchlist)
    build, build_cpu = _since(started)
    asked = queries(rows, count, seed)
    started = _clocks()
    candidates = [index.query(name, schema) for _, schema, name in asked]
    candidate_seconds, candidate_cpu = _since(started)
    started = _clocks()
    hits = [index.screen(name, schema) for _, schema, name in asked]
    screen_seconds, screen_cpu = _since(started)
    started = _clocks()
    again = [index.screen(name, schema) for _, schema, name in asked]
    _, again_cpu = _since(started)
    listed = [i for i, (expected, _, _) in enumerate(asked) if expected]
    found = sum(asked[i][0] in candidates[i] for i in listed)
    fresh = sorted(set(range(len(asked))) - set(listed))
    unlisted = [i for i, on_list in zip(fresh, verbatim, strict=True) if not on_list]
    matched = sum(any(h.entity_id == asked[i][0] for h in hits[i]) for i in listed)
    screened = [[hit.entity_id for hit in found] for found in hits]
    return {
        "entities": n,
        "engine": pfund.screening.ENGINE,
        "machine_reference_cpu_seconds": machine_reference_cpu_seconds(),
        "scored_rule": {
            "SCORED": screening_index.SCORED,
            "ALIKE_SPREAD": screening_index.ALIKE_SPREAD,
        },
        "input_generation_seconds": round(generation, 2),
        "input_generation_cpu_seconds": round(generation_cpu, 2),
        "build_seconds": round(build, 2),
        "build_cpu_seconds": round(build_cpu, 2),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "indexed_keys": len(index.postings),
        "skipped_common_keys": index.skipped,
        "queries": count,
        "candidate_queries_per_second": round(count / candidate_seconds, 1),
        "screen_queries_per_second": round(count / screen_seconds, 1),
        "candidate_queries_per_cpu_second": round(count / candidate_cpu, 1),
        "screen_queries_per_cpu_second": round(count / screen_cpu, 1),
        "screen_again_queries_per_cpu_second": round(count / again_cpu, 1),
        "screen_again_same_hits": again == hits,
        "recall_at_candidates": round(found / len(listed), 3),
        "recall_at_threshold": round(matched / len(listed), 3),
        "mean_candidates": round(sum(map(len, candidates)) / count, 1),
        "false_hits_on_fresh_names": sum(bool(hits[i]) for i in fresh),
        "fresh_names_listed_verbatim": sum(verbatim),
        "hits_on_unlisted_names": sum(bool(hits[i]) for i in unlisted),
        **pair_accepted_recall(index, asked, screened, brute, seed),
        **ceiling(index, asked),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--brute", type=int, default=4, help="queries scored against every entity")
    parser.add_argument("--scored", type=int, help="candidates scored at most (SCORED)")
    parser.add_argument("--spread", type=int, help="ALIKE_SPREAD of the rule")
    args = parser.parse_args()
    if args.scored is not None:
        if not 0 < args.scored < RERANKED:
            parser.error(f"--scored must be between 1 and {RERANKED - 1}")
        screening_index.SCORED = args.scored
    if args.spread is not None:
        screening_index.ALIKE_SPREAD = args.spread
    if len(args.n) == 1:
        results = [measure(args.n[0], args.queries, args.seed, args.brute)]
    else:
        results = [_measured_apart(n, args) for n in args.n]
    print(json.dumps(results, indent=2))


def _measured_apart(n: int, args: argparse.Namespace) -> dict[str, object]:
    """``measure(n, ...)`` in a process of its own: ``peak_rss_mib`` is the process's
    peak, and a process that built a smaller list first keeps its heap fragmented and its
    word caches and sets filled (at 1,000,000 after 100,000: some 100 MiB more)."""
    command = [sys.executable, __file__, "--n", str(n), "--queries", str(args.queries)]
    command += ["--seed", str(args.seed), "--brute", str(args.brute)]
    if args.scored is not None:
        command += ["--scored", str(args.scored)]
    if args.spread is not None:
        command += ["--spread", str(args.spread)]
    found: list[dict[str, object]] = json.loads(
        subprocess.run(command, check=True, capture_output=True, text=True).stdout
    )
    return found[0]


if __name__ == "__main__":
    main()
