"""Samples for verification: how many units to recount, which ones, and a record to redraw.

Sample size. To estimate a proportion ``p`` (or, read the same way, a verification factor
near 1 whose unit-level spread is a proportion's) to within ``±e`` at confidence
``1 - a``, Cochran (*Sampling Techniques*, 3rd ed., 1977, sec. 4.4, eq. 4.2 and 4.3)
gives ``n0 = z^2 p (1 - p) / e^2`` for an infinite population and, with the finite
population correction, ``n = n0 / (1 + (n0 - 1) / N)``, rounded up. ``z`` is the normal
quantile ``1 - a/2``; ``p = 0.5`` is the conservative default (largest ``p(1-p)``).
For a ratio with a known unit-level coefficient of variation ``cv`` and a relative
precision ``r`` the same shape holds with ``n0 = (z cv / r)^2`` (Cochran sec. 4.6).

The draw. Units are sorted by stratum and id, so the draw does not depend on the order
in which a report lists them. Each unit gets a key, the next raw 64-bit output of
``numpy.random.PCG64(seed)`` (``bit_generator.random_raw``) in that order; within each
stratum the ``n_h`` units with the smallest keys are drawn (ties by id). Ordering by
independent uniform keys and taking the first ``n_h`` is simple random sampling without
replacement (Tillé, *Sampling Algorithms*, 2006, sec. 4.4, "sorting by random numbers").
Only the PCG64 bit stream is used, which numpy guarantees stable across versions (unlike
``Generator.choice``), so the record (seed, method, population digest, strata and sizes)
is enough for anyone, with numpy or another PCG64, to redraw the same units.

Allocation across strata is proportional, ``n_h = n N_h / N``: floors first, then every
stratum raised to a minimum (at least one unit, two by default so each stratum has a
variance; never above ``N_h``), then the units left over go one each to the strata with
the largest fractional parts (largest-remainder rounding, ties by stratum name). When the
minimums alone exceed ``n``, the sample grows to the minimums and the record says so.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.stats import norm

from pfund.errors import InvalidInput, Problem

__all__ = [
    "METHOD",
    "Draw",
    "DrawRecord",
    "Stratum",
    "Unit",
    "allocate",
    "check_findings",
    "draw",
    "population_digest",
    "redraw",
    "sample_size_proportion",
    "sample_size_ratio",
]

METHOD = "pcg64-raw-keys-srswor-proportional-v1"


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}")
    return float(norm.ppf(0.5 + confidence / 2))


def _finite(n0: float, population: int) -> int:
    """Cochran's finite population correction, rounded up, at most the population."""
    if population < 1:
        raise ValueError(f"population must have at least one unit, got {population}")
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def sample_size_proportion(
    population: int, *, confidence: float = 0.95, precision: float = 0.05, p: float = 0.5
) -> int:
    """Units to sample so a proportion is known to ``±precision`` (Cochran eq. 4.2-4.3)."""
    if not 0 < precision < 1:
        raise ValueError(f"precision must be between 0 and 1 (e.g. 0.05), got {precision}")
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    n0 = _z(confidence) ** 2 * p * (1 - p) / precision**2
    return _finite(n0, population)


def sample_size_ratio(
    population: int, *, cv: float, confidence: float = 0.95, relative_precision: float = 0.05
) -> int:
    """Units to sample so a ratio is known to ``±relative_precision`` of itself, given the
    unit-level coefficient of variation ``cv`` of the residuals ``y - R x`` over ``R x̄``
    (from a pilot or an earlier audit); finite population correction as above."""
    if cv <= 0 or relative_precision <= 0:
        raise ValueError("cv and relative_precision must be positive")
    return _finite((_z(confidence) * cv / relative_precision) ** 2, population)


class Unit(BaseModel):
    """One reported unit (a site, beneficiary, contract) as the report lists it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    stratum: str = ""
    reported: float = Field(ge=0)


class Stratum(BaseModel):
    """A stratum's size in the population and in the sample."""

    model_config = ConfigDict(frozen=True)

    name: str
    population: int = Field(ge=1)
    sample: int = Field(ge=0)


class DrawRecord(BaseModel):
    """Everything needed to redraw a sample identically and to prove the population."""

    model_config = ConfigDict(frozen=True)

    seed: int = Field(ge=0)
    method: str = METHOD
    population_digest: str
    requested: int = Field(ge=1)
    strata: tuple[Stratum, ...]

    @property
    def size(self) -> int:
        return sum(s.sample for s in self.strata)


@dataclass(frozen=True)
class Draw:
    """The record and the drawn unit ids, in stratum then id order."""

    record: DrawRecord
    unit_ids: tuple[str, ...]

    def strata_of(self, units: Sequence[Unit]) -> dict[str, str]:
        drawn = set(self.unit_ids)
        return {u.id: u.stratum for u in units if u.id in drawn}


