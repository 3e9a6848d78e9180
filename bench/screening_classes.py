"""Recall, precision and F1 by class on the labelled sets and on the name benchmark, pfund
beside nomenklatura's logic-v2, and the index's recall by class.

Usage: python bench/screening_classes.py [--filler N] [--seed S] [--no-index]
       [--no-nomenklatura] [--nk-threshold T]

Reads every ``bench/labelled/*.jsonl`` (lines ``{"query", "listed", "schema", "match",
"class", "rule"}``, and ``"split": "held_out"`` on the lines added after the scorer's rules
were written: ``bench/labelled/generate.py``), scores each pair with the pair scorer, and
prints JSON by class: pairs, matches, recall, precision and F1 at the threshold (a class of
non-matches has no recall; its ``false_matches`` say how many the scorer accepted), with
nomenklatura's logic-v2 on the same pairs beside it (``nomenklatura_logic_v2``, at 0.7, the
threshold yente calls a match; as ``bench/names_compare.py``). ``held_out`` gives the same
figures on the held-out lines alone. Then builds the candidate index over every listed
name of the sets plus ``N`` synthetic entities (default 100,000, from
``bench/screening_index.py``) and screens each query: ``index_recall`` is the share of a
class's true matches that ``screen`` returns, ``index_recall_of_pair_accepted`` the share
of the pairs the scorer accepts (the index's own job: never to lose what the scorer would
accept). ``--no-index`` leaves the index out (its keys are then null).

``name_bench`` gives the same figures on the name benchmark (``bench/names.py``'s file)
by its case group, on all rows and on the odd rows (``held_out``: the rows the weights and
threshold were never fitted on, the convention of ``bench/names.py``).
"""

import argparse
import csv
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from names import cases_path  # noqa: E402
from pfund.domain.watchlist import WatchlistEntity  # noqa: E402
from pfund.screening import lexicon  # noqa: E402
from pfund.screening.calibrate import Case  # noqa: E402
from pfund.screening.index import CandidateIndex  # noqa: E402
from pfund.screening.score import THRESHOLD, score  # noqa: E402
from screening_index import entities, generate  # noqa: E402

NK_THRESHOLD = 0.7  # the threshold yente uses to call a logic-v2 result a match


def read_lines(folder: Path) -> list[dict[str, object]]:
    """Every line of every labelled file, with its file's name."""
    lines = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            line = json.loads(text)
            missing = {"query", "listed", "schema", "match", "class"} - set(line)
            if missing:
                raise SystemExit(f"{path}:{number}: missing {', '.join(sorted(missing))}")
            lines.append(line | {"file": path.name})
    return lines


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(numbers: list[int], labels: list[bool], accepted: list[bool]) -> dict[str, object]:
    """Recall, precision, F1 and false matches of one matcher on some of the pairs."""
    matches = [i for i in numbers if labels[i]]
    true = sum(accepted[i] for i in matches)
    predicted = sum(accepted[i] for i in numbers)
    recall, precision = _ratio(true, len(matches)), _ratio(true, predicted)
    f1 = round(2 * recall * precision / (recall + precision), 4) if recall and precision else None
    return {
        "recall": recall,
        "precision": precision,
        "f1": f1,
        "false_matches": predicted - true,
    }


def by_class(
    lines: list[dict[str, object]],
    accepted: list[bool],
    found: list[bool] | None = None,
    nk_accepted: list[bool] | None = None,
) -> dict:  # type: ignore[type-arg]
    """The figures of each class and of all lines together: pfund's (at the top level,
    the index's if ``found``) and nomenklatura's beside them if ``nk_accepted``."""
    groups: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(lines):
        groups[str(line["class"])].append(number)
        groups["all"].append(number)
    labels = [bool(line["match"]) for line in lines]
    result = {}
    for kind, numbers in sorted(groups.items()):
        matches = [i for i in numbers if labels[i]]
        scored = [i for i in matches if accepted[i]]
        entry: dict[str, object] = {
            "pairs": len(numbers),
            "matches": len(matches),
            **_figures(numbers, labels, accepted),
        }
        if found is not None:
            entry["index_recall"] = _ratio(sum(found[i] for i in matches), len(matches))
            entry["index_recall_of_pair_accepted"] = _ratio(
                sum(found[i] for i in scored), len(scored)
            )
        if nk_accepted is not None:
            entry["nomenklatura_logic_v2"] = _figures(numbers, labels, nk_accepted)
        result[kind] = entry
    return result


