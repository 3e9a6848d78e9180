"""Burden-sharing rules: how much of its economy each member puts into the fund.

A rule is checked once, when it is made, and lists everything wrong with it at once, so
a board paper never carries a rule the engine would later refuse. Shares, caps, ramp
fractions and growth are Decimal: a float such as ``0.1`` is read through ``str`` so it
means one tenth, not the binary number nearest to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType

from pfund.errors import InvalidInput, Problem

__all__ = ["DEFAULT_SHARE", "MAX_SHARE", "FundingKind", "FundingRule"]

DEFAULT_SHARE = Decimal("0.0025")
MAX_SHARE = Decimal("0.05")
ZERO, ONE = Decimal(0), Decimal(1)


class FundingKind(StrEnum):
    """How a member's full-year contribution is worked out."""

    GDP_SHARE = "gdp_share"
    CAPPED_SHARE = "capped_share"
    DEFENCE_SHARE = "defence_share"


def to_decimal(value: object) -> Decimal:
    """Read ints, strings and floats as the decimal they are written as."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class FundingRule:
    """One burden-sharing rule, its phase-in and the growth of GDP from the base year.

    - ``gdp_share``: each member pays ``share`` of its GDP (the proposal: 0.25%).
    - ``capped_share``: as ``gdp_share``, but no member pays more than
      ``cap_share_of_total`` of the year's total (the excess goes pro rata to the others)
      or more than ``cap_usd``.
    - ``defence_share``: each member pays ``defence_share`` of its defence spending;
      a member without a defence figure pays ``share`` of its GDP instead.

    ``ramp`` maps a year to the fraction of the full contribution paid that year: before
    the first ramp year nothing, between ramp years the last fraction set, after the last
    ramp year everything. No ramp means full contributions every year.
    """

    kind: str = FundingKind.GDP_SHARE
    share: Decimal = DEFAULT_SHARE
    cap_share_of_total: Decimal | None = None
    cap_usd: Decimal | None = None
    defence_share: Decimal | None = None
    ramp: Mapping[int, Decimal] = field(default_factory=dict, hash=False)
    gdp_growth: Decimal = ZERO

    def __post_init__(self) -> None:
        self._normalise()
        problems = rule_problems(self)
        if problems:
            raise InvalidInput("the funding rule cannot be used", problems)
        object.__setattr__(self, "kind", FundingKind(self.kind))

    def _normalise(self) -> None:
        """Turn every number into a Decimal and freeze the ramp in year order."""
        for name in ("share", "gdp_growth", "cap_share_of_total", "cap_usd", "defence_share"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, to_decimal(value))
        ramp = {int(year): to_decimal(f) for year, f in sorted(self.ramp.items())}
        object.__setattr__(self, "ramp", MappingProxyType(ramp))

    def ramp_fraction(self, year: int) -> Decimal:
        """The fraction of the full contribution paid in ``year``."""
        if not self.ramp:
            return ONE
        if year > max(self.ramp):
            return ONE
        earlier = [y for y in self.ramp if y <= year]
        return self.ramp[max(earlier)] if earlier else ZERO


def rule_problems(rule: FundingRule) -> list[Problem]:
    """Everything wrong with a rule, each naming its field and what would be right."""
    return [
        *_kind_problems(rule),
        *_share_problems(rule),
        *_cap_problems(rule),
        *_defence_problems(rule),
        *_ramp_problems(rule.ramp),
        *_growth_problems(rule.gdp_growth),
    ]


def _kind_problems(rule: FundingRule) -> list[Problem]:
    if rule.kind in set(FundingKind):
        return []
    choices = ", ".join(k.value for k in FundingKind)
    return [Problem(f"unknown kind '{rule.kind}'; valid choices: {choices}", field="kind")]


def _share_problems(rule: FundingRule) -> list[Problem]:
    if ZERO < rule.share <= MAX_SHARE:
        return []
    reason = f"share must be above 0 and at most {MAX_SHARE} (5% of GDP), got {rule.share}"
    return [Problem(reason, field="share")]


def _cap_problems(rule: FundingRule) -> list[Problem]:
    caps = {"cap_share_of_total": rule.cap_share_of_total, "cap_usd": rule.cap_usd}
    given = [name for name, value in caps.items() if value is not None]
    if rule.kind != FundingKind.CAPPED_SHARE:
        return [Problem(f"{n} applies only to kind 'capped_share'", field=n) for n in given]
    if len(given) != 1:
        reason = "kind 'capped_share' needs exactly one of cap_share_of_total or cap_usd"
        return [Problem(reason, field="cap_share_of_total")]
    cap = rule.cap_share_of_total
    if cap is not None and not ZERO < cap <= ONE:
        reason = f"cap_share_of_total must be above 0 and at most 1, got {cap}"
        return [Problem(reason, field="cap_share_of_total")]
    if rule.cap_usd is not None and rule.cap_usd <= ZERO:
        return [Problem(f"cap_usd must be above 0, got {rule.cap_usd}", field="cap_usd")]
    return []


def _defence_problems(rule: FundingRule) -> list[Problem]:
    value = rule.defence_share
    if rule.kind != FundingKind.DEFENCE_SHARE:
        if value is None:
            return []
        return [
            Problem("defence_share applies only to kind 'defence_share'", field="defence_share")
        ]
    if value is None or not ZERO < value <= ONE:
        reason = f"defence_share must be above 0 and at most 1 (all of defence), got {value}"
        return [Problem(reason, field="defence_share")]
    return []


def _ramp_problems(ramp: Mapping[int, Decimal]) -> list[Problem]:
    """Fractions lie in [0, 1] and never fall: a fund phases in, it does not phase out."""
    problems = [
        Problem(f"ramp fraction must lie between 0 and 1, got {f}", field=f"ramp[{year}]")
        for year, f in ramp.items()
        if not ZERO <= f <= ONE
    ]
    pairs = list(ramp.items())
    for (y0, f0), (y1, f1) in pairwise(pairs):
        if f1 < f0:
            reason = f"ramp falls from {f0} in {y0} to {f1} in {y1}; it may only rise"
            problems.append(Problem(reason, field=f"ramp[{y1}]"))
    return problems


def _growth_problems(growth: Decimal) -> list[Problem]:
    if -ONE < growth <= ONE:
        return []
    reason = f"gdp_growth is a yearly rate above -1 and at most 1 (100%), got {growth}"
    return [Problem(reason, field="gdp_growth")]
