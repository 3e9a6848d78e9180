"""The schedule of contributions a burden-sharing rule asks of each member, year by year.

Everything is exact Decimal arithmetic in a fixed context (34 digits), so a schedule does
not depend on the caller's decimal settings. Rounding happens once, at the end: each
member's amount for a year is rounded to the cent with ROUND_HALF_EVEN (banker's
rounding, which is unbiased over many amounts), and every total is the sum of the rounded
amounts, so the published table always adds up to its totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from pfund.domain import Contributor
from pfund.errors import InvalidInput, Problem
from pfund.funding.rules import ZERO, FundingKind, FundingRule

__all__ = ["CENT", "ContributionSchedule", "FundingKind", "FundingRule", "cap_amounts", "schedule"]

CENT = Decimal("0.01")
CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)
TOLERANCE = Decimal("1e-20")


@dataclass(frozen=True)
class ContributionSchedule:
    """What each member pays each year, in USD rounded to the cent, with the rule used.

    ``notes`` says, per member, where the rule could not be applied as written (a member
    without a defence figure paying a share of GDP instead, say).
    """

    rule: FundingRule
    years: tuple[int, ...]
    amounts: Mapping[str, Mapping[int, Decimal]]
    notes: Mapping[str, str] = field(default_factory=dict)
    currency: str = "USD"

    def amount(self, iso3: str, year: int) -> Decimal:
        return self.amounts[iso3][year]

    def by_year(self) -> dict[int, Decimal]:
        """Total paid by all members in each year."""
        with localcontext(CONTEXT):
            return {y: sum((row[y] for row in self.amounts.values()), ZERO) for y in self.years}

    def by_member(self) -> dict[str, Decimal]:
        """Total each member pays over all the years of the schedule."""
        with localcontext(CONTEXT):
            return {iso3: sum(row.values(), ZERO) for iso3, row in self.amounts.items()}

    def total(self) -> Decimal:
        with localcontext(CONTEXT):
            return sum(self.by_year().values(), ZERO)

    def envelope(self) -> dict[int, Decimal]:
        """The budget the fund can spend each year: the portfolio optimiser's budgets."""
        return self.by_year()


def schedule(
    contributors: Sequence[Contributor], rule: FundingRule, *, years: Sequence[int]
) -> ContributionSchedule:
    """Apply ``rule`` to every member for every year in ``years``."""
    _check_inputs(contributors, years)
    with localcontext(CONTEXT):
        notes = _notes(contributors, rule)
        exact = {year: _year_amounts(contributors, rule, year) for year in years}
        amounts = {
            c.iso3: {year: exact[year][i].quantize(CENT, ROUND_HALF_EVEN) for year in years}
            for i, c in enumerate(contributors)
        }
    return ContributionSchedule(rule, tuple(years), amounts, notes)


def _check_inputs(contributors: Sequence[Contributor], years: Sequence[int]) -> None:
    problems = []
    if not contributors:
        problems.append(Problem("no contributors to share the burden", field="contributors"))
    codes = [c.iso3 for c in contributors]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(Problem(f"contributor {code} appears twice", field="contributors"))
    if not years:
        problems.append(Problem("no years to schedule", field="years"))
    if len(set(years)) != len(years):
        problems.append(Problem("a year appears twice", field="years"))
    if problems:
        raise InvalidInput("cannot schedule contributions", problems)


def _notes(contributors: Sequence[Contributor], rule: FundingRule) -> dict[str, str]:
    if rule.kind != FundingKind.DEFENCE_SHARE:
        return {}
    reason = f"no defence figure: pays {(rule.share * 100).normalize():f}% of GDP instead"
    return {c.iso3: reason for c in contributors if c.defence_pct_gdp is None}


def _year_amounts(
    contributors: Sequence[Contributor], rule: FundingRule, year: int
) -> list[Decimal]:
    """Exact amounts for one year: full contribution, grown GDP, ramp, then the cap."""
    fraction = rule.ramp_fraction(year)
    amounts = [_full(c, rule) * _growth(c, rule, year) * fraction for c in contributors]
    if rule.kind != FundingKind.CAPPED_SHARE:
        return amounts
    if rule.cap_usd is not None:
        return cap_amounts(amounts, rule.cap_usd, year=year)
    assert rule.cap_share_of_total is not None
    return cap_amounts(amounts, rule.cap_share_of_total * sum(amounts, ZERO), year=year)


def _full(contributor: Contributor, rule: FundingRule) -> Decimal:
    """A member's full-year contribution at base-year GDP."""
    gdp = contributor.gdp_usd
    pct = contributor.defence_pct_gdp
    if rule.kind == FundingKind.DEFENCE_SHARE and pct is not None:
        assert rule.defence_share is not None
        return gdp * pct / 100 * rule.defence_share
    return gdp * rule.share


def _growth(contributor: Contributor, rule: FundingRule, year: int) -> Decimal:
    """Nominal GDP growth compounded from the member's base year (discounted before it)."""
    return (1 + rule.gdp_growth) ** (year - contributor.year)


def cap_amounts(amounts: Sequence[Decimal], limit: Decimal, *, year: int = 0) -> list[Decimal]:
    """Hold every amount to ``limit`` and share the excess pro rata among the others.

    Water-filling: scale the uncapped amounts up so the total is kept; any that now pass
    the limit are capped too, and the rest scaled again, until none passes. Order is kept
    (who would pay more still pays at least as much). Refused when even capping everyone
    cannot raise the total (a shortfall below 1e-20 of it, from a limit such as 1/3 that
    no decimal holds exactly, is let through).
    """
    with localcontext(CONTEXT):
        return _cap_amounts(amounts, limit, year)


def _cap_amounts(amounts: Sequence[Decimal], limit: Decimal, year: int) -> list[Decimal]:
    total = sum(amounts, ZERO)
    payers = sum(1 for a in amounts if a > 0)
    if limit * payers < total * (1 - TOLERANCE):
        reason = (
            f"a cap of {limit:.2f} on each of {payers} paying members cannot raise "
            f"the total of {total:.2f} in {year}"
        )
        raise InvalidInput("the cap is too tight", [Problem(reason, field="cap_share_of_total")])
    capped: set[int] = set()
    while True:
        scaled = _scale_uncapped(amounts, capped, total - limit * len(capped))
        over = {i for i, a in enumerate(scaled) if i not in capped and a > limit}
        if not over:
            return [limit if i in capped else a for i, a in enumerate(scaled)]
        capped |= over


def _scale_uncapped(amounts: Sequence[Decimal], capped: set[int], free: Decimal) -> list[Decimal]:
    """The uncapped amounts scaled to share ``free`` in proportion to what they were."""
    base = sum((a for i, a in enumerate(amounts) if i not in capped), ZERO)
    if base == 0:
        return [ZERO for _ in amounts]
    return [a * free / base for a in amounts]
