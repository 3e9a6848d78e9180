"""The one money gate: each reason alone holds a release, names itself, and moves nothing;
conditions need registered verifiers, real evidence and no future date; frozen money
comes back only by an explicit, audited unfreeze once the condition holds again."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.cli.refusals import refusal_lines
from pfund.domain import Organisation, Tranche, TrancheStatus
from pfund.domain.enums import VettingCriterion
from pfund.errors import Conflict, InvalidInput
from pfund.funding import commit
from pfund.services.audit import AuditWriter, verify
from pfund.services.conditions import set_condition
from pfund.services.funding import ledger_view, post_entries, record_contributions
from pfund.services.runtime import Runtime
from pfund.services.screening import load_watchlist
from pfund.services.tranches import disburse_tranche, list_tranches, release_tranche
from pfund.services.unfreeze import unfreeze_tranche
from pfund.store.repositories import table_counts
from pfund.web.i18n import Formatter
from tests.factories import make_democratic_forces, make_organisation, make_project

SetToday = Callable[[date], None]
DAY = date(2027, 2, 1)  # in the tranche's year, inside ORG-D01's approval
OSCE = {"evidence": "OSCE monitoring report 3/2027", "verifier": "osce_monitoring"}
TRANCHE = "GATE-01-2027"
AMOUNT = Decimal("1000.00")


def _half_vetted() -> Organisation:
    """A group with three criteria met, two never judged, and no approval: the finding."""
    full = make_democratic_forces("ORG-D02")
    assert full.vetting is not None
    judged = list(full.vetting.items)[:3]
    vetting = full.vetting.model_copy(
        update={"items": judged, "approved_on": None, "valid_until": None}
    )
    return full.model_copy(update={"vetting": vetting})


def _setup(rt: Runtime, today: SetToday, partners: list[str]) -> Runtime:
    today(DAY)
    record_contributions(rt, year=2023, received=True)
    project = make_project(
        "GATE-01",
        area="health",
        regions=["RU-MOW"],
        proponent="ORG-G01",
        partners=partners,
        contacts=[],
        stage=1,
    )
    tranche = Tranche(id=TRANCHE, project_id="GATE-01", year=2027, amount=AMOUNT, stage=1)
    with rt.uow() as uow:
        uow.organisations.add_many(
            [
                make_organisation("ORG-G01", name="Kama Riverkeepers Trust"),
                make_democratic_forces("ORG-D01"),
                _half_vetted(),
            ]
        )
        uow.projects.add(project)
        uow.tranches.add_many([tranche])
        entry = commit(datetime.now(UTC), AMOUNT, project_id="GATE-01", tranche_id=TRANCHE)
        post_entries(uow, AuditWriter(uow, rt.actor), [entry])
        uow.commit()
    return rt


@pytest.fixture
def gated(rt: Runtime, today: SetToday) -> Runtime:
    """A stage-1 tranche of 2027 to a vetted group's project, before the ceasefire holds."""
    return _setup(rt, today, ["ORG-D01"])


def _meet(rt: Runtime, on: date = date(2027, 1, 15)) -> None:
    set_condition(rt, "ceasefire_holding", "met", on=on, **OSCE)


def _hit_on(rt: Runtime, name: str, tmp_path: Path) -> None:
    row = {"id": "x-1", "schema": "Organization", "properties": {"name": [name]}}
    file = tmp_path / "list.ftm.json"
    file.write_text(json.dumps(row) + "\n", encoding="utf-8")
    load_watchlist(rt, file)


def _counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def _refusal(rt: Runtime, step: Callable[[Runtime, str], object] = release_tranche) -> Conflict:
    before = _counts(rt)
    with pytest.raises(Conflict) as refused:
        step(rt, TRANCHE)
    assert _counts(rt) == before
    return refused.value


def test_all_clear_the_tranche_is_released_and_paid(gated: Runtime) -> None:
    _meet(gated)
    assert release_tranche(gated, TRANCHE).status == "released"
    assert disburse_tranche(gated, TRANCHE).status == "disbursed"


