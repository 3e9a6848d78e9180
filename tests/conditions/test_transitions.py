"""The verification protocol's status table, and changes as checked values."""

from __future__ import annotations

from datetime import date

import pytest

from pfund.conditions import (
    ALLOWED_TRANSITIONS,
    ConditionChange,
    apply_change,
    check_history,
    check_transition,
    registered_verifier,
)
from pfund.domain import Condition, ConditionStatus, VerificationProtocol
from pfund.domain.fund import Verifier
from pfund.errors import InvalidInput

S = ConditionStatus
ALLOWED = [
    (S.NOT_MET, S.PARTLY_MET),
    (S.NOT_MET, S.MET),
    (S.PARTLY_MET, S.MET),
    (S.PARTLY_MET, S.NOT_MET),
    (S.MET, S.REVERSED),
    (S.REVERSED, S.PARTLY_MET),
    (S.REVERSED, S.MET),
    (S.REVERSED, S.NOT_MET),
]
ALL_PAIRS = [(a, b) for a in S for b in S]


def test_table_holds_exactly_the_protocol_moves() -> None:
    table = {(a, b) for a, nexts in ALLOWED_TRANSITIONS.items() for b in nexts}
    assert table == set(ALLOWED)


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_every_allowed_move_passes(old: ConditionStatus, new: ConditionStatus) -> None:
    check_transition("ceasefire_holding", old, new)


@pytest.mark.parametrize(("old", "new"), [p for p in ALL_PAIRS if p not in ALLOWED])
def test_every_other_move_is_refused(old: ConditionStatus, new: ConditionStatus) -> None:
    with pytest.raises(InvalidInput):
        check_transition("ceasefire_holding", old, new)


def test_refusal_names_the_condition_and_lists_allowed_next_statuses() -> None:
    with pytest.raises(InvalidInput) as info:
        check_transition("free_elections", S.MET, S.NOT_MET)
    text = str(info.value)
    assert "free_elections" in text
    assert "allowed next statuses: reversed" in text
    with pytest.raises(InvalidInput) as again:
        check_transition("free_elections", S.REVERSED, S.REVERSED)
    assert "allowed next statuses: partly_met, met, not_met" in str(again.value)
    assert "already" in str(again.value)


def _change(**kw: object) -> ConditionChange:
    data: dict[str, object] = {
        "code": "ceasefire_holding",
        "old": "not_met",
        "new": "met",
        "evidence": "OSCE report 12/2027",
        "verifier": "OSCE SMM",
        "on": date(2027, 3, 1),
    }
    return ConditionChange.model_validate({**data, **kw})


def test_change_requires_evidence_and_verifier_and_an_allowed_move() -> None:
    with pytest.raises(InvalidInput) as info:
        _change(evidence=" ", verifier="", new="reversed")
    fields = {p.field for p in info.value.problems}
    assert fields == {"evidence", "verifier", "status"}


def _condition(status: ConditionStatus, since: date | None) -> Condition:
    protocol = VerificationProtocol(verifier="OSCE", evidence="reports")
    return Condition(
        code="ceasefire_holding",
        title="Ceasefire holding",
        definition="holds",
        protocol=protocol,
        status=status,
        status_since=since,
    )


def test_apply_change_moves_status_and_date() -> None:
    after = apply_change(_condition(S.NOT_MET, date(2026, 1, 1)), _change(), today=TODAY)
    assert after.status is S.MET
    assert after.status_since == date(2027, 3, 1)


def test_apply_change_refuses_wrong_start_and_backdating() -> None:
    with pytest.raises(InvalidInput) as info:
        apply_change(_condition(S.PARTLY_MET, date(2027, 6, 1)), _change(), today=TODAY)
    assert {p.field for p in info.value.problems} == {"old", "on"}


TODAY = date(2027, 5, 1)


def test_apply_change_refuses_a_date_after_today_and_takes_today_itself() -> None:
    condition = _condition(S.NOT_MET, date(2026, 1, 1))
    with pytest.raises(InvalidInput) as info:
        apply_change(condition, _change(on=date(2027, 5, 2)), today=TODAY)
    (problem,) = info.value.problems
    assert problem.field == "on" and "after today (2027-05-01)" in problem.reason
    assert apply_change(condition, _change(on=TODAY), today=TODAY).status_since == TODAY


@pytest.mark.parametrize("evidence", ["x", "ok", "report", "see the file", "a" * 40])
def test_evidence_must_be_a_meaningful_text(evidence: str) -> None:
    with pytest.raises(InvalidInput) as info:
        _change(evidence=evidence)
    assert [p.field for p in info.value.problems] == ["evidence"]


@pytest.mark.parametrize(
    "evidence", ["OSCE monitoring report of 12 March", "https://www.osce.org/smm/reports/12"]
)
def test_evidence_may_be_a_text_or_a_link(evidence: str) -> None:
    assert _change(evidence=evidence).evidence == evidence


VERIFIERS = [
    Verifier(code="osce_monitoring", name="OSCE monitoring mission", name_ru="Миссия ОБСЕ"),
    Verifier(code="nato", name="NATO", name_ru="НАТО"),
]


@pytest.mark.parametrize("given", ["osce_monitoring", "OSCE Monitoring  mission", "миссия обсе"])
def test_a_registered_verifier_is_found_by_code_or_either_name(given: str) -> None:
    assert registered_verifier(given, VERIFIERS).code == "osce_monitoring"


def test_an_unregistered_verifier_is_refused_listing_the_registered_ones() -> None:
    with pytest.raises(InvalidInput) as info:
        registered_verifier("my cousin", VERIFIERS)
    (problem,) = info.value.problems
    assert problem.field == "verifier"
    assert "'my cousin' is not a registered verifier" in problem.reason
    assert "osce_monitoring (OSCE monitoring mission); nato (NATO)" in problem.reason
    with pytest.raises(InvalidInput, match="no registered verifiers"):
        registered_verifier("nato", [])


def test_history_must_chain_and_never_go_back_in_time() -> None:
    first = _change()
    good = _change(old="met", new="reversed", on=date(2027, 9, 1))
    check_history([first, good])
    late = _change(old="partly_met", new="met", on=date(2027, 1, 1))
    with pytest.raises(InvalidInput) as info:
        check_history([first, late])
    assert {p.field for p in info.value.problems} == {"old", "on"}
