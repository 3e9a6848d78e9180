"""The companies' return: tracker lists imported all or nothing, the pipeline one stage at
a time, and ``returning`` held until the company's sanctions-relief phase opens.

Worked example (the sample fund, ``pfund demo``): the Yale-layout list of 2 November 2026
names 28 invented companies; 22 graded A, B or C (withdrawal, suspension, scaling back)
enter the pipeline at ``withdrawn``, 6 graded D or F (buying time, digging in) stand at
``operating``. The KSE-layout list of 30 November adds two companies (one exited, one
exiting: both enter) and says Heron Fertilisers (D on the first list) has exited: it
enters the pipeline, withdrawn on 30 November. So 25 of 30 are in the pipeline. By
sector, 5 of them (finance, information technology, communication) wait for relief
phase 2 (stage 3), the other 20 for phase 1 (stage 2).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pfund.domain.company_return import CompanyReturn, ReturnStage, Tracker
from pfund.domain.enums import ReengagementStatus, RussiaStatus
from pfund.errors import Conflict, InvalidInput
from pfund.services.audit import verify
from pfund.services.company_returns import (
    company_lists,
    company_pipeline,
    import_company_list,
    match_returning,
    move_company,
    returns_by_phase,
    stage_history,
)
from pfund.services.conditions import set_condition
from pfund.services.runtime import Runtime
from pfund.store.repositories.companies import CompanyRepository
from tests.tamper import tamper

DAY = date(2026, 12, 1)
PHASE_ONE = {  # the conditions of stages 1 and 2, each with a verifier it names
    "ceasefire_holding": "osce_monitoring",
    "sovereignty_restored": "government_of_ukraine",
    "sanctions_relief_phase1": "eu_council",
    "arms_control_talks": "nato",
}


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


def _by_id(rt: Runtime) -> dict[str, CompanyReturn]:
    return {line.company.organisation_id: line.company for line in company_pipeline(rt)}


def test_the_sample_lists_map_grades_and_statuses_as_the_worked_example(demo: Runtime) -> None:
    lines = company_pipeline(demo)
    found = {x.company.organisation_id: x.company for x in lines}
    assert len(found) == 30
    inside = [c for c in found.values() if c.stage is not ReturnStage.OPERATING]
    assert len(inside) == 25
    kestrel = found["ORG-0050"]  # Yale grade A, Industrials: phase 1 (stage 2)
    # the later KSE-layout list's word replaces the Yale grade (its tracker has none)
    assert (kestrel.tracker, kestrel.grade, kestrel.tracker_status) == (Tracker.KSE, "", "exited")
    assert kestrel.russia_status is RussiaStatus.WITHDRAWN
    assert found["ORG-0051"].grade == "A" and found["ORG-0051"].tracker_status == "withdrawal"
    assert kestrel.stage is ReturnStage.CONDITIONS_AGREED and kestrel.needs_stage == 2
    assert (kestrel.withdrawn_on, kestrel.in_contact_on, kestrel.conditions_agreed_on) == (
        date(2026, 11, 2),
        date(2026, 11, 10),
        date(2026, 11, 24),
    )
    polar = found["ORG-0054"]  # B, Information Technology: relief phase 2 (stage 3)
    assert polar.needs_stage == 3 and polar.stage is ReturnStage.IN_CONTACT
    assert found["ORG-0060"].stage is ReturnStage.OPERATING  # F, digging in (KSE: staying)
    heron = next(c for c in found.values() if c.listed_name == "Heron Fertilisers ASA")
    assert heron.stage is ReturnStage.WITHDRAWN and heron.withdrawn_on == date(2026, 11, 30)
    assert heron.tracker is Tracker.KSE and heron.russia_status is RussiaStatus.WITHDRAWN
    phases = {p.phase: (p.stage, p.total, p.open) for p in returns_by_phase(demo)}
    assert phases == {1: (2, 20, False), 2: (3, 5, False)}
    lists = company_lists(demo)
    assert [(x.tracker, x.rows, x.as_of) for x in lists] == [
        (Tracker.YALE, 28, date(2026, 11, 2)),
        (Tracker.KSE, 6, date(2026, 11, 30)),
    ]
    assert all(len(x.sha256) == 64 and x.source and x.url.startswith("https://") for x in lists)
    with demo.uow() as uow:
        org = uow.organisations.get("ORG-0050")
    assert org is not None and org.company is not None
    assert org.company.reengagement is ReengagementStatus.COMMITTED  # conditions agreed


def test_a_list_with_unknown_statuses_is_refused_by_row_and_field_and_nothing_stored(
    demo: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "kse.csv"
    path.write_text(
        "Company,Status,Country,Industry\n"
        "Nova Ferries AS,exited,Norway,Industrials\n"
        "Orca Paints AB,left the market,Sweden,Materials\n"
        "Puffin Media Ltd,exiting,United Kingdom,Media\n"
        "Quokka Foods Pty,waiting,Atlantis,Consumer Staples\n",
        encoding="utf-8",
    )
    with demo.uow() as uow:
        before = (len(uow.organisations.list()), len(CompanyRepository(uow.session).lists()))
        events = len(uow.audit.list())
    with pytest.raises(InvalidInput, match="nothing was stored") as refused:
        import_company_list(demo, path, tracker=Tracker.KSE, source="KSE Institute", as_of=DAY)
    where = {(p.file, p.row, p.field) for p in refused.value.problems}
    assert where == {
        ("kse.csv", 3, "status"),
        ("kse.csv", 4, "industry"),
        ("kse.csv", 5, "country"),
    }
    status = next(p for p in refused.value.problems if p.field == "status")
    assert "unknown status 'left the market'" in status.reason and "exited" in status.reason
    with demo.uow() as uow:
        after = (len(uow.organisations.list()), len(CompanyRepository(uow.session).lists()))
        assert len(uow.audit.list()) == events
    assert after == before


def test_a_yale_grade_and_category_that_disagree_are_refused(demo: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "yale.csv"
    path.write_text("Name,Grade,Category\nKestrel Road Systems GmbH,A,Digging In\n")
    with pytest.raises(InvalidInput) as refused:
        import_company_list(demo, path, tracker=Tracker.YALE, source="Yale CELI", as_of=DAY)
    [problem] = refused.value.problems
    assert (problem.row, problem.field) == (2, "category")
    assert "grade A is withdrawn" in problem.reason
    wrong_layout = tmp_path / "kse-as-yale.csv"
    wrong_layout.write_text("Company,Status\nNova Ferries AS,exited\n")
    with pytest.raises(InvalidInput) as header:
        import_company_list(demo, wrong_layout, tracker=Tracker.YALE, source="Yale", as_of=DAY)
    assert {(p.row, p.field) for p in header.value.problems} == {(1, "Name"), (1, "Grade")}


def test_the_same_file_twice_and_a_name_held_by_an_ngo_are_refused(
    demo: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "kse.csv"
    path.write_text("Company,Status,Country\nNova Ferries AS,exited,Norway\n")
    done = import_company_list(demo, path, tracker=Tracker.KSE, source="KSE", as_of=DAY)
    assert done.new_organisations == ["ORG-0080"] and done.in_pipeline == 1
    with pytest.raises(Conflict, match=f"imported already as {done.listing.id}"):
        import_company_list(demo, path, tracker=Tracker.KSE, source="KSE", as_of=DAY)
    with demo.uow() as uow:
        ngo = uow.organisations.get("ORG-0021")
    assert ngo is not None
    clash = tmp_path / "clash.csv"
    clash.write_text(f"Company,Status,Country\n{ngo.name},exited,Norway\n")
    with pytest.raises(InvalidInput) as refused:
        import_company_list(demo, clash, tracker=Tracker.KSE, source="KSE", as_of=DAY)
    assert "a ngo, not a company" in refused.value.problems[0].reason


def test_returning_waits_for_the_relief_phase_then_goes_through(demo: Runtime) -> None:
    with pytest.raises(Conflict, match="sanctions relief phase 1, stage 2") as held:
        move_company(demo, "ORG-0050", "returning", on=DAY)
    assert "sanctions_relief_phase1 (not_met)" in str(held.value)
    assert _by_id(demo)["ORG-0050"].stage is ReturnStage.CONDITIONS_AGREED
    for code, verifier in PHASE_ONE.items():
        set_condition(demo, code, "met", evidence="published act 1/2026", verifier=verifier, on=DAY)
    moved = move_company(demo, "ORG-0050", "returning", on=DAY)
    assert moved.stage is ReturnStage.RETURNING and moved.returning_on == DAY
    back = move_company(demo, "ORG-0050", ReturnStage.RETURNED, on=date(2026, 12, 2))
    assert back.returned_on == date(2026, 12, 2)
    phases = {p.phase: p for p in returns_by_phase(demo)}
    assert phases[1].open and not phases[2].open
    assert phases[1].by_stage["returned"] == 1
    move_company(demo, "ORG-0054", "conditions_agreed", on=DAY)  # Polar Optics: phase 2
    with pytest.raises(Conflict, match="sanctions relief phase 2, stage 3"):
        move_company(demo, "ORG-0054", "returning", on=DAY)
    matched = match_returning(demo, on=DAY, limit=2)
    assert list(matched) == ["ORG-0050"] and len(matched["ORG-0050"]) == 2
    with demo.uow() as uow:
        moves = [e for e in uow.audit.list() if e.action == "company.stage_moved"]
    assert moves[-2].record_id == "ORG-0050" and moves[-2].details["to"] == "returned"


def test_a_move_skips_no_stage_and_keeps_its_dates_in_order(demo: Runtime) -> None:
    with pytest.raises(Conflict, match="its next stage is in_contact"):
        move_company(demo, "ORG-0053", "conditions_agreed", on=DAY)  # withdrawn
    with pytest.raises(Conflict, match="not in the return pipeline"):
        move_company(demo, "ORG-0060", "in_contact", on=DAY)  # digging in
    with pytest.raises(InvalidInput) as no_reason:  # back, but without its reason
        move_company(demo, "ORG-0050", "in_contact", on=DAY)
    assert [p.field for p in no_reason.value.problems] == ["reason"]
    with pytest.raises(InvalidInput) as before:
        move_company(demo, "ORG-0052", "conditions_agreed", on=date(2026, 11, 1))
    assert before.value.problems[0].field == "on"
    with pytest.raises(InvalidInput, match="unknown stage"):
        move_company(demo, "ORG-0052", "gone", on=DAY)


def test_the_move_is_conditional_on_the_stage_read(demo: Runtime) -> None:
    with demo.uow() as uow:
        repo = CompanyRepository(uow.session)
        assert not repo.move(
            "ORG-0052", old=ReturnStage.WITHDRAWN, new=ReturnStage.IN_CONTACT, on=DAY
        )  # it is in contact already: another writer came first


def test_an_edit_behind_pfunds_back_is_named_by_audit_verify(demo: Runtime) -> None:
    def breaks() -> list[tuple[str, str]]:
        with demo.uow() as uow:
            return [(b.table, b.kind) for b in verify(uow).row_breaks]

    assert breaks() == []
    where = "WHERE organisation_id = 'ORG-0053'"
    tamper(demo.engine, f"UPDATE company_returns SET stage = 'returned' {where}")
    assert breaks() == [("company_returns", "changed")]
    tamper(demo.engine, f"UPDATE company_returns SET stage = 'withdrawn' {where}")
    assert breaks() == []
    tamper(demo.engine, "UPDATE company_lists SET rows = 99 WHERE tracker = 'kse'")
    assert breaks() == [("company_lists", "changed")]


def test_a_return_falls_back_with_its_reason_keeping_its_phase_and_history(
    demo: Runtime,
) -> None:
    """Talks broke down: conditions agreed -> in contact -> withdrawn, each with its
    reason; the relief phase and the days of the stages reached stay; the audit log is
    the history; a move back to a day before the present stage is refused."""
    was = _by_id(demo)["ORG-0050"]
    assert was.stage is ReturnStage.CONDITIONS_AGREED
    with pytest.raises(InvalidInput) as early:
        move_company(demo, "ORG-0050", "in_contact", on=date(2000, 1, 1), reason="Talks broke down")
    assert [p.field for p in early.value.problems] == ["on"]
    with pytest.raises(Conflict, match="not in the return pipeline"):
        move_company(demo, "ORG-0060", "withdrawn", on=DAY, reason="Never left at all, in fact")
    back = move_company(demo, "ORG-0050", "in_contact", on=DAY, reason="Talks broke down")
    assert back.stage is ReturnStage.IN_CONTACT and back.in_contact_on == DAY
    assert back.needs_stage == was.needs_stage
    assert back.conditions_agreed_on == was.conditions_agreed_on
    gone = move_company(demo, "ORG-0050", "withdrawn", on=DAY, reason="The company said no")
    assert gone.stage is ReturnStage.WITHDRAWN
    with demo.uow() as uow:
        org = uow.organisations.get("ORG-0050")
    assert org is not None and org.company is not None
    assert org.company.reengagement.value == "declined"
    again = move_company(demo, "ORG-0050", "in_contact", on=DAY)  # forward needs no reason
    assert again.stage is ReturnStage.IN_CONTACT
    history = stage_history(demo, ["ORG-0050"])["ORG-0050"]
    assert [(m.old, m.new, m.back) for m in history[-3:]] == [
        ("conditions_agreed", "in_contact", True),
        ("in_contact", "withdrawn", True),
        ("withdrawn", "in_contact", False),
    ]
    assert history[-2].reason == "The company said no"
