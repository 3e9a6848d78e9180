"""What the staff page of exchange rates shows: the stored rates with what each gives in
the fund's currency, the fund's policy on a rate's age, and the projects budgeted in
another currency converted as the appraisal converts them (on the same day, same rule)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from pfund.domain.account import Permission
from pfund.domain.fx import ECB_BASE, ExchangeRate, RateUsed, convert, cross_rate
from pfund.errors import InvalidInput, NotFound
from pfund.services.rates import rate_for
from pfund.services.runtime import Runtime

__all__ = ["ProjectConversion", "RateLine", "RatesOverview", "rates_overview"]


class RateLine(BaseModel):
    """One stored rate, and one unit of ``unit`` in the fund's currency that day
    (``None`` when the fund's own leg was not published that day)."""

    rate: ExchangeRate
    unit: str
    in_fund: Decimal | None


class ProjectConversion(BaseModel):
    project_id: str
    title: str
    title_ru: str = ""
    currency: str
    likely_cost: Decimal
    converted: Decimal | None
    rate: RateUsed | None


class RatesOverview(BaseModel):
    currency: str
    max_age_days: int
    day: date
    total: int
    lines: list[RateLine]
    projects: list[ProjectConversion]


def rates_overview(rt: Runtime, *, day: date, offset: int, limit: int) -> RatesOverview:
    """The page's figures: ``limit`` stored rates from ``offset`` and the projects in
    another currency converted for ``day`` (an absent rate is stated, not raised)."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        fund = uow.fund.get()
        if fund is None:
            raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
        total, rates = uow.rates.page(offset, limit)
        legs = uow.rates.on_days(ECB_BASE, {r.day for r in rates})
        lines = [_line(r, fund.currency, legs) for r in rates]
        projects = []
        for project in uow.projects.list():
            if project.currency == fund.currency:
                continue
            used: RateUsed | None = None
            try:
                used = rate_for(uow, project.currency, fund.currency, day, fund.rate_max_age_days)
            except InvalidInput:
                used = None
            cost = project.likely_cost()
            projects.append(
                ProjectConversion(
                    project_id=project.id,
                    title=project.title,
                    title_ru=project.title_ru,
                    currency=project.currency,
                    likely_cost=cost,
                    converted=None if used is None else convert(cost, used.rate, used.quote),
                    rate=used,
                )
            )
    return RatesOverview(
        currency=fund.currency,
        max_age_days=fund.rate_max_age_days,
        day=day,
        total=total,
        lines=lines,
        projects=projects,
    )


def _line(rate: ExchangeRate, fund: str, legs: dict[tuple[str, date], ExchangeRate]) -> RateLine:
    """EUR->X as published: one X in the fund's currency, or one euro when X is it."""
    if rate.quote == fund:
        return RateLine(rate=rate, unit=rate.base, in_fund=rate.rate)
    per_euro = {ECB_BASE: Decimal(1), rate.quote: rate.rate}
    if fund != ECB_BASE:
        leg = legs.get((fund, rate.day))
        if leg is None:
            return RateLine(rate=rate, unit=rate.quote, in_fund=None)
        per_euro[fund] = leg.rate
    return RateLine(rate=rate, unit=rate.quote, in_fund=cross_rate(per_euro, rate.quote, fund))
