"""The scorecard: each indicator test of the fund's condition rules, its threshold, latest
value and trend, pass or fail, and the conditions and money that depend on it.

Everything here is public: published figures, the rules, the conditions' public status,
and money summed over tranches (no project or counterparty is named).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from pfund.conditions.rules import Series, evaluate_rule, evaluate_test
from pfund.conditions.stages import required_conditions
from pfund.domain import Stage, Tranche
from pfund.domain.scorecard import IndicatorSet, IndicatorTest, IndicatorValue
from pfund.services.portal import cached
from pfund.services.runtime import Runtime
from pfund.services.scorecard import OPEN_TRANCHES, repo, rules_of, series_of
from pfund.store.unit_of_work import UnitOfWork

ZERO = Decimal(0)


class Point(BaseModel):
    year: int
    value: str


class Dependent(BaseModel):
    code: str
    title: str
    title_ru: str
    status: str


class IndicatorLine(BaseModel):
    """One test of one indicator, as the scorecard shows it."""

    indicator: str
    label: str
    label_ru: str
    area: str
    test: str
    op: str
    threshold: str
    one_of: list[str]
    year: int | None
    value: str
    passed: bool | None
    trend: list[Point]
    source: str
    licence: str
    data_set: str
    version: int | None
    sha256: str
    conditions: list[Dependent]
    tranches: int
    money: Decimal


class RuleSummary(BaseModel):
    condition: str
    title: str
    title_ru: str
    status: str
    passed: bool | None
    combine: str


class Scorecard(BaseModel):
    currency: str
    lines: list[IndicatorLine]
    rules: list[RuleSummary]
    sets: list[IndicatorSet]
    manual: list[str]


def scorecard(rt: Runtime) -> Scorecard:
    """The public scorecard, computed once per state of the store."""
    return cached(rt, ("scorecard",), lambda: _build(rt))


def _build(rt: Runtime) -> Scorecard:
    with rt.uow() as uow:
        rules = rules_of(rt, uow)
        fund = uow.fund.get()
        area = fund.beneficiary_country if fund else ""
        series = series_of(uow)
        figures = _figures(uow)
        conditions = {c.code: c for c in uow.conditions.list()}
        gated = _gated(uow.tranches.list(), uow.stages.list())
        sets = repo(uow).latest_sets()
    lines: dict[tuple[str, str], IndicatorLine] = {}
    summaries = []
    for rule in rules.rules:
        c = conditions[rule.condition]
        dependent = Dependent(
            code=c.code, title=c.title, title_ru=c.title_ru, status=c.status.value
        )
        verdict = evaluate_rule(rule.rule, series, default_area=area)
        summaries.append(
            RuleSummary(
                condition=c.code,
                title=c.title,
                title_ru=c.title_ru,
                status=c.status.value,
                passed=verdict.passed,
                combine=rule.rule.mode,
            )
        )
        for test in rule.rule.tests():
            line = lines.get((test.text(), test.area or area))
            if line is None:
                line = _line(test, area, series, figures, {s.sha256: s for s in sets})
                lines[(test.text(), line.area)] = line
            if all(d.code != c.code for d in line.conditions):
                line.conditions.append(dependent)
    for line in lines.values():
        ids = {t for d in line.conditions for t in gated.get(d.code, {})}
        amounts = {t: a for d in line.conditions for t, a in gated.get(d.code, {}).items()}
        line.tranches = len(ids)
        line.money = sum((amounts[t] for t in ids), ZERO)
    return Scorecard(
        currency=fund.currency if fund else "USD",
        lines=list(lines.values()),
        rules=summaries,
        sets=sets,
        manual=[c for c in conditions if c not in {r.condition for r in rules.rules}],
    )


Figures = dict[tuple[str, str, int], IndicatorValue]


def _figures(uow: UnitOfWork) -> Figures:
    found: Figures = {}
    for s in repo(uow).latest_sets():
        for v in repo(uow).values(s.sha256):
            found.setdefault((v.indicator, v.area, v.year), v)
    return found


def _gated(tranches: list[Tranche], stages: list[Stage]) -> dict[str, dict[str, Decimal]]:
    """Condition code -> the open tranches that need it, with their amounts."""
    out: dict[str, dict[str, Decimal]] = {}
    for t in tranches:
        if t.status not in OPEN_TRANCHES:
            continue
        for code in required_conditions(t, stages):
            out.setdefault(code, {})[t.id] = t.amount
    return out


def _line(
    test: IndicatorTest,
    area: str,
    series: Series,
    figures: Figures,
    sets: dict[str, IndicatorSet],
) -> IndicatorLine:
    result = evaluate_test(test, series, default_area=area)
    seen = result.observation
    figure = None if seen is None else figures.get((test.indicator, result.area, seen.year))
    sha = "" if seen is None else seen.set_ref.split("@")[1]
    found = sets.get(sha)
    return IndicatorLine(
        indicator=test.indicator,
        label=test.label or test.indicator,
        label_ru=test.label_ru or test.label or test.indicator,
        area=result.area,
        test=test.text(),
        op=test.op or "",
        threshold="" if test.threshold is None else format(test.threshold, "f"),
        one_of=test.one_of,
        year=None if seen is None else seen.year,
        value="" if seen is None else seen.shown,
        passed=result.passed,
        trend=[
            Point(year=o.year, value=o.shown) for o in series.get((test.indicator, result.area), [])
        ],
        source="" if figure is None else figure.source,
        licence="" if figure is None else figure.licence,
        data_set="" if found is None else found.name,
        version=None if found is None else found.version,
        sha256=sha,
        conditions=[],
        tranches=0,
        money=ZERO,
    )
