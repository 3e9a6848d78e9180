"""Cost-benefit analysis of one project at its likely values.

Timing convention (end of year): every amount of calendar year ``y`` is treated as paid
at one instant, the end of ``y``, and the present is the end of ``base_year``. A flow in
``y`` is therefore discounted by ``(1 + rate) ** -(y - base_year)``: flows of the base
year are not discounted, flows of earlier years are compounded forward. On arrays,
element ``t`` is discounted by ``(1 + rate) ** -(t + first_period)``, the convention of
numpy-financial's ``npv``; spreadsheet ``NPV`` discounts its first value one period,
which is ``npv(rate, values, first_period=1)``.

The economic rate of return comes from :func:`pfund.appraisal.err.err`, with a status
where a stream has no rate or several.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pfund.appraisal.err import ErrResult, err, is_conventional
from pfund.appraisal.schedule import FloatArray, project_schedule
from pfund.domain import Project

__all__ = [
    "Appraisal",
    "appraise",
    "benefit_cost_ratio",
    "cost_per_unit",
    "discount_factors",
    "npv",
    "payback_period",
    "present_value",
]


def discount_factors(rate: float, periods: int, *, first_period: int = 0) -> FloatArray:
    """``(1 + rate) ** -t`` for ``t = first_period, first_period + 1, ...``."""
    if rate <= -1:
        raise ValueError(f"a discount rate must be above -1 (-100%), got {rate}")
    t = np.arange(first_period, first_period + periods, dtype=np.float64)
    return np.asarray((1.0 + rate) ** -t, dtype=np.float64)


def present_value(rate: float, values: npt.ArrayLike, *, first_period: int = 0) -> float:
    """Sum of the values discounted to period 0 (same as :func:`npv`, named for clarity)."""
    v = np.asarray(values, dtype=np.float64)
    return float(v @ discount_factors(rate, v.size, first_period=first_period))


def npv(rate: float, values: npt.ArrayLike, *, first_period: int = 0) -> float:
    """Net present value of a net benefit stream; element 0 is at ``first_period``."""
    return present_value(rate, values, first_period=first_period)


def benefit_cost_ratio(pv_benefits: float, pv_costs: float) -> float | None:
    """PV of benefits over PV of costs; None when nothing is spent (the ratio is undefined)."""
    return pv_benefits / pv_costs if pv_costs > 0 else None


def payback_period(values: npt.ArrayLike, *, rate: float = 0.0) -> int | None:
    """First period from which the cumulative (discounted at ``rate``) net stays >= 0.

    "Stays" rather than "first reaches" so that a later reinvestment that pulls the
    cumulative back below zero is not hidden; None if the stream never pays back.
    ``rate=0`` gives the simple payback period.
    """
    v = np.asarray(values, dtype=np.float64)
    cumulative = np.cumsum(v * discount_factors(rate, v.size))
    negative = np.flatnonzero(cumulative < 0)
    if negative.size == 0:
        return 0
    last = int(negative[-1])
    return last + 1 if last + 1 < v.size else None


def cost_per_unit(pv_costs: float, outcome: float) -> float | None:
    """PV of all costs per unit of an outcome indicator, as the indicator is written.

    An outcome is one number (people reached, km built, deaths avoided per year), so the
    ratio keeps its unit: USD per person reached, USD per km, and for a ``_per_year``
    indicator USD per unit of *annual* result (e.g. per death avoided each year). No
    annuity is invented for the per-year case because the proposal does not say for how
    many years the result lasts. None when the outcome is zero.
    """
    return pv_costs / outcome if outcome > 0 else None


@dataclass(frozen=True)
class Appraisal:
    """A project's cost-benefit figures at its likely values, with the inputs used."""

    project_id: str
    rate: float
    base_year: int
    hurdle: float
    pv_costs: float
    pv_benefits: float
    npv: float
    bcr: float | None
    err: ErrResult
    conventional: bool
    payback_year: int | None
    cost_per_unit: Mapping[str, float | None]

    @property
    def err_passes(self) -> bool | None:
        """Whether the ERR reaches the hurdle; None when the ERR is not unique."""
        return self.err.passes(self.hurdle)


def appraise(project: Project, *, rate: float, base_year: int, hurdle: float = 0.10) -> Appraisal:
    """NPV, BCR, ERR, discounted payback year and cost per unit, at likely values.

    The payback year is *discounted* at ``rate``: the first year from which the
    project has recovered its costs including the return the money could have earned
    elsewhere, so it exists exactly when the NPV of the stream up to some year is >= 0.
    """
    schedule = project_schedule(project)
    start = schedule.first_year - base_year
    costs, benefits = schedule.costs(), schedule.benefit_total()
    pv_costs = present_value(rate, costs, first_period=start)
    pv_benefits = present_value(rate, benefits, first_period=start)
    net = benefits - costs
    payback = payback_period(net, rate=rate)
    return Appraisal(
        project_id=project.id,
        rate=rate,
        base_year=base_year,
        hurdle=hurdle,
        pv_costs=pv_costs,
        pv_benefits=pv_benefits,
        npv=pv_benefits - pv_costs,
        bcr=benefit_cost_ratio(pv_benefits, pv_costs),
        err=err(net),
        conventional=is_conventional(net),
        payback_year=None if payback is None else schedule.first_year + payback,
        cost_per_unit={
            name: cost_per_unit(pv_costs, o.value.likely) for name, o in project.outcomes.items()
        },
    )
