"""Condition rules over public indicators: does the rule hold, on which figures, and so what.

Pure: the figures come in as values (indicator and area to a series of observations),
the verdict goes out with every figure it used, so the proposal it leads to carries its
own evidence. Three outcomes per test: passes, fails, or *no data* (the indicator has no
value for that area, or none for the year asked). Groups combine them as Kleene logic:
``all`` fails if any part fails and passes only when every part passes; ``any`` passes
if any part passes and fails only when every part fails; otherwise the verdict is *no
data* and nothing is proposed.

What a verdict proposes for a condition (``proposed_status``): a passing rule makes a
condition that is not ``met`` ``met``; a failing rule makes a ``met`` condition
``reversed`` (which freezes the money that needed it, through the condition service); in
every other case the status stays, so an indicator never undoes a verifier's judgement
that a condition is partly met.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pfund.domain.enums import ConditionStatus
from pfund.domain.scorecard import IndicatorTest, RuleGroup

__all__ = [
    "Observation",
    "Series",
    "TestResult",
    "Verdict",
    "evaluate_rule",
    "evaluate_test",
    "proposed_status",
]

COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class Observation:
    """One figure of one indicator for one area and year, and the data set version it is from."""

    year: int
    value: Decimal | None
    category: str
    set_ref: str  # "name@sha256"

    @property
    def shown(self) -> str:
        return self.category if self.value is None else format(self.value, "f")


Series = Mapping[tuple[str, str], Sequence[Observation]]


@dataclass(frozen=True)
class TestResult:
    """One test's outcome: ``passed`` is None when the data hold no value to test."""

    test: IndicatorTest
    area: str
    passed: bool | None
    observation: Observation | None
    reason: str


@dataclass(frozen=True)
class Verdict:
    """A rule's outcome and the tests it rests on, in the rule's order."""

    passed: bool | None
    results: list[TestResult]

    @property
    def set_refs(self) -> list[str]:
        """Each data set version the verdict used, once, in order of first use."""
        refs = [r.observation.set_ref for r in self.results if r.observation is not None]
        return list(dict.fromkeys(refs))


def evaluate_test(test: IndicatorTest, series: Series, *, default_area: str) -> TestResult:
    """One test against the figures: the latest year's (or the given year's) value."""
    area = test.area or default_area
    found = sorted(series.get((test.indicator, area), ()), key=lambda o: o.year)
    if test.year != "latest":
        found = [o for o in found if o.year == test.year]
    if not found:
        when = "any year" if test.year == "latest" else str(test.year)
        reason = f"no value of {test.indicator} for {area} in {when}"
        return TestResult(test, area, None, None, reason)
    seen = found[-1]
    passed = _passes(test, seen)
    if passed is None:
        kind = "a category" if seen.value is None else "a number"
        reason = f"{test.indicator} for {area} in {seen.year} is {kind}, which this test cannot use"
        return TestResult(test, area, None, seen, reason)
    verb = "passes" if passed else "fails"
    reason = f"{test.indicator} = {seen.shown} ({area}, {seen.year}) {verb} {test.text()}"
    return TestResult(test, area, passed, seen, reason)


def _passes(test: IndicatorTest, seen: Observation) -> bool | None:
    if test.one_of:
        return None if seen.value is not None else seen.category in test.one_of
    if seen.value is None or test.op is None or test.threshold is None:
        return None
    return COMPARE[test.op](seen.value, test.threshold)


def evaluate_rule(rule: RuleGroup, series: Series, *, default_area: str) -> Verdict:
    """The rule's verdict (Kleene ``all``/``any``) with every test's result."""
    results: list[TestResult] = []
    passed = _group(rule, series, default_area, results)
    return Verdict(passed, results)


def _group(rule: RuleGroup, series: Series, area: str, out: list[TestResult]) -> bool | None:
    outcomes = []
    for part in rule.parts:
        if isinstance(part, RuleGroup):
            outcomes.append(_group(part, series, area, out))
        else:
            result = evaluate_test(part, series, default_area=area)
            out.append(result)
            outcomes.append(result.passed)
    decisive = rule.mode == "any"  # any: one True decides; all: one False decides
    if decisive in outcomes:
        return decisive
    if None in outcomes:
        return None
    return not decisive


def proposed_status(current: ConditionStatus, passed: bool | None) -> ConditionStatus | None:
    """The status a verdict proposes for a condition now at ``current``, or None to keep it."""
    if passed is True and current is not ConditionStatus.MET:
        return ConditionStatus.MET
    if passed is False and current is ConditionStatus.MET:
        return ConditionStatus.REVERSED
    return None