@pytest.mark.parametrize("reason", ["conditions", "screening", "vetting", "year"])
def test_each_reason_alone_holds_the_release_and_is_named(
    rt: Runtime, today: SetToday, tmp_path: Path, reason: str
) -> None:
    gated = _setup(rt, today, ["ORG-D01", "ORG-D02"] if reason == "vetting" else ["ORG-D01"])
    if reason != "conditions":
        _meet(gated)
    if reason == "screening":
        _hit_on(gated, "Kama Riverkeepers Trust", tmp_path)
    if reason == "year":
        today(date(2026, 12, 5))
    refusal = _refusal(gated)
    assert [p.field for p in refusal.problems] == [reason]
    expected = {
        "conditions": "condition ceasefire_holding is not met; stage 1 needs it",
        "screening": "on organisation ORG-G01 of organisation ORG-G01",
        "vetting": "ORG-D02 (democratic forces): vetting not approved: 2 of 5 criteria never "
        "judged (rejects_neo_imperialism, works_for_democratic_change)",
        "year": "is money for 2027 and may be released from 2027-01-01",
    }[reason]
    assert expected in refusal.problems[0].reason
    assert refusal.message.startswith(f"tranche {TRANCHE} cannot be released: ")
    # The gate's words fit every channel: what is missing, as data, and no command...
    problem = refusal.problems[0]
    assert "pfund " not in problem.reason and "--" not in problem.reason
    codes = {"screening": "screening_hit", "vetting": "vetting_not_approved"}
    assert problem.code == codes.get(reason, {"year": "year_not_begun"}.get(reason))
    # ...and the command line adds the command that clears it.
    command = {
        "screening": "(review it with 'pfund screen review')",
        "vetting": "(vet it with 'pfund organisations vet ORG-D02')",
        "year": f"('pfund tranches release {TRANCHE} --early --reason TEXT')",
    }
    _, lines = refusal_lines(refusal)
    assert reason == "conditions" or lines[0].endswith(command[reason])


def test_every_reason_at_once_is_named_without_a_protected_name(
    rt: Runtime, today: SetToday, tmp_path: Path
) -> None:
    gated = _setup(rt, today, ["ORG-D01", "ORG-D02"])
    _hit_on(gated, "Kama Riverkeepers Trust", tmp_path)
    today(date(2026, 12, 5))
    refusal = _refusal(gated)
    assert [p.field for p in refusal.problems] == ["conditions", "screening", "vetting", "year"]
    text = str(refusal)
    assert "Organisation ORG-D02" not in text and "reviewer-7" not in text


def test_a_payment_is_refused_when_vetting_lapsed_after_the_release(
    gated: Runtime, today: SetToday
) -> None:
    _meet(gated)
    release_tranche(gated, TRANCHE)
    today(date(2027, 4, 2))  # ORG-D01's approval ran until 2027-04-01
    refusal = _refusal(gated, disburse_tranche)
    assert refusal.message.startswith(f"tranche {TRANCHE} cannot be paid: vetting of ORG-D01")
    assert "approval lapsed on 2027-04-01" in refusal.problems[0].reason
    assert {t.id: t.status for t in list_tranches(gated)}[TRANCHE] is TrancheStatus.RELEASED


def test_a_payment_is_refused_when_a_criterion_is_judged_unmet_after_release(
    gated: Runtime,
) -> None:
    from pfund.services.vetting import set_criterion

    _meet(gated)
    release_tranche(gated, TRANCHE)
    set_criterion(
        gated,
        "ORG-D01",
        VettingCriterion.REJECTS_NEO_IMPERIALISM.value,
        met=False,
        evidence="speech of 20 January",
        reviewer="reviewer-9",
        on=date(2027, 1, 20),
    )
    refusal = _refusal(gated, disburse_tranche)
    assert "judged not met (rejects_neo_imperialism)" in refusal.problems[0].reason


def test_an_early_release_needs_early_and_a_reason_and_is_audited(
    gated: Runtime, today: SetToday
) -> None:
    _meet(gated)
    today(date(2026, 12, 5))
    assert _refusal(gated).problems[0].field == "year"
    with pytest.raises(InvalidInput, match="needs its reason"):
        release_tranche(gated, TRANCHE, early=True)
    with pytest.raises(InvalidInput, match="no early release asked"):
        release_tranche(gated, TRANCHE, reason="board decision of 1 December")
    step = release_tranche(gated, TRANCHE, early=True, reason="board decision of 1 December")
    assert step.status == "released"
    with gated.uow() as uow:
        (event,) = [e for e in uow.audit.list(record_id=TRANCHE) if e.action == "tranche.released"]
        assert event.details["early"] == "yes"
        assert event.details["early_reason"] == "board decision of 1 December"
        assert verify(uow).intact


def test_condition_evidence_cannot_be_dated_after_today(gated: Runtime) -> None:
    before = _counts(gated)
    with pytest.raises(InvalidInput) as refused:
        _meet(gated, on=date(2027, 2, 2))
    assert refused.value.problems[0].field == "on"
    assert "after today (2027-02-01)" in str(refused.value)
    assert _counts(gated) == before
    _meet(gated, on=DAY)  # today itself is fine
    # the finding's second half: a reversal dated today after a met dated today is accepted
    set_condition(gated, "ceasefire_holding", "reversed", on=DAY, **OSCE)


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("verifier", {"verifier": "OSCE SMM"}),
        ("verifier", {"verifier": "my cousin"}),
        ("evidence", {"evidence": "ok"}),
        ("evidence", {"evidence": "see report"}),
    ],
)
def test_an_unregistered_verifier_or_empty_evidence_is_refused(
    gated: Runtime, field: str, change: dict[str, str]
) -> None:
    before = _counts(gated)
    with pytest.raises(InvalidInput) as refused:
        set_condition(gated, "ceasefire_holding", "met", on=DAY, **(OSCE | change))
    assert [p.field for p in refused.value.problems] == [field]
    if field == "verifier":
        assert "registered: osce_monitoring (OSCE monitoring mission" in str(refused.value)
    assert _counts(gated) == before


