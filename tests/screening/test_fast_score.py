"""Screening's faster pair scoring gives the scorer's numbers, bit for bit (issue 14).

``score.feature_values`` works out what several features share once per alignment, and
``score.bounded_values`` stops as soon as a pair's score cannot reach the threshold. Both
are checked against the definition (each feature called on its own) on the labelled
pairs of the name benchmark and of issue 14's own set, and on random pairs.
"""

import json
import math
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening.calibrate import parse_cases
from pfund.screening.index import CandidateIndex, Hit, summarise
from pfund.screening.score import (
    THRESHOLD,
    best_alignment,
    bounded_values,
    explanation,
    feature_values,
    feature_values_one_by_one,
    log_odds,
    logistic,
    values_score,
)

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "tests" / "cases" / "names_cases.csv"
LABELLED = ROOT / "bench" / "labelled"
module = sys.modules["pfund.screening.score"]  # the package's ``score`` is the function
WEIGHTS = [weight for _, weight in module.FEATURES]


def labelled_pairs() -> list[tuple[str, str, str]]:
    """(name, name, schema) of every labelled pair: the name benchmark's and issue 14's."""
    cases = parse_cases(CASES.read_text(encoding="utf-8").splitlines())
    pairs = [(case.name1, case.name2, case.schema) for case in cases]
    for path in sorted(LABELLED.glob("*.jsonl")):
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.strip():
                line = json.loads(text)
                pairs.append((line["query"], line["listed"], line["schema"]))
    return pairs


PAIRS = labelled_pairs()


def wrongly_rejected(pairs: list[tuple[str, str, str]]) -> list[tuple[str, str, float]]:
    """The pairs the scorer accepts that ``bounded_values`` gives up on."""
    floor = log_odds(THRESHOLD)
    found = []
    for one, other, schema in pairs:
        alignment = best_alignment(one, other, schema)
        if alignment is None:
            continue
        exact = values_score(feature_values_one_by_one(alignment))
        if exact >= THRESHOLD and bounded_values(alignment, floor) is None:
            found.append((one, other, exact))
    return found


def test_the_labelled_set_is_large_and_holds_both_verdicts() -> None:
    verdicts = [
        values_score(feature_values(found)) >= THRESHOLD
        for found in (best_alignment(*pair) for pair in PAIRS)
        if found
    ]
    assert len(PAIRS) > 1000
    assert 300 < sum(verdicts) < len(verdicts) - 300


def test_shared_work_gives_every_feature_value_of_every_labelled_pair() -> None:
    for one, other, schema in PAIRS:
        alignment = best_alignment(one, other, schema)
        if alignment is not None:
            assert feature_values(alignment) == feature_values_one_by_one(alignment), (one, other)


def test_the_bound_gives_up_on_no_labelled_pair_the_scorer_accepts() -> None:
    assert wrongly_rejected(PAIRS) == []


def test_the_bound_gives_up_on_many_labelled_pairs_the_scorer_rejects() -> None:
    floor = log_odds(THRESHOLD)
    rejected = [
        bounded_values(found, floor) is None
        for found in (best_alignment(*pair) for pair in PAIRS)
        if found and values_score(feature_values_one_by_one(found)) < THRESHOLD
    ]
    assert sum(rejected) > len(rejected) / 2


def test_a_bound_that_counts_what_features_could_take_away_rejects_accepted_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Break the bound on purpose: let each feature not yet worked out count what it
    could take away at most (its weight if negative) instead of what it could add. It is
    then not admissible, and pairs the scorer accepts are given up on: the check above
    would fail. (Counting nothing for them is not enough to break it on these pairs: the
    features worked out first are those that raise the score.)"""
    monkeypatch.setattr(module, "_KNOWN", module.stage_bounds([min(w, 0.0) for w in WEIGHTS]))
    assert len(wrongly_rejected(PAIRS)) > 100


def test_where_the_bound_keeps_a_pair_its_values_are_the_scorers() -> None:
    floor = log_odds(THRESHOLD)
    for one, other, schema in PAIRS[::7]:
        alignment = best_alignment(one, other, schema)
        if alignment is None:
            continue
        bounded = bounded_values(alignment, floor)
        assert bounded is None or bounded == feature_values_one_by_one(alignment)


def test_the_score_of_the_shared_values_is_the_logistic_of_the_table() -> None:
    alignment = best_alignment("Иван Петрович Сидоров", "Sidorov Ivan")
    assert alignment is not None
    values = feature_values(alignment)
    total = module.BIAS + sum(v * w for v, w in zip(values, WEIGHTS, strict=True))
    assert values_score(values) == logistic(values, WEIGHTS, module.BIAS)
    assert values_score(values) == 1.0 / (1.0 + math.exp(-total))


SYLLABLES = ["ka", "ro", "shi", "ev", "ov", "ich", "na", "zh", "tch", "ya", "в", "ов", "ич"]
word = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map("".join)
name = st.lists(word, min_size=1, max_size=4).map(" ".join)
schemas = st.sampled_from(["Person", "Company", "Organization"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one=name, other=name, schema=schemas)
def test_random_pairs_score_the_same_and_the_bound_holds(one: str, other: str, schema: str) -> None:
    alignment = best_alignment(one, other, schema)
    if alignment is None:
        return
    exact = feature_values_one_by_one(alignment)
    assert feature_values(alignment) == exact
    bounded = bounded_values(alignment, log_odds(THRESHOLD))
    if values_score(exact) >= THRESHOLD:
        assert bounded == exact
    else:
        assert bounded is None or bounded == exact


def _slow_hit(index: CandidateIndex, position: int, name: str, schema: str) -> Hit | None:
    """``CandidateIndex._name_hit`` as it was: every listed name scored in full."""
    kind, aligned, values, scores = index._scored(position, name, schema)
    top = max(scores)
    if top < THRESHOLD:
        return None
    at = scores.index(top)
    best = explanation(aligned[at], kind, values=values[at])
    return Hit(index.ids[position], best.score, index.names[position][at], summarise(best))


def test_screening_gives_the_hits_and_scores_of_scoring_in_full() -> None:
    listed = [
        ("p1", "Person", ("Сидоров Иван Петрович", "Ivan Sidorov")),
        ("p2", "Person", ("Сидоренко Иван Павлович",)),
        ("p3", "Person", ("Сидоров Игорь Петрович", "Sidorov Igor")),
        ("p4", "Person", ("Петров Сидор Иванович",)),
        ("c1", "Company", ("ООО Ромашка", "Romashka LLC")),
        ("c2", "Company", ("ООО Ромашка-2",)),
        ("c3", "Company", ("АО Ромашкинский завод",)),
    ]
    index = CandidateIndex.build(
        WatchlistEntity(id=i, schema_name=schema, names=names[:1], aliases=names[1:])
        for i, schema, names in listed
    )
    asked = [
        ("Ivan Sidorov", "Person"),
        ("Sidorov Ivan Petrovich", "Person"),
        ("Sidor Petrov", "Person"),
        ("Igor Sidorenko", "Person"),
        ("Romashka", "Company"),
        ("OOO Romashka 2", "Company"),
    ]
    compared = 0
    for query, schema in asked:
        for position in range(len(index)):
            fast = index._name_hit(position, query, schema, THRESHOLD)
            assert fast == _slow_hit(index, position, query, schema), (query, position)
            compared += fast is not None
    assert compared >= 3
