"""Working out the features of a whole pool of alignments at once gives the scorer's
values, bit for bit (issue 14, ``score.pool_values``).

Wherever a name's log-odds reach the floor, its values must be those of each feature
called on its own (``feature_values_one_by_one``); below the floor it may be given up on
(``None``). Checked on every labelled pair (the name benchmark's and issue 14's sets, in
pools of 40), on the whole candidate pools of 300 queries on a synthetic list, and on
random pools (hypothesis); screening with it gives the hits of scoring name by name.
"""

import math
import random
import sys
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from pfund.screening.align import Alignment
from pfund.screening.index import RERANKED, CandidateIndex
from pfund.screening.pool_score import pool_alignments
from pfund.screening.score import (
    BATCH_EXACT,
    BIAS,
    FEATURES,
    HEADROOM,
    POOL_MIN,
    STAGES,
    THRESHOLD,
    _similarities,
    best_alignment,
    bounded_values,
    feature_values_one_by_one,
    log_odds,
    pool_values,
    shared_values,
    unknown_headroom,
)
from tests.screening.synthetic import queries
from tests.screening.test_fast_score import PAIRS

module = sys.modules["pfund.screening.score"]  # the package's ``score`` is the function
FLOORS = (-math.inf, log_odds(THRESHOLD), 0.0, 2.0)
POOL = 40


def _log_odds(values: list[float]) -> float:
    return BIAS + sum(value * weight for value, (_, weight) in zip(values, FEATURES, strict=True))


def differing(alignments: list[Alignment], floor: float) -> list[tuple[str, str]]:
    """The alignments (their names) whose values from ``pool_values`` in pools of
    ``POOL`` are not the scorer's, or are missing though the log-odds reach ``floor``."""
    found = []
    for start in range(0, len(alignments), POOL):
        pool = alignments[start : start + POOL]
        for alignment, values in zip(pool, pool_values(pool, floor), strict=True):
            exact = feature_values_one_by_one(alignment)
            if values != exact and (values is not None or _log_odds(exact) >= floor):
                found.append(alignment.raw)
    return found


LABELLED = [found for found in (best_alignment(*pair) for pair in PAIRS) if found]


@pytest.mark.parametrize("floor", FLOORS)
def test_every_labelled_pair_has_the_scorers_values_in_a_pool(floor: float) -> None:
    assert len(LABELLED) > 2000
    assert differing(LABELLED, floor) == []


def test_below_the_floor_the_pool_gives_up_where_the_scorer_does() -> None:
    """Not passed by working everything out: at the threshold ``pool_values`` gives up
    on the labelled pairs ``bounded_values`` gives up on, and on no others."""
    floor = log_odds(THRESHOLD)
    given_up = [
        values is None
        for start in range(0, len(LABELLED), POOL)
        for values in pool_values(LABELLED[start : start + POOL], floor)
    ]
    assert given_up == [bounded_values(alignment, floor) is None for alignment in LABELLED]
    assert sum(given_up) > 400


def test_the_rare_features_are_met_in_the_labelled_set() -> None:
    """Each feature ``pool_values`` leaves to its own function for the few names that
    can make it nonzero (legal forms, patronymics, ``bin``, numbers, places, Chinese
    characters, marks), and the names reordered beside their counterparts, are nonzero
    for some labelled pair: the checks above do not pass by never meeting them."""
    values = np.array(
        [
            found
            for start in range(0, len(LABELLED), POOL)
            for found in pool_values(LABELLED[start : start + POOL], -math.inf)
            if found is not None
        ]
    )
    nonzero = (values != 0).sum(axis=0)
    for at in (10, 11, 12, 13, 15, 17, 18, 19):
        assert nonzero[at] > 0, FEATURES[at][0].__name__


def test_leaving_names_in_their_own_order_makes_values_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Break it on purpose: if no right name were put in its counterparts' order
    (``features.aligned_keys``), the compact and consonant similarities of the names
    written in another order would not be the scorer's, and the check above fails."""

    def in_order(_pool: object, rows: np.ndarray) -> np.ndarray:
        return np.zeros(len(rows), dtype=np.bool_)

    monkeypatch.setattr(module._Pool, "_reordered", in_order)
    assert len(differing(LABELLED, -math.inf)) >= 3


