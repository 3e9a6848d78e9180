"""The tally: seats, votes and the committee's rule give a decision and its reasons.

Convention, stated once. Each side counts its *eligible* body: active seats (a suspended
or recused seat is outside it for the item). Donor seats count their weight (what their
state has paid in); Russian seats count one each. *Present* is whoever voted yes, no or
abstain. Quorum on a side: present / eligible >= the rule's share. Majority on a side:
yes / counted > the threshold, where counted is yes + no (abstentions excluded) or yes +
no + abstain (abstentions against). Shares are exact fractions, never floats, so a tie
at one half is a tie. A side with no eligible seat cannot approve anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from pfund.domain.governance import (
    Abstentions,
    CommitteeRule,
    Majority,
    SeatStanding,
    SeatVote,
    Side,
    Vote,
)


class Outcome(StrEnum):
    PASSED = "passed"
    NO_QUORUM = "no_quorum"
    NO_MAJORITY = "no_majority"
    VETOED = "vetoed"
    NO_ELIGIBLE_SEATS = "no_eligible_seats"


class SideCount(BaseModel):
    """What one side (or, under a seats majority, the whole committee) brought."""

    model_config = ConfigDict(frozen=True)

    side: str
    eligible: Decimal
    present: Decimal
    yes: Decimal
    no: Decimal
    abstain: Decimal
    quorum_met: bool
    majority_met: bool


class Tally(BaseModel):
    """The decision, the counts it rests on, and why, in words."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    outcome: Outcome
    reasons: list[str]
    sides: list[SideCount]
    vetoed_by: list[str]
    rule: CommitteeRule


def _weight(seat: SeatVote, *, weighted: bool) -> Decimal:
    return seat.weight if weighted else Decimal(1)


def _sum(seats: Sequence[SeatVote], *, weighted: bool) -> Decimal:
    return sum((_weight(s, weighted=weighted) for s in seats), Decimal(0))


def _share(part: Decimal, whole: Decimal) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def _count(
    name: str, seats: Sequence[SeatVote], rule: CommitteeRule, quorum: Decimal, *, weighted: bool
) -> SideCount:
    """One side's eligible body, attendance and votes, and whether it meets the rule."""
    eligible = [s for s in seats if s.standing is SeatStanding.ACTIVE]
    total = _sum(eligible, weighted=weighted)
    by_vote = {v: _sum([s for s in eligible if s.vote is v], weighted=weighted) for v in Vote}
    present = sum(by_vote.values(), Decimal(0))
    counted = by_vote[Vote.YES] + by_vote[Vote.NO]
    if rule.abstentions is Abstentions.AGAINST:
        counted += by_vote[Vote.ABSTAIN]
    return SideCount(
        side=name,
        eligible=total,
        present=present,
        yes=by_vote[Vote.YES],
        no=by_vote[Vote.NO],
        abstain=by_vote[Vote.ABSTAIN],
        quorum_met=total > 0 and _share(present, total) >= Fraction(quorum),
        majority_met=counted > 0 and _share(by_vote[Vote.YES], counted) > Fraction(rule.threshold),
    )


def _sides(seats: Sequence[SeatVote], rule: CommitteeRule) -> list[SideCount]:
    donors = [s for s in seats if s.side is Side.DONOR]
    russians = [s for s in seats if s.side is Side.RUSSIAN]
    q = rule.quorum
    counts = [
        _count("donor", donors, rule, q.donor_weight, weighted=True),
        _count("russian", russians, rule, q.russian_seats, weighted=False),
    ]
    if rule.majority is Majority.SEATS:
        counts.append(_count("all", seats, rule, Decimal(0), weighted=False))
    return counts


def _deciding(counts: list[SideCount], rule: CommitteeRule) -> list[SideCount]:
    """The counts whose majority decides under the rule."""
    by_name = {c.side: c for c in counts}
    if rule.majority is Majority.DOUBLE:
        return [by_name["donor"], by_name["russian"]]
    if rule.majority is Majority.DONOR:
        return [by_name["donor"]]
    return [by_name["all"]]


Say = Callable[[Decimal], str]  # how a donor weight is written in the reasons


def _words(count: SideCount, rule: CommitteeRule, say: Say) -> list[str]:
    unit = "weight" if count.side == "donor" else "seats"
    quorum = rule.quorum.donor_weight if count.side == "donor" else rule.quorum.russian_seats
    n = say if count.side == "donor" else _n
    said = []
    if count.side != "all" and not count.quorum_met:
        said.append(
            f"{count.side} quorum not met: {n(count.present)} of {n(count.eligible)} "
            f"{unit} took part, {_pct(quorum)} needed"
        )
    return said


def tally(
    seats: Sequence[SeatVote], rule: CommitteeRule, *, weight_words: Say | None = None
) -> Tally:
    """Apply ``rule`` to the seats and their votes; see the module doc for the counts.

    ``weight_words`` writes a donor weight in the reasons (the service names the fund's
    currency: "USD 79,542,540,041.76"); by default a bare number with separators."""
    labels = [s.label for s in seats]
    if len(set(labels)) != len(labels):
        raise ValueError("each seat may appear only once in a tally")
    counts = _sides(seats, rule)
    vetoed_by = [
        s.label
        for s in seats
        if s.label in rule.veto and s.vote is Vote.NO and s.standing is SeatStanding.ACTIVE
    ]
    outcome, reasons = _judge(counts, rule, vetoed_by, weight_words or _n)
    return Tally(
        passed=outcome is Outcome.PASSED,
        outcome=outcome,
        reasons=reasons,
        sides=counts,
        vetoed_by=vetoed_by,
        rule=rule,
    )


def _judge(
    counts: list[SideCount], rule: CommitteeRule, vetoed_by: list[str], say: Say
) -> tuple[Outcome, list[str]]:
    sides = [c for c in counts if c.side != "all"]
    empty = [c.side for c in sides if c.eligible == 0]
    if empty:
        return Outcome.NO_ELIGIBLE_SEATS, [f"no eligible {side} seat" for side in empty]
    missing = [w for c in sides for w in _words(c, rule, say)]
    if missing:
        return Outcome.NO_QUORUM, missing
    if vetoed_by:
        return Outcome.VETOED, [f"vetoed by {label}" for label in vetoed_by]
    short = [c for c in _deciding(counts, rule) if not c.majority_met]
    if short:
        return Outcome.NO_MAJORITY, [_short(c, rule, say) for c in short]
    return Outcome.PASSED, [_carried(c, rule, say) for c in _deciding(counts, rule)]


def _against(count: SideCount, rule: CommitteeRule) -> Decimal:
    extra = count.abstain if rule.abstentions is Abstentions.AGAINST else Decimal(0)
    return count.no + extra


def _short(count: SideCount, rule: CommitteeRule, say: Say) -> str:
    n = say if count.side == "donor" else _n
    return (
        f"no {count.side} majority: {n(count.yes)} for, {n(_against(count, rule))} against "
        f"(more than {_pct(rule.threshold)} needed; abstentions {rule.abstentions.value})"
    )


def _carried(count: SideCount, rule: CommitteeRule, say: Say) -> str:
    n = say if count.side == "donor" else _n
    return (
        f"{count.side} majority: {n(count.yes)} for, {n(_against(count, rule))} against "
        f"(more than {_pct(rule.threshold)} needed)"
    )


def _n(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _pct(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"