def _nk_scorer() -> Callable[[Case], float] | None:
    """nomenklatura's logic-v2 as ``bench/names_compare.py`` runs it, or ``None`` when the
    bench extra is not installed (``pip install -e '.[bench]'``)."""
    try:
        from names_compare import logic_v2_scorer
    except ImportError:
        return None
    return logic_v2_scorer()


def name_bench(nk: Callable[[Case], float] | None, nk_threshold: float) -> dict[str, object]:
    """pfund and logic-v2 on the name benchmark by case group, all rows and odd rows."""
    path = cases_path([])
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    lines: list[dict[str, object]] = [
        {
            "query": row["name1"],
            "listed": row["name2"],
            "schema": row["schema"],
            "match": row["is_match"].lower() == "true",
            "class": row["case_group"] or "none",
        }
        for row in rows
    ]
    cases = [
        Case(str(line["schema"]), str(line["query"]), str(line["listed"]), bool(line["match"]))
        for line in lines
    ]
    accepted = [score(c.name1, c.name2, c.schema) >= THRESHOLD for c in cases]
    nk_accepted = [nk(c) >= nk_threshold for c in cases] if nk else None
    odd = list(range(1, len(lines), 2))
    return {
        "cases": str(path),
        "classes": by_class(lines, accepted, nk_accepted=nk_accepted),
        "held_out": by_class(
            [lines[i] for i in odd],
            [accepted[i] for i in odd],
            nk_accepted=[nk_accepted[i] for i in odd] if nk_accepted else None,
        ),
    }


def listed_entities(lines: list[dict[str, object]]) -> dict[tuple[str, str], str]:
    """An entity id for each distinct (schema, listed name)."""
    ids: dict[tuple[str, str], str] = {}
    for line in lines:
        ids.setdefault((str(line["schema"]), str(line["listed"])), f"listed{len(ids)}")
    return ids


def main() -> None:
    """Print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--filler", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument("--no-nomenklatura", action="store_true")
    parser.add_argument("--nk-threshold", type=float, default=NK_THRESHOLD)
    args = parser.parse_args()
    lexicon.load()
    lines = read_lines(BENCH / "labelled")
    accepted = [
        score(str(line["query"]), str(line["listed"]), str(line["schema"])) >= THRESHOLD
        for line in lines
    ]
    nk = None if args.no_nomenklatura else _nk_scorer()
    nk_accepted = (
        [
            nk(Case(str(line["schema"]), str(line["query"]), str(line["listed"]), False))
            >= args.nk_threshold
            for line in lines
        ]
        if nk
        else None
    )
    found = None if args.no_index else _index_found(lines, args.filler, args.seed)
    # Pairs matched by an identifier or a listed alias are decided outside the pair score.
    missed = [
        f"{line['class']}: {line['query']} / {line['listed']}"
        for number, line in enumerate(lines)
        if line["match"]
        and not {"query_ids", "listed_aliases"} & set(line)
        and not (accepted[number] and (found is None or found[number]))
    ]
    held = [i for i, line in enumerate(lines) if line.get("split") == "held_out"]
    result = {
        "files": sorted({str(line["file"]) for line in lines}),
        "filler_entities": None if args.no_index else args.filler,
        "threshold": THRESHOLD,
        "nomenklatura": (
            f"logic-v2 at {args.nk_threshold}" if nk else "not run (pip install -e '.[bench]')"
        ),
        "classes": by_class(lines, accepted, found, nk_accepted),
        "held_out": by_class(
            [lines[i] for i in held],
            [accepted[i] for i in held],
            [found[i] for i in held] if found else None,
            [nk_accepted[i] for i in held] if nk_accepted else None,
        ),
        "name_bench": name_bench(nk, args.nk_threshold),
        "missed_examples": missed[:40],
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


def _index_found(lines: list[dict[str, object]], filler: int, seed: int) -> list[bool]:
    """Whether screening each query over the listed names plus ``filler`` synthetic
    entities returns the line's listed entity."""
    ids = listed_entities(lines)
    listed = [
        WatchlistEntity(id=entity_id, schema_name=schema, names=(name,))
        for (schema, name), entity_id in ids.items()
    ]
    index = CandidateIndex.build([*listed, *entities(generate(filler, seed), seed)])
    found = []
    for line in lines:
        wanted = ids[(str(line["schema"]), str(line["listed"]))]
        hits = index.screen(str(line["query"]), str(line["schema"]))
        found.append(any(hit.entity_id == wanted for hit in hits))
    return found


if __name__ == "__main__":
    main()