def test_adding_the_quality_in_another_order_makes_values_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Break it on purpose: summing the weighted similarities of a name's pairs last to
    first changes the last bits of ``aligned_similarity`` for some labelled pairs."""
    padded = module._Pool._padded

    def reversed_rows(self: object, per_pair: np.ndarray, fill: float) -> np.ndarray:
        found: np.ndarray = padded(self, per_pair, fill)
        return found[:, ::-1] if fill == 0.0 else found

    monkeypatch.setattr(module._Pool, "_padded", reversed_rows)
    assert len(differing(LABELLED, -math.inf)) > 0


Synthetic = tuple[CandidateIndex, list[tuple[str, str, str]], list[list[Alignment]]]


@pytest.fixture(scope="module")
def synthetic(bench_index: CandidateIndex) -> Synthetic:
    """A 20,000-entity synthetic list (the shared index), 300 queries, and the alignments
    of each query's whole candidate pool (up to ``RERANKED`` candidates, however little
    alike)."""
    index, asked = bench_index, queries(20_000, 300)
    pools = []
    for _, schema, name in asked:
        found = index.candidates(name, schema, limit=RERANKED, scored=RERANKED)
        pool = [(other, index._kind(p, schema)) for p in found for other in index.names[p]]
        pools.append([alignment for alignment in pool_alignments(name, pool) if alignment])
    return index, asked, pools


def test_whole_candidate_pools_have_the_scorers_values(synthetic: Synthetic) -> None:
    _, asked, pools = synthetic
    for (_, _, name), aligned in zip(asked, pools, strict=True):
        for floor in (log_odds(THRESHOLD), -math.inf):
            assert differing(aligned, floor) == [], name
    assert len(asked) == 300 and sum(map(len, pools)) > 5_000


def test_screening_gives_the_hits_of_scoring_name_by_name(
    synthetic: Synthetic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``screen`` and the whole pools' hits, with ``pool_values``, are those of
    ``bounded_values`` name by name (a pool never large enough to be worked out at once)."""
    index, asked, _ = synthetic

    def hits() -> list[object]:
        found: list[object] = []
        for _, schema, name in asked:
            found.append(index.screen(name, schema))
            pool = index.candidates(name, schema, limit=RERANKED, scored=RERANKED)
            found.append(index._name_hits(pool, name, schema, THRESHOLD))
        return found

    at_once = hits()
    monkeypatch.setattr(module, "POOL_MIN", 10**9)
    name_by_name = hits()
    assert at_once == name_by_name
    assert sum(len(found) for found in at_once if isinstance(found, list)) > 300


SYLLABLES = ["ka", "ro", "shi", "ev", "ov", "ich", "na", "zh", "tch", "ya", "в", "ов", "ич"]
SYLLABLES += ["ovna", "evich", "2", "ii", "ооо", "ао", "llc", "bin", "Ив", "de", "the", "高"]
word = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=3).map("".join)
name = st.lists(word, min_size=1, max_size=4).map(" ".join)
schemas = st.sampled_from(["Person", "Company", "Organization"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    one=name,
    pool=st.lists(st.tuples(name, schemas), min_size=POOL_MIN, max_size=3 * POOL_MIN),
    floor=st.sampled_from(FLOORS),
)
def test_random_pools_have_the_scorers_values(
    one: str, pool: list[tuple[str, str]], floor: float
) -> None:
    aligned = [found for found in pool_alignments(one, pool) if found]
    assert differing(aligned, floor) == []


def test_batch_scorers_give_their_own_values_bit_for_bit() -> None:
    """``cpdist`` stands in for a scorer only where it gives the scorer's own floats:
    Jaro-Winkler's differ in the last bit for many pairs (evich and ovnaevich, which a
    hypothesis pool met), and a pool's prefix similarity would then differ from the
    scorer's."""
    rng = random.Random(14)
    letters = "abceikovhszчжш "
    left = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    right = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    for scorer in BATCH_EXACT:
        batch = process.cpdist(left, right, scorer=scorer, dtype=np.float64, workers=1)
        assert batch.tolist() == [
            scorer(one, other) for one, other in zip(left, right, strict=True)
        ]
    jaro_winkler: Callable[..., float] = JaroWinkler.normalized_similarity
    for each in (jaro_winkler, *BATCH_EXACT):
        assert _similarities(left, right, each).tolist() == [
            each(one, other) for one, other in zip(left, right, strict=True)
        ]
    pair = best_alignment("evich", "ovnaevich")
    assert pair is not None
    assert pool_values([pair] * POOL_MIN, -math.inf)[0] == feature_values_one_by_one(pair)


# Names as written that an aligned pair may have come from: the same forms, other raws
# (identical, reversed, in Chinese characters), so that the written features differ.
def _written_apart(alignment: Alignment) -> list[Alignment]:
    one, other = alignment.raw
    raws = [(one, other), (one, one), (one, other[::-1]), ("高市", "高石"), (other, one)]
    return [
        Alignment(alignment.left, alignment.right, alignment.pairs, alignment.schema, raw)
        for raw in raws
    ]


def _stage_bound(values: list[float], stage: int) -> float:
    """The most the log-odds can reach after ``stage`` of ``bounded_values``."""
    known = STAGES[stage]
    added = sum(values[at] * weight for at, (_, weight) in enumerate(FEATURES) if at in known)
    return BIAS + added + unknown_headroom(known, HEADROOM)


def test_alignments_written_apart_share_their_values_as_the_scorer_gives_them() -> None:
    """``shared_values`` works out one alignment of a group that differs only as written
    and gives the others its values with their own written features: the same values,
    and the same given-up alignments, as ``bounded_values`` of each, at the threshold
    and at floors just below each stage's bound for the names written alike, where the
    written similarity decides whether the bound gives up."""
    compared = given_up = mixed = 0
    for alignment in LABELLED[::7]:
        group = _written_apart(alignment)
        alike = feature_values_one_by_one(group[1])  # written identically: the highest
        for floor in (log_odds(THRESHOLD), *(_stage_bound(alike, s) - 0.05 for s in (0, 1, 2))):
            found = shared_values(group, floor)
            assert found == [bounded_values(each, floor) for each in group], alignment.raw
            compared += len(group)
            given_up += sum(values is None for values in found)
            mixed += len({values is None for values in found}) == 2
    assert compared > 4000 and given_up > 200 and mixed > 50
