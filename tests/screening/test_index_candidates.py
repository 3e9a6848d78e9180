"""The candidate stage, made fast, gives the same candidates as a plain rendering of its rule.

``CandidateIndex._by_name`` works from tables built for speed (the listed words numbered
in one vocabulary, each key's weight looked up, the common words' keys by their variants
and as bitmaps). The reference below is the rule as it was written before those tables:
each candidate's words as tuples compared one by one, weights as ``log(N / df)`` worked
out again, common neighbours from the whole neighbour table, membership by binary search.
On the benchmark's synthetic list, every query must give the same positions in the same
order, so that the speed-up moves no recall figure.
"""

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from rapidfuzz import fuzz, process

from pfund.screening import index as module
from pfund.screening.index import (
    MIN_SHARE,
    NEAR_DISCOUNT,
    PATRONYMIC_COVERED,
    RERANKED,
    SCORED,
    CandidateIndex,
    Group,
    compact_words,
    word_key_groups,
)
from pfund.screening.names import PERSON, is_organisation
from pfund.screening.phonetic import COARSE
from tests.screening.synthetic import queries

BENCH = Path(__file__).parents[2] / "bench"


@pytest.fixture(scope="module")
def bench(bench_index: CandidateIndex) -> tuple[CandidateIndex, list[tuple[str, str]]]:
    """The shared index of the benchmark's 20,000 entities, 400 of its queries (noisy
    and fresh) and a few more."""
    asked = queries(20_000, 400)
    extra = [
        ("Person", "Lonakin Vladimir"),
        ("Person", "Tsopouk Aliksey"),
        ("Person", "Seugey Petrovich Ivanov"),
        ("Company", "OOO Kutsainvest"),
        ("Company", "ZAO Kristall-2"),
        ("Person", "Иванов Сергей"),
    ]
    return bench_index, [(s, q) for _, s, q in asked] + extra


def _weight(index: CandidateIndex, postings: npt.NDArray[np.int32]) -> float:
    return math.log(len(index.ids) / len(postings))


def _contains(postings: npt.NDArray[np.int32], positions: npt.NDArray[np.int32]) -> np.ndarray:
    at = np.searchsorted(postings, positions)
    found: np.ndarray = postings[np.minimum(at, len(postings) - 1)] == positions
    return found


def _compact(index: CandidateIndex, position: int) -> tuple[str, ...]:
    found = index.names[position]
    if not found:
        return ()
    words = compact_words(found[0], PERSON if index.persons[position] else "Organization")
    return tuple(s[0] for s in words) + tuple(o for s in words for o in s[1:])