def _sorted(units: Iterable[Unit]) -> list[Unit]:
    listed = sorted(units, key=lambda u: (u.stratum, u.id))
    dupes = sorted(i for i, k in Counter(u.id for u in listed).items() if k > 1)
    if dupes:
        raise InvalidInput(
            "the population lists a unit twice",
            [Problem(f"unit '{d}' is listed more than once", field="unit") for d in dupes],
        )
    if not listed:
        raise InvalidInput("the population is empty", [Problem("no units", field="units")])
    return listed


def population_digest(units: Iterable[Unit]) -> str:
    """SHA-256 of the sorted ``stratum<TAB>id<TAB>reported`` lines: the same digest means
    the same units with the same reported values, whatever order they came in."""
    lines = (f"{u.stratum}\t{u.id}\t{u.reported!r}\n" for u in _sorted(units))
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def allocate(sizes: Mapping[str, int], n: int, *, minimum: int = 2) -> dict[str, int]:
    """Proportional allocation with a per-stratum minimum and largest-remainder rounding."""
    if minimum < 1:
        raise ValueError(f"minimum per stratum must be at least 1, got {minimum}")
    total = sum(sizes.values())
    n = min(n, total)
    names = sorted(sizes)
    exact = {h: n * sizes[h] / total for h in names}
    out = {h: min(sizes[h], max(minimum, math.floor(exact[h]))) for h in names}
    order = sorted(names, key=lambda h: (-(exact[h] - math.floor(exact[h])), h))
    while sum(out.values()) < n:
        room = [h for h in order if out[h] < sizes[h]]
        out[room[0]] += 1
        order = room[1:] + room[:1]
    return out


def draw(units: Iterable[Unit], n: int, *, seed: int, minimum_per_stratum: int = 2) -> Draw:
    """A seeded, recorded, proportionally stratified simple random sample of ``n`` units."""
    listed = _sorted(units)
    sizes: dict[str, int] = {}
    for u in listed:
        sizes[u.stratum] = sizes.get(u.stratum, 0) + 1
    if n < 1:
        raise ValueError(f"sample size must be at least 1, got {n}")
    alloc = allocate(sizes, n, minimum=minimum_per_stratum)
    record = DrawRecord(
        seed=seed,
        population_digest=population_digest(listed),
        requested=n,
        strata=tuple(Stratum(name=h, population=sizes[h], sample=alloc[h]) for h in sorted(sizes)),
    )
    return Draw(record=record, unit_ids=_select(listed, record))


def _select(listed: list[Unit], record: DrawRecord) -> tuple[str, ...]:
    keys = np.random.PCG64(record.seed).random_raw(len(listed))
    chosen: list[str] = []
    start = 0
    for stratum in record.strata:
        stop = start + stratum.population
        ids = [u.id for u in listed[start:stop]]
        order = np.lexsort((np.arange(stop - start), keys[start:stop]))
        chosen += sorted(ids[i] for i in order[: stratum.sample])
        start = stop
    return tuple(chosen)


def redraw(record: DrawRecord, units: Iterable[Unit]) -> Draw:
    """The same draw again from its record; refuses a population that is not the same."""
    if record.method != METHOD:
        raise InvalidInput(
            "unknown sampling method",
            [Problem(f"method '{record.method}' is not '{METHOD}'", field="method")],
        )
    listed = _sorted(units)
    digest = population_digest(listed)
    if digest != record.population_digest:
        raise InvalidInput(
            "the population is not the one the sample was drawn from",
            [Problem(f"digest {digest} differs from the recorded one", field="population_digest")],
        )
    return Draw(record=record, unit_ids=_select(listed, record))


def check_findings(sample: Draw, found: Iterable[str], *, complete: bool = True) -> None:
    """Refuse findings for units that were not drawn (and, if ``complete``, missing ones).

    A verifier who recounts a unit outside the draw has chosen it, and the estimate is no
    longer a random sample's; every offending unit is named so nothing is stored.
    """
    drawn, given = set(sample.unit_ids), list(found)
    problems = [
        Problem(f"unit '{u}' was not in the draw (seed {sample.record.seed})", field="unit")
        for u in sorted(set(given) - drawn)
    ]
    problems += [
        Problem(f"unit '{u}' is recorded twice", field="unit")
        for u in sorted(u for u, k in Counter(given).items() if k > 1)
    ]
    if complete:
        problems += [
            Problem(f"unit '{u}' was drawn but has no finding", field="unit")
            for u in sorted(drawn - set(given))
        ]
    if problems:
        raise InvalidInput("the findings do not match the sample drawn", problems)
