"""The double-majority rule on worked examples, each written out by hand.

The committee of every example: three donor seats weighted by what their state paid in
(DEU 50, FRA 30, POL 20: 100 in all) and four Russian seats (R1..R4), one each.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from pfund.domain.governance import (
    Abstentions,
    CommitteeRule,
    Majority,
    Quorum,
    SeatStanding,
    SeatVote,
    Side,
    Vote,
)
from pfund.governance import Outcome, SideCount, Tally, tally

Y, N, A = Vote.YES, Vote.NO, Vote.ABSTAIN
DONORS = {"DEU": 50, "FRA": 30, "POL": 20}
RUSSIANS = ["R1", "R2", "R3", "R4"]


def committee(
    votes: Mapping[str, Vote | None], standing: dict[str, SeatStanding] | None = None
) -> list[SeatVote]:
    standing = standing or {}
    seats = [
        SeatVote(
            label=k,
            side=Side.DONOR,
            weight=Decimal(w),
            standing=standing.get(k, "active"),
            vote=votes.get(k),
        )
        for k, w in DONORS.items()
    ]
    seats += [
        SeatVote(label=k, side=Side.RUSSIAN, standing=standing.get(k, "active"), vote=votes.get(k))
        for k in RUSSIANS
    ]
    return seats


def side(result: Tally, name: str) -> SideCount:
    return next(c for c in result.sides if c.side == name)


def test_double_majority_passes_when_both_sides_carry_it() -> None:
    # Donors: DEU 50 + POL 20 = 70 for, FRA 30 against: 70/100 > 1/2.
    # Russians: R1, R2, R3 for, R4 against: 3/4 > 1/2. Both carry: passed.
    result = tally(
        committee({"DEU": Y, "FRA": N, "POL": Y, "R1": Y, "R2": Y, "R3": Y, "R4": N}),
        CommitteeRule(),
    )
    assert result.passed and result.outcome is Outcome.PASSED
    assert (side(result, "donor").yes, side(result, "donor").no) == (Decimal(70), Decimal(30))
    assert (side(result, "russian").yes, side(result, "russian").no) == (Decimal(3), Decimal(1))


def test_fails_when_the_russian_seats_are_against_whatever_the_donor_weight() -> None:
    # Donors unanimous (100 of 100), Russians 1 for, 3 against: 1/4 is no majority.
    result = tally(
        committee({"DEU": Y, "FRA": Y, "POL": Y, "R1": Y, "R2": N, "R3": N, "R4": N}),
        CommitteeRule(),
    )
    assert not result.passed and result.outcome is Outcome.NO_MAJORITY
    assert result.reasons == [
        "no russian majority: 1 for, 3 against (more than 50% needed; abstentions exclude)"
    ]


def test_fails_when_the_donor_weight_is_against_though_most_donor_seats_are_for() -> None:
    # Two donor seats of three are for (FRA 30 + POL 20 = 50) but DEU's 50 is against:
    # 50/100 is not more than one half. Russians 4 of 4 for. Weight, not seats, decides.
    result = tally(
        committee({"DEU": N, "FRA": Y, "POL": Y, "R1": Y, "R2": Y, "R3": Y, "R4": Y}),
        CommitteeRule(),
    )
    assert result.outcome is Outcome.NO_MAJORITY
    assert result.reasons == [
        "no donor majority: 50 for, 50 against (more than 50% needed; abstentions exclude)"
    ]


def test_a_tie_on_the_russian_side_is_no_majority() -> None:
    result = tally(
        committee({"DEU": Y, "FRA": Y, "POL": Y, "R1": Y, "R2": Y, "R3": N, "R4": N}),
        CommitteeRule(),
    )
    assert result.outcome is Outcome.NO_MAJORITY  # 2/4 is not more than 1/2


def test_quorum_missing_on_the_donor_side() -> None:
    # Only POL (20 of 100) takes part: 20% < the 50% donor quorum, though all it cast is yes.
    result = tally(committee({"POL": Y, "R1": Y, "R2": Y, "R3": Y}), CommitteeRule())
    assert result.outcome is Outcome.NO_QUORUM
    assert result.reasons == ["donor quorum not met: 20 of 100 weight took part, 50% needed"]


def test_quorum_missing_on_the_russian_side() -> None:
    # One Russian seat of four takes part: 1/4 < 1/2.
    result = tally(committee({"DEU": Y, "FRA": Y, "R1": Y}), CommitteeRule())
    assert result.outcome is Outcome.NO_QUORUM
    assert result.reasons == ["russian quorum not met: 1 of 4 seats took part, 50% needed"]


def test_abstentions_count_towards_quorum_and_are_excluded_from_the_majority() -> None:
    # Russians: R1 for, R2 and R3 abstain, R4 absent. Present 3/4 (quorum met);
    # counted 1 yes of 1 cast: carried. Donors: DEU for, FRA abstains: 50/50 counted.
    result = tally(committee({"DEU": Y, "FRA": A, "R1": Y, "R2": A, "R3": A}), CommitteeRule())
    assert result.passed
    assert side(result, "russian").present == 3
    assert side(result, "donor").abstain == 30


def test_abstentions_as_against_turn_the_same_votes_into_a_failure() -> None:
    # Same votes; abstentions against. Donors: 50 for, 30 against: 50/80 still carries.
    # Russians: 1 for, 2 against: 1/3 is no majority.
    rule = CommitteeRule(abstentions=Abstentions.AGAINST)
    result = tally(committee({"DEU": Y, "FRA": A, "R1": Y, "R2": A, "R3": A}), rule)
    assert result.outcome is Outcome.NO_MAJORITY
    assert result.reasons == [
        "no russian majority: 1 for, 2 against (more than 50% needed; abstentions against)"
    ]


def test_a_veto_seat_voting_no_defeats_an_item_both_sides_carry() -> None:
    # Carried on both sides (donors 70/100, Russians 3/4), but R4 holds a veto and says no.
    rule = CommitteeRule(veto=["R4"])
    result = tally(
        committee({"DEU": Y, "FRA": N, "POL": Y, "R1": Y, "R2": Y, "R3": Y, "R4": N}), rule
    )
    assert result.outcome is Outcome.VETOED
    assert result.vetoed_by == ["R4"] and result.reasons == ["vetoed by R4"]


def test_a_veto_seat_abstaining_does_not_veto() -> None:
    rule = CommitteeRule(veto=["R4"])
    result = tally(committee({"DEU": Y, "FRA": Y, "R1": Y, "R2": Y, "R4": A}), rule)
    assert result.passed


def test_suspended_and_recused_seats_leave_the_eligible_body() -> None:
    # R3 suspended (vetting lapsed), R4 recused: the Russian body is R1, R2. R1 for alone:
    # present 1/2 meets the quorum and 1/1 carries.
    standing = {"R3": SeatStanding.SUSPENDED, "R4": SeatStanding.RECUSED}
    result = tally(committee({"DEU": Y, "FRA": Y, "R1": Y}, standing), CommitteeRule())
    assert result.passed
    assert side(result, "russian").eligible == 2


def test_a_side_with_no_eligible_seat_approves_nothing() -> None:
    standing = dict.fromkeys(RUSSIANS, SeatStanding.SUSPENDED)
    result = tally(committee({"DEU": Y, "FRA": Y, "POL": Y}, standing), CommitteeRule())
    assert result.outcome is Outcome.NO_ELIGIBLE_SEATS
    assert result.reasons == ["no eligible russian seat"]


def test_a_donor_majority_rule_lets_donor_weight_alone_decide() -> None:
    rule = CommitteeRule(majority=Majority.DONOR, quorum=Quorum(russian_seats=Decimal(0)))
    result = tally(committee({"DEU": Y, "FRA": Y, "R1": N, "R2": N}), rule)
    assert result.passed  # donors 80/80; the Russian "no" advises


def test_a_two_thirds_threshold() -> None:
    # Threshold 0.6667. Donors 70/100 = 0.7 carry it; Russians 3 of 4 = 0.75 carry it.
    rule = CommitteeRule(threshold=Decimal("0.6667"))
    votes = {"DEU": Y, "FRA": N, "POL": Y, "R1": Y, "R2": Y, "R3": Y, "R4": N}
    assert tally(committee(votes), rule).passed
    # R3 against, R4 absent: Russians 2 of 3 = 0.66666... which is not above 0.6667.
    result = tally(committee({**votes, "R3": N, "R4": None}), rule)
    assert result.outcome is Outcome.NO_MAJORITY
    assert result.reasons[0].startswith("no russian majority: 2 for, 1 against")


def test_a_suspended_seat_cannot_carry_a_vote() -> None:
    with pytest.raises(ValueError, match="suspended: it cannot vote"):
        SeatVote(label="R1", side=Side.RUSSIAN, standing=SeatStanding.SUSPENDED, vote=Y)


def test_a_seat_counted_twice_is_refused() -> None:
    seat = SeatVote(label="R1", side=Side.RUSSIAN, vote=Y)
    with pytest.raises(ValueError, match="only once"):
        tally([seat, seat], CommitteeRule())
