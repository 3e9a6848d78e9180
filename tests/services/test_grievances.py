"""Grievances: reported with a code, triaged step by step, and holding money at the gate
exactly as an open screening hit does, until an audited lift frees it."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from pfund.cli.refusals import refusal_lines
from pfund.domain.account import ANONYMOUS, Principal, Role, User
from pfund.domain.grievance import GrievanceCategory, GrievanceStatus, SubjectKind
from pfund.errors import Conflict, InvalidInput, NotFound
from pfund.services import grievances
from pfund.services.gate import GRIEVANCE_HOLD, GateRefused
from pfund.services.grievance_stats import stats, suppress
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.store.repositories import table_counts
from pfund.store.tables import GrievanceFileRow, GrievanceRow
from tests.services.test_gate import AMOUNT, TRANCHE, SetToday, _meet, _setup

SECRET_NAME = "Marfa Zaslavskaya-Whistle"
SECRET_CONTACT = "marfa.whistle@example.org"


def _form(**extra: object) -> grievances.GrievanceForm:
    values: dict[str, object] = {
        "category": "fraud",
        "subject_kind": "project",
        "subject_id": "GATE-01",
        "description": "Invoices for wells that were never dug, signed by the foreman.",
        "anonymous": False,
        "name": SECRET_NAME,
        "contact": SECRET_CONTACT,
    }
    return grievances.check_form(values | extra)


def _substantiate(rt: Runtime, grievance_id: str) -> grievances.Moved:
    grievances.triage(rt, grievance_id, GrievanceStatus.ACKNOWLEDGED, "received, thank you")
    grievances.triage(rt, grievance_id, GrievanceStatus.UNDER_REVIEW, "documents requested")
    return grievances.decide(rt, grievance_id, GrievanceStatus.SUBSTANTIATED, "invoices false")


def _counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def test_a_substantiated_grievance_blocks_a_release_and_the_lift_frees_it(
    rt: Runtime, today: SetToday
) -> None:
    gated = _setup(rt, today, ["ORG-D01"])
    _meet(gated)
    filed = grievances.submit(gated, _form(), [])
    moved = _substantiate(gated, filed.id)
    assert moved.holding
    before = _counts(gated)
    with pytest.raises(GateRefused) as refused:
        release_tranche(gated, TRANCHE)
    assert _counts(gated) == before
    hold = refused.value.holds[0]
    assert hold.problem.code == GRIEVANCE_HOLD and hold.subject == filed.id
    assert f"grievance {filed.id}" in refused.value.message
    assert "pfund grievances lift" in "\n".join(refusal_lines(refused.value)[1])
    assert SECRET_NAME not in refused.value.message
    grievances.lift(gated, filed.id, "repaid and the foreman dismissed")
    assert release_tranche(gated, TRANCHE).status == "released"


def test_a_grievance_substantiated_after_release_blocks_the_payment_until_lifted(
    rt: Runtime, today: SetToday
) -> None:
    gated = _setup(rt, today, ["ORG-D01"])
    _meet(gated)
    assert release_tranche(gated, TRANCHE).status == "released"
    filed = grievances.submit(gated, _form(), [])
    _substantiate(gated, filed.id)
    with pytest.raises(GateRefused):
        disburse_tranche(gated, TRANCHE)
    grievances.lift(gated, filed.id, "lifted")
    with pytest.raises(Conflict):  # a hold is lifted once
        grievances.lift(gated, filed.id, "lifted again")
    assert disburse_tranche(gated, TRANCHE).status == "disbursed"


def test_a_grievance_against_a_partner_holds_its_projects_and_an_open_one_by_policy(
    rt: Runtime, today: SetToday
) -> None:
    gated = _setup(rt, today, ["ORG-D01"])
    _meet(gated)
    filed = grievances.submit(
        gated, _form(subject_kind="organisation", subject_id="ORG-D01", anonymous=True), []
    )
    with pytest.raises(Conflict):  # not unless asked: an open grievance holds nothing
        grievances.lift(gated, filed.id, "nothing held")
    assert stats(gated).quarters[0].money_held == 0
    grievances.hold(gated, filed.id, "credible: three witnesses")  # open, by policy
    with pytest.raises(GateRefused) as refused:
        release_tranche(gated, TRANCHE)
    assert refused.value.holds[0].problem.facts["subject"] == "ORG-D01"
    assert grievances.detail(gated, filed.id).held_tranches == [TRANCHE]
    # The statistics count the unpaid money of the partner's project as held.
    assert stats(gated).quarters[0].money_held == AMOUNT


def test_moves_go_one_step_at_a_time_and_each_needs_a_reason(rt: Runtime, today: SetToday) -> None:
    gated = _setup(rt, today, [])
    filed = grievances.submit(gated, _form(), [])
    with pytest.raises(Conflict):
        grievances.decide(gated, filed.id, GrievanceStatus.SUBSTANTIATED, "too early")
    with pytest.raises(InvalidInput):
        grievances.triage(gated, filed.id, GrievanceStatus.ACKNOWLEDGED, "")
    with pytest.raises(InvalidInput):  # triage does not decide
        grievances.triage(gated, filed.id, GrievanceStatus.CLOSED, "closing")
    grievances.triage(gated, filed.id, GrievanceStatus.ACKNOWLEDGED, "received")
    with pytest.raises(Conflict):
        grievances.triage(gated, filed.id, GrievanceStatus.ACKNOWLEDGED, "again")
    assert grievances.detail(gated, filed.id).grievance.acknowledged_at is not None


def test_retaliation_comes_first_in_the_queue(rt: Runtime, today: SetToday) -> None:
    gated = _setup(rt, today, [])
    first = grievances.submit(gated, _form(), [])
    second = grievances.submit(gated, _form(category="retaliation"), [])
    ids = [line.id for line in grievances.queue(gated)]
    assert ids == [second.id, first.id]


def test_the_reporter_follows_and_adds_with_the_code_alone(rt: Runtime, today: SetToday) -> None:
    gated = _setup(rt, today, [])
    filed = grievances.submit(gated, _form(), [])
    assert len(filed.code.replace("-", "")) == grievances.CODE_LENGTH
    view = grievances.status_by_code(gated, filed.code.lower().replace("-", " "))
    assert view.status is GrievanceStatus.RECEIVED and view.can_add
    with pytest.raises(NotFound):
        grievances.status_by_code(gated, "AAAA-BBBB-CCCC-DDDD-EEEE")
    view = grievances.add_by_code(gated, filed.code, "The foreman's name is in the ledger.", [])
    assert [s.kind for s in view.steps] == ["received", "reporter_added"]
    grievances.triage(gated, filed.id, GrievanceStatus.ACKNOWLEDGED, "seen")
    grievances.triage(gated, filed.id, GrievanceStatus.UNDER_REVIEW, "reading")
    grievances.decide(gated, filed.id, GrievanceStatus.REFERRED, "to the prosecutor")
    grievances.decide(gated, filed.id, GrievanceStatus.CLOSED, "referred")
    with pytest.raises(Conflict):
        grievances.add_by_code(gated, filed.code, "more", [])


def _photo_with_gps() -> bytes:
    image, out = Image.new("RGB", (8, 8)), io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = SECRET_NAME  # Artist
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPS
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_identity_and_files_are_sealed_and_read_only_by_the_integrity_role(
    rt: Runtime, today: SetToday
) -> None:
    gated = _setup(rt, today, [])
    upload = grievances.Upload(f"{SECRET_NAME}.jpg", _photo_with_gps())
    filed = grievances.submit(gated, _form(), [upload])
    with gated.uow() as uow:
        raw = [
            str(v)
            for row in [
                *uow.session.execute(select(GrievanceRow)).all(),
                *uow.session.execute(select(GrievanceFileRow)).all(),
            ]
            for v in row[0].__dict__.values()
        ]
    assert not [v for v in raw if SECRET_NAME in v or SECRET_CONTACT in v]
    name, media_type, content = grievances.evidence(gated, filed.id, 1)
    assert name == f"{SECRET_NAME}.jpg" and media_type == "image/jpeg"
    assert SECRET_NAME.encode() not in content and b"Exif" not in content

    def as_(role: Role) -> Runtime:
        user = User(username=role.value, roles=[role], created_at=datetime.now(UTC))
        return replace(gated, principal=Principal(user=user), actor=f"user:{role.value}")

    seen = grievances.detail(as_(Role.INTEGRITY), filed.id)
    assert seen.reporter is not None and seen.reporter.contact == SECRET_CONTACT
    assert grievances.detail(as_(Role.ADMIN), filed.id).reporter is None
    for role in (Role.ANALYST, Role.COMPLIANCE):
        with pytest.raises(Exception, match="your role does not allow"):
            grievances.detail(as_(role), filed.id)
    with pytest.raises(Exception, match="sign in"):
        grievances.queue(replace(gated, principal=ANONYMOUS))
    with gated.uow() as uow:
        actions = [e.action for e in uow.audit.list(record_type="grievance", record_id=filed.id)]
    assert actions.count("grievance.reporter_viewed") == 1
    assert "grievance.file_viewed" in actions


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"description": "short"}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"name": "x" * 201}, "name"),
        ({"anonymous": False, "name": "", "contact": ""}, "contact"),
        ({"subject_id": "NO-SUCH"}, "subject_id"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_stored(
    rt: Runtime, today: SetToday, values: dict[str, object], field: str
) -> None:
    gated = _setup(rt, today, [])
    before = _counts(gated)
    with pytest.raises(InvalidInput) as refused:
        grievances.submit(gated, _form(**values), [])
    assert field in {p.field for p in refused.value.problems}
    assert _counts(gated) == before


def test_evidence_over_the_limits_is_refused_and_nothing_is_stored(
    rt: Runtime, today: SetToday
) -> None:
    gated = _setup(rt, today, [])
    before = _counts(gated)
    for uploads in (
        [grievances.Upload("big.pdf", b"%PDF-" + b"0" * (10 * 2**20))],
        [grievances.Upload("x.exe", b"MZ\x90\x00")],
        [grievances.Upload(f"{n}.pdf", b"%PDF-1") for n in range(grievances.MAX_FILES + 1)],
    ):
        with pytest.raises(InvalidInput):
            grievances.submit(gated, _form(), uploads)
    assert _counts(gated) == before


def test_statistics_by_quarter_hide_small_counts(rt: Runtime, today: SetToday) -> None:
    gated = _setup(rt, today, [])
    start = datetime(2027, 1, 10, tzinfo=UTC)
    for n in range(4):
        filed = grievances.submit(gated, _form(), [], at=start + timedelta(days=n))
        grievances.move(
            gated, filed.id, GrievanceStatus.ACKNOWLEDGED, "seen", at=start + timedelta(days=n + 2)
        )
    grievances.submit(gated, _form(category="retaliation"), [], at=start)
    found = stats(gated)
    (q,) = found.quarters
    assert q.quarter == "2027-Q1" and q.received == 5
    assert q.by_category["fraud"] is None and q.by_category["retaliation"] is None
    assert q.days_to_acknowledge == 2.0
    assert q.share_substantiated is None  # none decided
    assert suppress({"a": 1, "b": 5, "c": 9, "d": 0}, 3) == {"a": None, "b": None, "c": 9, "d": 0}
    assert GrievanceCategory.RETALIATION.value in q.by_category
    assert SubjectKind.PROJECT.value == "project" and date(2027, 1, 1) <= start.date()