def test_a_verifier_may_be_named_in_russian_and_is_stored_by_code(gated: Runtime) -> None:
    change = OSCE | {"verifier": "Правительство Украины", "evidence": "https://gov.ua/news/1"}
    set_condition(gated, "ceasefire_holding", "met", on=DAY, **change)
    with gated.uow() as uow:
        assert uow.conditions.history("ceasefire_holding")[-1].verifier == "government_of_ukraine"


def _status(rt: Runtime) -> TrancheStatus:
    return {t.id: t.status for t in list_tranches(rt)}[TRANCHE]


@pytest.mark.parametrize("released", [True, False])
def test_unfreeze_waits_for_the_condition_then_returns_the_money_where_it_was(
    gated: Runtime, today: SetToday, released: bool
) -> None:
    _meet(gated)
    if released:
        release_tranche(gated, TRANCHE)
    today(date(2027, 3, 1))
    set_condition(gated, "ceasefire_holding", "reversed", on=date(2027, 3, 1), **OSCE)
    assert _status(gated) is TrancheStatus.FROZEN
    refusal = _refusal(gated, lambda rt, t: unfreeze_tranche(rt, t, "ceasefire back"))
    assert refusal.message == (
        f"tranche {TRANCHE} cannot be unfrozen: condition ceasefire_holding is reversed"
    )
    with pytest.raises(InvalidInput, match="needs its reason"):
        unfreeze_tranche(gated, TRANCHE, "ok")
    today(date(2027, 3, 20))
    set_condition(gated, "ceasefire_holding", "met", on=date(2027, 3, 20), **OSCE)
    assert _status(gated) is TrancheStatus.FROZEN  # never by itself
    step = unfreeze_tranche(gated, TRANCHE, "ceasefire holds again, OSCE report 5")
    back = TrancheStatus.RELEASED if released else TrancheStatus.PLANNED
    assert (step.status, step.amount) == (back.value, AMOUNT)
    assert _status(gated) is back
    view = ledger_view(gated)
    assert view.invariants == []
    assert view.balances["frozen"] == 0
    assert view.balances["released" if released else "committed"] == AMOUNT
    with gated.uow() as uow:
        events = uow.audit.list(record_id=TRANCHE)
        assert events[-1].action == "tranche.unfrozen"
        assert events[-1].details["reason"] == "ceasefire holds again, OSCE report 5"
        assert verify(uow).intact
    with pytest.raises(Conflict, match="not frozen"):
        unfreeze_tranche(gated, TRANCHE, "a second time, by mistake")
    paid = disburse_tranche if released else release_tranche
    assert paid(gated, TRANCHE).status == ("disbursed" if released else "released")


def test_the_public_conditions_page_shows_frozen_and_unfrozen_money(
    gated: Runtime, today: SetToday, database_url: str
) -> None:
    from pfund.api import create_app
    from pfund.settings import Settings

    second = Tranche(id="GATE-01-2028", project_id="GATE-01", year=2028, amount=Decimal(2500))
    with gated.uow() as uow:
        uow.tranches.add_many([second.model_copy(update={"stage": 1})])
        entry = commit(datetime.now(UTC), second.amount, project_id="GATE-01", tranche_id=second.id)
        post_entries(uow, AuditWriter(uow, gated.actor), [entry])
        uow.commit()
    _meet(gated)
    today(date(2027, 3, 1))
    set_condition(gated, "ceasefire_holding", "reversed", on=date(2027, 3, 1), **OSCE)
    today(date(2027, 3, 2))
    set_condition(gated, "ceasefire_holding", "met", on=date(2027, 3, 2), **OSCE)
    unfreeze_tranche(gated, TRANCHE, "ceasefire holds again, OSCE report 5")
    app = create_app(Settings(database_url=database_url), runtime=gated)
    with TestClient(app) as client:
        for lang, title in [
            ("en", "Frozen and unfrozen money"),
            ("ru", "Замороженные и размороженные средства"),
        ]:
            page = client.get(f"/conditions?lang={lang}").text
            fmt = Formatter(lang)
            section = page.split(title, 1)[1].split("</section>", 1)[0]
            frozen, unfrozen = section.split("</p>")[:2]
            assert fmt.money(Decimal(2500)) in frozen and fmt.money(AMOUNT) in unfrozen