def _likeness(
    query: tuple[tuple[str, ...], ...],
    choices: list[tuple[str, ...]],
    word_counts: np.ndarray,
    patronymic_like: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``word_likeness`` as first written: every choice's every word compared."""
    asked = [list(spellings) for spellings in dict.fromkeys(query) if spellings]
    empty = np.zeros(len(choices), dtype=np.int16)
    if not asked or not choices:
        return empty, empty
    rows = [spelling for spellings in asked for spelling in spellings]
    row_counts = np.array([len(spellings) for spellings in asked])
    words = [choice or ("",) for choice in choices]
    flat = [word for found in words for word in found]
    ratios = process.cdist(rows, flat, scorer=fuzz.ratio, dtype=np.uint8, workers=1)
    if len(rows) > len(asked):
        ratios = np.maximum.reduceat(ratios, module._starts(row_counts), axis=0)
    counts = np.array([len(found) for found in words], dtype=np.int64)
    starts = module._starts(counts)
    best = np.maximum.reduceat(ratios, starts, axis=1).astype(np.float64)
    asked_weights = np.array([len(spellings[0]) for spellings in asked], dtype=np.float64)
    forward = asked_weights @ best / asked_weights.sum()
    within = np.arange(len(flat)) - np.repeat(starts, counts)
    first = within < np.maximum(np.repeat(word_counts, counts), 1)
    flat_weights = np.where(first, np.array([len(w) for w in flat], dtype=np.float64), 0.0)
    bits = np.repeat(patronymic_like, counts) >> np.minimum(within, 7).astype(np.uint8)
    flat_weights[first & (bits & 1).astype(np.bool_)] *= PATRONYMIC_COVERED
    covered = np.add.reduceat(flat_weights * ratios.max(axis=0), starts)
    backward = covered / np.maximum(np.add.reduceat(flat_weights, starts), 1.0)
    return np.rint(forward).astype(np.int16), np.rint(backward).astype(np.int16)


def _common_hints(
    index: CandidateIndex, name: str, schema: str, candidates: np.ndarray
) -> np.ndarray:
    gathered = np.zeros(len(candidates))
    for keys in dict.fromkeys(word_key_groups(name, schema)):
        own = [key for key in keys if key in index.common_postings]
        near = {
            other
            for key in keys
            if not key.startswith(COARSE) and key not in index.postings
            for other in index.neighbours.near(key)
            if other in index.common_postings
        }
        group = [(_weight(index, index.common_postings[key]), key) for key in own]
        group += [(NEAR_DISCOUNT * _weight(index, index.common_postings[k]), k) for k in near]
        word = np.zeros(len(candidates))
        for held, key in group:
            np.maximum(word, held * _contains(index.common_postings[key], candidates), out=word)
        gathered += word
    return gathered


def _reference_seeding(index: CandidateIndex, group: Group) -> list[str]:
    """``_seeding`` as first written: each neighbour's postings counted."""
    most = index._near_most()
    keys = [key for _, key, near in group if not near or len(index.postings[key]) <= most]
    spelt = any(not near and not key.startswith(COARSE) for _, key, near in group)
    return [key for key in keys if not key.startswith(COARSE)] if spelt else keys


def _reference(
    index: CandidateIndex, name: str, schema: str, limit: int, scored: int, alike_min: int
) -> list[int]:
    """``_by_name`` as first written, on the index's postings and neighbour table."""
    groups = index._indexed_groups(name, schema)
    if not groups:
        return []
    needed = MIN_SHARE * sum(weight for weight, _ in groups)
    rare = module._rare_prefix([group[0][0] for _, group in groups], needed)
    found = [key for _, group in groups[:rare] for key in _reference_seeding(index, group)]
    candidates = np.unique(np.concatenate([index.postings[key] for key in found]))
    if schema != "LegalEntity":
        candidates = candidates[index.persons[candidates] == (schema == PERSON)]
    totals = np.zeros(len(candidates))
    for _, group in groups:
        word = np.zeros(len(candidates))
        for held, key, _ in group:
            np.maximum(word, held * _contains(index.postings[key], candidates), out=word)
        totals += word
    keep = totals >= needed
    candidates, totals = candidates[keep], totals[keep]
    if len(candidates) > RERANKED:
        hints = _common_hints(index, name, schema, candidates)
        # They seldom move which candidates are reranked: compared on their own.
        assert np.array_equal(index._common_hints(name, schema, candidates), hints)
        totals = totals + hints
        top = np.lexsort((candidates, -totals))[:RERANKED]
        candidates, totals = candidates[top], totals[top]
    alike, covered = _likeness(
        compact_words(name, schema),
        [_compact(index, int(position)) for position in candidates],
        index.word_counts[candidates],
        index.patronymic_like[candidates],
    )
    if is_organisation(schema):
        alike = (alike + covered) // 2
    order = np.lexsort((candidates, -totals, -covered, -alike))[:limit]
    if not len(order):
        return []
    spread = module.ALIKE_SPREAD if alike_min else 100
    least = max(alike_min, int(alike[order[0]]) - spread)
    return [
        int(candidates[at])
        for rank, at in enumerate(order[:scored].tolist())
        if rank < module.ALWAYS_SCORED
        or alike[at] >= (alike_min if rank < module.ALIKE_SCORED else least)
    ]


def _reference_groups(index: CandidateIndex, name: str, schema: str) -> list[tuple[float, Group]]:
    """``_indexed_groups`` as first written: every weight worked out from the postings."""
    groups = []
    worded: dict[tuple[str, ...], str] = {}
    for word, keys in module.worded_key_groups(name, schema):
        worded.setdefault(keys, word)
    for keys, word in worded.items():
        if any(index._common_word_key(key) for key in keys):
            continue
        spelt = [key for key in keys if not key.startswith(COARSE)]
        near = set(index.neighbours.near_any(spelt)) - set(spelt)
        if any(index._common_word_key(other) for other in near):
            continue
        held = {
            other: (NEAR_DISCOUNT * _weight(index, index.postings[other]), True)
            for other in near
            if other in index.postings
        }
        if not any(key in index.postings for key in spelt):
            most = index._near_most()
            dropped = [k for k in module.letter_dropped_keys(word) if k not in spelt]
            held = {
                other: (module.MISSPELT_DISCOUNT * _weight(index, index.postings[other]), True)
                for other in index.neighbours.near_any(dropped)
                if other not in near and other in index.postings
                if len(index.postings[other]) <= most
            } | held
        held |= {
            key: (_weight(index, index.postings[key]), False)
            for key in keys
            if key in index.postings
        }
        if held:
            group = sorted(((w, key, is_near) for key, (w, is_near) in held.items()), reverse=True)
            groups.append((group[-1][0], group))
    return sorted(groups, key=lambda found: (-found[0], found[1]))


def test_the_candidates_are_those_of_the_plain_rule_in_the_same_order(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
) -> None:
    index, asked = bench
    differ = []
    for schema, name in asked:
        assert index._indexed_groups(name, schema) == _reference_groups(index, name, schema)
        for limit, scored, alike_min in [(50, SCORED, 70), (SCORED, SCORED, 70)]:
            found = index._by_name(name, schema, limit, scored, alike_min)
            if found != _reference(index, name, schema, limit, scored, alike_min):
                differ.append((name, limit))
        wide = index.candidates(name, schema, limit=RERANKED, scored=RERANKED)
        if wide != _reference(index, name, schema, RERANKED, RERANKED, 0):
            differ.append((name, RERANKED))
    assert differ == []


def test_the_reference_sees_the_reranking_and_the_common_hints(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
) -> None:
    """The comparison above means something only if its queries reach every step: some
    have more than ``RERANKED`` candidates (so the common words' hints order them) and
    some meet a common word through a neighbour."""
    index, asked = bench
    reranked = near_common = 0
    for schema, name in asked:
        groups = index._indexed_groups(name, schema)
        if groups:
            found = [k for _, group in groups for k in index._seeding(group)]
            reranked += len(np.unique(np.concatenate([index.postings[k] for k in found]))) > 300
        near_common += any(
            index._common_near(key)
            for keys in word_key_groups(name, schema)
            for key in keys
            if not key.startswith(COARSE) and key not in index.postings
        )
    assert reranked >= 20
    assert near_common >= 1


def test_a_common_keys_bitmap_holds_its_postings(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
) -> None:
    """The common words' keys are looked up as bitmaps: each must hold exactly the
    key's postings, for every listed position."""
    index, _ = bench
    everyone = np.arange(len(index), dtype=np.int32)
    assert index.common_postings
    for key, postings in index.common_postings.items():
        assert np.array_equal(index._holds_common(key, everyone), _contains(postings, everyone))


@pytest.mark.parametrize("bitmap_min", [0, 10**9])
def test_the_candidates_are_the_same_with_every_key_or_none_looked_up_as_a_bitmap(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
    bitmap_min: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Long postings are looked up as bitmaps, the others merged and searched among the
    candidates (``_gathered``): the candidates must not depend on which way a key goes."""
    index, asked = bench
    monkeypatch.setattr(module, "BITMAP_MIN", bitmap_min)
    index._set_lookups()
    try:
        assert bool(index._bitmaps) == (bitmap_min == 0)
        differ = [
            name
            for schema, name in asked
            if index._by_name(name, schema, SCORED, SCORED)
            != _reference(index, name, schema, SCORED, SCORED, 70)
        ]
    finally:
        monkeypatch.undo()
        index._set_lookups()
    assert differ == []


def test_a_keys_bitmap_holds_its_postings(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
) -> None:
    """Each key with more than ``BITMAP_MIN`` entities has a bitmap holding exactly its
    postings, and no other key has one."""
    index, _ = bench
    everyone = np.arange(len(index), dtype=np.int32)
    places = module._Places(everyone)
    long = {key for key, found in index.postings.items() if len(found) > module.BITMAP_MIN}
    assert long and set(index._bitmaps) == long
    for key in long:
        held = places.held(index._bitmaps[key])
        assert np.array_equal(held, _contains(index.postings[key], everyone))


def test_numbering_words_reads_nothing_left_in_the_table_from_before() -> None:
    """``_numbered`` notes each distinct number's place in a table kept between calls
    (``_slots``) without clearing it: whatever the table held, each number must map to
    a distinct entry equal to it, one entry per distinct number."""
    rng = np.random.default_rng(3)
    size = 1000
    for _ in range(50):
        module._slots(size)[:size] = rng.integers(-(2**40), 2**40, size)
        numbers = rng.integers(0, size, int(rng.integers(1, 400))).astype(np.int32)
        distinct, at = module._numbered(numbers, np.arange(len(numbers)), size)
        assert sorted(distinct.tolist()) == np.unique(numbers).tolist()
        assert np.array_equal(distinct[at], numbers)


def test_screening_from_threads_at_once_gives_each_query_its_own_candidates(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
) -> None:
    """The services screen one stored index from the API's worker threads: the tables a
    query works in (``_slots``) are each thread's own."""
    index, asked = bench
    alone = [index._by_name(name, schema, SCORED, SCORED) for schema, name in asked]
    with ThreadPoolExecutor(4) as pool:
        together = list(
            pool.map(lambda query: index._by_name(query[1], query[0], SCORED, SCORED), asked * 3)
        )
    assert together == alone * 3


def test_the_neighbours_too_widely_held_to_seed_are_those_over_the_limit(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
) -> None:
    """``_seeding`` and ``_misspelt`` look up the keys held by more than ``_near_most``
    entities in a set made with the index: exactly those keys, the limit itself not."""
    index, asked = bench
    most = index._near_most()
    sizes = {key: len(found) for key, found in index.postings.items()}
    assert most in sizes.values()
    assert index._many == {key for key, size in sizes.items() if size > most}
    for schema, name in asked:
        for _, group in index._indexed_groups(name, schema):
            assert index._seeding(group) == _reference_seeding(index, group)


@pytest.mark.parametrize("kept", [1, 4096])
def test_a_words_group_kept_from_an_earlier_query_is_the_one_worked_out_again(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
    kept: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``_indexed_groups`` keeps each queried word's group (``WORD_GROUPS_KEPT``): asked
    again, in any order, after the groups were forgotten or while kept, and the same
    word in a person's and a firm's name, each query's groups are the reference's."""
    index, asked = bench
    monkeypatch.setattr(module, "WORD_GROUPS_KEPT", kept)
    index._word_groups.clear()
    both = [
        (schema, name)
        for name in ("Kristall Ivanov", "Ivanov Kristall")
        for schema in (PERSON, "Company")
    ]
    queries = [*asked, *both, *reversed(asked), *both]
    for schema, name in queries:
        assert index._indexed_groups(name, schema) == _reference_groups(index, name, schema)
    assert len(index._word_groups) <= kept


def test_the_common_words_hints_are_the_references_for_every_query(
    bench: tuple[CandidateIndex, list[tuple[str, str]]],
) -> None:
    """``_common_hints`` (each word's common keys and neighbours kept per word) against
    the reference's, with every listed entity a candidate: not only for the queries with
    more than ``RERANKED`` candidates, where the comparison above reaches it. Twice, so
    that the kept groups are read too."""
    index, asked = bench
    everyone = np.arange(len(index), dtype=np.int32)
    index._hint_groups.clear()
    for schema, name in asked * 2:
        found = index._common_hints(name, schema, everyone)
        assert np.array_equal(found, _common_hints(index, name, schema, everyone)), name


def test_listed_words_changed_cut_or_alone_screen_without_failing(
    bench_index: CandidateIndex,
) -> None:
    """Any query made of a listed name's words (one word alone, a letter changed, the
    words shuffled or cut short) in any schema is screened: a hit list or none, never an
    error. A misspelt given name alone, known only by a neighbour held by many entities,
    once raised numpy's "need at least one array to concatenate"."""
    rng = np.random.default_rng(20)
    letters = "abcdeiklmnoprstuvyzаеиклмнорстч2 -."
    schemas = ("Person", "Company", "Organization", "LegalEntity", "Vessel")
    screened = 0
    for position in rng.choice(len(bench_index.ids), 600, replace=False).tolist():
        name = bench_index.names[position][0]
        words = name.split()
        changed = list(name)
        changed[int(rng.integers(len(changed)))] = letters[int(rng.integers(len(letters)))]
        for query in (
            words[int(rng.integers(len(words)))],
            "".join(changed),
            "".join(changed).split()[0],
            " ".join(words[::-1])[: int(rng.integers(1, len(name) + 1))],
        ):
            for schema in schemas:
                assert isinstance(bench_index.screen(query, schema), list), (query, schema)
                screened += 1
    assert screened == 600 * 4 * len(schemas)
