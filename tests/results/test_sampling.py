"""Sample sizes by Cochran, a recorded draw that redraws identically, and its checks."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from pfund.errors import InvalidInput
from pfund.results.sampling import (
    DrawRecord,
    Unit,
    allocate,
    check_findings,
    draw,
    population_digest,
    redraw,
    sample_size_proportion,
    sample_size_ratio,
)


def units(count: int = 200, strata: str = "NS") -> list[Unit]:
    return [
        Unit(id=f"site-{i:04d}", stratum=strata[i % len(strata)], reported=float(10 + i % 37))
        for i in range(count)
    ]


def test_sample_size_for_a_proportion_follows_cochran_with_the_finite_correction() -> None:
    # By hand: z = 1.959964, n0 = 1.959964^2 * 0.25 / 0.05^2 = 384.146 (Cochran's 384).
    # N = 1000: n = 384.146 / (1 + 383.146 / 1000) = 277.74, rounded up to 278.
    assert sample_size_proportion(1000, confidence=0.95, precision=0.05) == 278
    # A very large population needs n0 itself, rounded up.
    assert sample_size_proportion(10**9, confidence=0.95, precision=0.05) == 385
    # A small population is nearly censused, never more than it.
    assert sample_size_proportion(50) == 45
    assert sample_size_proportion(3) == 3


def test_sample_size_for_a_ratio_uses_the_relative_precision() -> None:
    # n0 = (1.959964 * 0.3 / 0.05)^2 = 138.29; N = 500: 138.29 / (1 + 137.29/500) = 108.5 -> 109
    assert sample_size_ratio(500, cv=0.3, relative_precision=0.05) == 109


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1])
def test_sample_size_refuses_a_confidence_outside_zero_and_one(bad: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        sample_size_proportion(100, confidence=bad)


def test_allocation_is_proportional_with_largest_remainders_and_a_minimum() -> None:
    # 10 * (50, 30, 20) / 100 = 5, 3, 2 exactly
    assert allocate({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}
    # 7 * (50, 30, 20) / 100 = 3.5, 2.1, 1.4 -> floors 3, 2, 1 raised to min 2 -> 3, 2, 2 = 7
    assert allocate({"a": 50, "b": 30, "c": 20}, 7) == {"a": 3, "b": 2, "c": 2}
    # minimum 1: floors 3, 2, 1 = 6, one left goes to the largest remainder (a: .5)
    assert allocate({"a": 50, "b": 30, "c": 20}, 7, minimum=1) == {"a": 4, "b": 2, "c": 1}
    # a stratum of one is censused, never asked for two
    assert allocate({"a": 99, "b": 1}, 10) == {"a": 9, "b": 1}


def test_a_draw_redraws_identically_from_its_record_whatever_the_listing_order() -> None:
    population = units()
    first = draw(population, 40, seed=20261205)
    shuffled = population[:]
    random.Random(3).shuffle(shuffled)
    record = DrawRecord.model_validate_json(first.record.model_dump_json())
    again = redraw(record, shuffled)
    assert again.unit_ids == first.unit_ids
    assert len(first.unit_ids) == first.record.size == 40
    assert {s.name: s.sample for s in first.record.strata} == {"N": 20, "S": 20}
    other = draw(population, 40, seed=20261206)
    assert other.unit_ids != first.unit_ids


def test_the_draw_uses_only_the_pcg64_bit_stream_so_it_can_be_redone_by_hand() -> None:
    population = units(30, strata="X")
    sample = draw(population, 5, seed=7)
    keys = np.random.PCG64(7).random_raw(30)
    ids = sorted(u.id for u in population)
    expected = sorted(ids[i] for i in np.argsort(keys, kind="stable")[:5])
    assert list(sample.unit_ids) == expected


def test_a_redraw_refuses_a_population_that_changed() -> None:
    population = units()
    sample = draw(population, 30, seed=1)
    changed = [*population[:-1], population[-1].model_copy(update={"reported": 999.0})]
    with pytest.raises(InvalidInput, match="not the one") as caught:
        redraw(sample.record, changed)
    assert caught.value.problems[0].field == "population_digest"
    assert population_digest(population) == sample.record.population_digest


def test_a_population_listing_a_unit_twice_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        draw([*units(10), Unit(id="site-0003", reported=1.0)], 3, seed=1)
    assert "site-0003" in str(caught.value)


def test_findings_for_a_unit_not_in_the_draw_are_refused_naming_the_unit() -> None:
    sample = draw(units(), 20, seed=5)
    outsider = next(u.id for u in units() if u.id not in sample.unit_ids)
    with pytest.raises(InvalidInput) as caught:
        check_findings(sample, [*sample.unit_ids, outsider])
    assert [p.reason for p in caught.value.problems] == [
        f"unit '{outsider}' was not in the draw (seed 5)"
    ]
    assert caught.value.problems[0].field == "unit"


def test_findings_missing_a_drawn_unit_are_refused_unless_partial_is_allowed() -> None:
    sample = draw(units(), 20, seed=5)
    with pytest.raises(InvalidInput, match="do not match") as caught:
        check_findings(sample, sample.unit_ids[1:])
    assert sample.unit_ids[0] in str(caught.value)
    check_findings(sample, sample.unit_ids[1:], complete=False)


def test_the_draw_is_a_simple_random_sample_each_unit_equally_likely() -> None:
    population = units(20, strata="X")
    counts = dict.fromkeys((u.id for u in population), 0)
    for seed in range(2000):
        for uid in draw(population, 5, seed=seed).unit_ids:
            counts[uid] += 1
    # each unit is drawn with probability 5/20: 500 of 2000; binomial sd ~ 19.4
    assert all(abs(c - 500) < 5 * math.sqrt(2000 * 0.25 * 0.75) for c in counts.values())
