"""Grievances: anyone reports, an integrity officer triages and decides, money is held.

Anyone may report fraud, corruption, harm to people or the environment, or retaliation,
through the public form (or the API), anonymously if they wish. The reporter gets a
tracking code, shown once and stored only as a keyed hash (as a proposal's code): with
it alone they follow the grievance and add text or files, and every wrong code gets the
same answer. The description, the reporter's name and contact, every reason and every
file are sealed at rest; the reporter's identity is read only with ``read_reporter``
(the integrity role) and every such reading is an audit event.

An integrity officer moves a grievance one step at a time (``MOVES``), each with a
reason, by a conditional update, audited in the same transaction. A substantiated
grievance against a project or a counterparty holds that money at once; by the fund's
policy (``hold_credible_open``) an officer may also hold it on a credible grievance
still open. The money gate (``pfund.services.gate``) reads the holding grievances as it
reads open screening hits; only an audited ``lift`` frees the money again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field, ValidationError

from pfund.domain import Tranche, TrancheStatus
from pfund.domain.account import Permission
from pfund.domain.grievance import (
    DECISIONS,
    MOVES,
    OPEN,
    TRIAGE,
    Grievance,
    GrievanceCategory,
    GrievanceEvent,
    GrievanceFile,
    GrievancePolicy,
    GrievanceStatus,
    Reporter,
    SubjectKind,
)
from pfund.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from pfund.io.evidence import CleanFile, clean_evidence
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.store.repositories.grievances import GrievanceRepository
from pfund.store.unit_of_work import UnitOfWork

FORM = "grievance form"
REPORTER_ACTOR = "grievance-reporter"
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: people misread them
CODE_LENGTH = 20  # 20 of 31 symbols: 99 bits, beyond guessing at any rate limit
NO_SUCH_CODE = "no grievance with this code"
NOT_ACCEPTED = "the grievance could not be accepted; nothing was stored"
MAX_FILES = 5
MAX_TEXT = 5000


class GrievanceForm(BaseModel):
    """What a reporter sends; every field bounded so no field can flood the store."""

    category: GrievanceCategory
    subject_kind: SubjectKind = SubjectKind.NONE
    subject_id: str = Field(default="", max_length=64)
    description: str = Field(min_length=20, max_length=MAX_TEXT)
    anonymous: bool = True
    name: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=300)
    language: str = Field(default="en", pattern=r"^(en|ru)$")


@dataclass(frozen=True)
class Upload:
    """An evidence file as a channel received it."""

    filename: str
    content: bytes


class Filed(BaseModel):
    id: str
    status: GrievanceStatus
    acknowledge_by: date
    code: str = ""  # the tracking code, given once at submission; never stored


class Step(BaseModel):
    """A step the reporter may read: a status move with its reason, or their addition."""

    at: datetime
    kind: str
    status: str = ""
    reason: str = ""


class ReporterView(BaseModel):
    """What the holder of a tracking code sees of their grievance."""

    category: GrievanceCategory
    status: GrievanceStatus
    received_at: datetime
    acknowledge_by: date
    steps: list[Step]
    files: int
    can_add: bool


class GrievanceLine(BaseModel):
    id: str
    category: GrievanceCategory
    status: GrievanceStatus
    subject_kind: SubjectKind
    subject_id: str
    received_at: datetime
    acknowledge_by: date
    overdue: bool
    holding: bool


class GrievanceDetail(BaseModel):
    grievance: Grievance
    reporter: Reporter | None  # only with read_reporter; each reading audited
    events: list[GrievanceEvent]
    files: list[GrievanceFile]
    moves: list[GrievanceStatus]
    can_hold: bool
    held_tranches: list[str]


class Moved(BaseModel):
    id: str
    status: GrievanceStatus
    holding: bool


# -- the reporter -------------------------------------------------------------------------


def check_form(values: dict[str, object]) -> GrievanceForm:
    """The form's values checked together: every problem named by its field at once."""
    try:
        form = GrievanceForm.model_validate(values)
    except ValidationError as err:
        problems = [_problem(e) for e in err.errors()]
        raise InvalidInput(NOT_ACCEPTED, problems) from None
    if not form.anonymous and not (form.name.strip() or form.contact.strip()):
        raise InvalidInput(
            NOT_ACCEPTED,
            [Problem("give a name or a contact, or choose to stay anonymous", field="contact")],
        )
    return form


def _problem(error: object) -> Problem:
    assert isinstance(error, dict)
    field = ".".join(str(p) for p in error.get("loc", ()))
    if field == "category":
        valid = ", ".join(c.value for c in GrievanceCategory)
        return Problem(f"unknown category; choose one of {valid}", field=field)
    return Problem(str(error.get("msg", "invalid")), field=field)


def clean_all(uploads: list[Upload]) -> list[CleanFile]:
    """Every file cleaned (images without metadata) or every refusal at once."""
    if len(uploads) > MAX_FILES:
        raise InvalidInput(
            "evidence refused; nothing was stored",
            [Problem(f"at most {MAX_FILES} files may be sent at once", field="evidence")],
        )
    files, problems = [], []
    for upload in uploads:
        try:
            files.append(clean_evidence(upload.filename, upload.content))
        except InvalidInput as err:
            problems.extend(err.problems)
    if problems:
        raise InvalidInput("evidence refused; nothing was stored", problems)
    return files


def submit(
    rt: Runtime, form: GrievanceForm, uploads: list[Upload], *, at: datetime | None = None
) -> Filed:
    """Store a grievance (``received``) with its files and hand out its tracking code."""
    files = clean_all(uploads)
    now = at or datetime.now(UTC)
    grievance_id = f"GRV-{secrets.token_hex(4).upper()}"
    code = new_code()
    with rt.uow() as uow:
        _check_subject(uow, form)
        policy = policy_of(uow)
        due = now.date() + timedelta(days=policy.acknowledge_days)
        repo = GrievanceRepository(uow.session, uow.cipher)
        repo.add(
            {
                "id": grievance_id,
                "code_hash": code_hash(rt, code),
                "category": form.category.value,
                "subject_kind": form.subject_kind.value,
                "subject_id": form.subject_id if form.subject_kind else "",
                "description": form.description.strip(),
                "reporter_name": "" if form.anonymous else form.name.strip(),
                "reporter_contact": "" if form.anonymous else form.contact.strip(),
                "anonymous": form.anonymous,
                "language": form.language,
                "status": GrievanceStatus.RECEIVED.value,
                "received_at": now,
                "acknowledge_by": due,
                "holding": False,
            }
        )
        reporter = REPORTER_ACTOR
        repo.add_event(
            grievance_id, at=now, actor=reporter, kind="received", status="received", reason=""
        )
        _store_files(repo, grievance_id, files, now)
        details = {"category": form.category.value, "files": len(files), "source": FORM}
        AuditWriter(uow, reporter).record("grievance.received", "grievance", grievance_id, details)
        uow.commit()
    return Filed(id=grievance_id, status=GrievanceStatus.RECEIVED, acknowledge_by=due, code=code)


def subjects(rt: Runtime) -> list[tuple[str, str, str]]:
    """The published projects a reporter may name: (id, title, Russian title)."""
    with rt.uow() as uow:
        return [(p.id, p.title, p.title_ru or p.title) for p in uow.projects.list() if p.published]


def _check_subject(uow: UnitOfWork, form: GrievanceForm) -> None:
    if form.subject_kind is SubjectKind.NONE:
        return
    found = (
        uow.projects.get(form.subject_id)
        if form.subject_kind is SubjectKind.PROJECT
        else uow.organisations.get(form.subject_id)
    )
    if found is None:
        raise InvalidInput(
            NOT_ACCEPTED,
            [Problem(f"no {form.subject_kind.value} with this id", field="subject_id")],
        )


def _store_files(
    repo: GrievanceRepository, grievance_id: str, files: list[CleanFile], now: datetime
) -> None:
    for f in files:
        repo.add_file(
            grievance_id, filename=f.filename, media_type=f.media_type, content=f.content, at=now
        )


def new_code() -> str:
    """A tracking code like ``K7QM-3XWP-R9TD-HV2C-M4NP``: random, in groups to copy."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hash(rt: Runtime, code: str) -> str:
    """What is stored of a code: its keyed hash, useless without the installation's key."""
    normal = "".join(c for c in code.upper() if c.isalnum())[:64]
    return hmac.new(
        rt.keys.secret_key.encode("utf-8"), f"grievance-code\x00{normal}".encode(), hashlib.sha256
    ).hexdigest()


def status_by_code(rt: Runtime, code: str) -> ReporterView:
    """The grievance's state for the holder of its code; NotFound (always the same
    words) for any code that is not one."""
    with rt.uow() as uow:
        repo = GrievanceRepository(uow.session, uow.cipher)
        grievance = _by_code(rt, repo, code)
        events = repo.events(grievance.id)
        files = repo.files(grievance.id)
    steps = [
        Step(at=e.at, kind=e.kind, status=e.status, reason=e.reason)
        for e in events
        if e.kind in {"received", "moved", "reporter_added"}
    ]
    return ReporterView(
        category=grievance.category,
        status=grievance.status,
        received_at=grievance.received_at,
        acknowledge_by=grievance.acknowledge_by,
        steps=steps,
        files=len(files),
        can_add=grievance.status is not GrievanceStatus.CLOSED,
    )


def add_by_code(rt: Runtime, code: str, text: str, uploads: list[Upload]) -> ReporterView:
    """The reporter adds information (text, files) to their grievance, until it is closed."""
    body = text.strip()[:MAX_TEXT]
    files = clean_all(uploads)
    if not body and not files:
        raise InvalidInput(
            "nothing to add", [Problem("write something or attach a file", field="text")]
        )
    now = datetime.now(UTC)
    with rt.uow() as uow:
        repo = GrievanceRepository(uow.session, uow.cipher)
        grievance = _by_code(rt, repo, code)
        if grievance.status is GrievanceStatus.CLOSED:
            raise Conflict("the grievance is closed; it takes no more information")
        repo.add_event(
            grievance.id,
            at=now,
            actor=REPORTER_ACTOR,
            kind="reporter_added",
            status="",
            reason=body,
        )
        _store_files(repo, grievance.id, files, now)
        AuditWriter(uow, REPORTER_ACTOR).record(
            "grievance.added", "grievance", grievance.id, {"files": len(files), "text": bool(body)}
        )
        uow.commit()
    return status_by_code(rt, code)


def _by_code(rt: Runtime, repo: GrievanceRepository, code: str) -> Grievance:
    wanted = "".join(c for c in code if c.isalnum())
    grievance_id = repo.by_code(code_hash(rt, code)) if wanted else None
    grievance = repo.get(grievance_id) if grievance_id else None
    if grievance is None:
        raise NotFound(NO_SUCH_CODE)
    return grievance


# -- the integrity officer ----------------------------------------------------------------


def policy_of(uow: UnitOfWork) -> GrievancePolicy:
    fund = uow.fund.get()
    return fund.grievances if fund else GrievancePolicy()


def queue(rt: Runtime, *, today: date | None = None) -> list[GrievanceLine]:
    """Every grievance, open ones first and retaliation first among them, then by the
    acknowledgement deadline; closed and decided ones after, newest first."""
    rt.require(Permission.INVESTIGATE)
    day = today or datetime.now(UTC).date()
    with rt.uow() as uow:
        rows = GrievanceRepository(uow.session, uow.cipher).lines()
    lines = [
        GrievanceLine(
            **{k: r[k] for k in GrievanceLine.model_fields if k in r},
            overdue=r["status"] == GrievanceStatus.RECEIVED.value and r["acknowledge_by"] < day,
        )
        for r in rows
    ]
    return sorted(lines, key=_queue_order)


def _queue_order(line: GrievanceLine) -> tuple[int, int, str, float]:
    is_open = line.status in OPEN
    retaliation = line.category is GrievanceCategory.RETALIATION
    when = line.received_at.timestamp()
    return (
        0 if is_open else 1,
        0 if retaliation else 1,
        line.acknowledge_by.isoformat() if is_open else "",
        when if is_open else -when,
    )


def detail(rt: Runtime, grievance_id: str) -> GrievanceDetail:
    """Everything about a grievance for the integrity role; the reporter's identity only
    with ``read_reporter``, and that reading is audited (``grievance.reporter_viewed``)."""
    rt.require(Permission.INVESTIGATE)
    who = rt.principal
    sees_reporter = who is None or who.can(Permission.READ_REPORTER)
    with rt.uow() as uow:
        repo = GrievanceRepository(uow.session, uow.cipher)
        grievance = _get(repo, grievance_id)
        reporter = None
        if sees_reporter and not grievance.anonymous:
            reporter = repo.reporter(grievance_id)
            AuditWriter(uow, rt.actor).record(
                "grievance.reporter_viewed", "grievance", grievance_id
            )
            uow.commit()
        held = _held_tranches(uow, grievance) if grievance.holding else []
        policy = policy_of(uow)
        events, files = repo.events(grievance_id), repo.files(grievance_id)
    return GrievanceDetail(
        grievance=grievance,
        reporter=reporter,
        events=events,
        files=files,
        moves=sorted(MOVES[grievance.status]),
        can_hold=_may_hold(grievance, policy) and not grievance.holding,
        held_tranches=held,
    )


def evidence(rt: Runtime, grievance_id: str, position: int) -> tuple[str, str, bytes]:
    """A grievance's evidence file (name, type, bytes) for the integrity role, audited."""
    rt.require(Permission.READ_REPORTER)
    with rt.uow() as uow:
        found = GrievanceRepository(uow.session, uow.cipher).file_content(grievance_id, position)
        if found is None:
            raise NotFound(f"no file {position} of grievance {grievance_id[:64]}")
        AuditWriter(uow, rt.actor).record(
            "grievance.file_viewed", "grievance", grievance_id, {"file": position}
        )
        uow.commit()
    return found


def move(
    rt: Runtime,
    grievance_id: str,
    to: GrievanceStatus,
    reason: str,
    *,
    allowed: frozenset[GrievanceStatus] | None = None,
    at: datetime | None = None,
) -> Moved:
    """One step of triage or decision, with its reason, by a conditional update.

    Substantiating a grievance against a project or counterparty holds its money."""
    rt.require(Permission.INVESTIGATE)
    if allowed is not None and to not in allowed:
        valid = ", ".join(sorted(s.value for s in allowed))
        raise InvalidInput(
            f"cannot move to {to.value} here", [Problem(f"choose one of {valid}", field="to")]
        )
    text = _reason(reason)
    now = at or datetime.now(UTC)
    with rt.uow(write=True) as uow:
        repo = GrievanceRepository(uow.session, uow.cipher)
        grievance = _get(repo, grievance_id)
        sources = [s for s, targets in MOVES.items() if to in targets]
        if grievance.status not in sources:
            raise Conflict(
                f"grievance {grievance_id} is {grievance.status.value}; it cannot move to "
                f"{to.value} (from {', '.join(s.value for s in sources) or 'nothing'})"
            )
        values: dict[str, object] = {"status": to.value}
        values |= _stamp(to, now)
        if not repo.move(grievance_id, sources, values):
            raise Conflict(f"grievance {grievance_id} changed meanwhile; read it again")
        audit = AuditWriter(uow, rt.actor)
        repo.add_event(
            grievance_id, at=now, actor=rt.actor, kind="moved", status=to.value, reason=text
        )
        details = {"from": grievance.status.value, "to": to.value}
        audit.record("grievance.moved", "grievance", grievance_id, details)
        holding = grievance.holding
        if to is GrievanceStatus.SUBSTANTIATED and grievance.subject_id and not holding:
            holding = _hold(uow, repo, grievance, f"substantiated: {text}", now, rt.actor)
        uow.commit()
    return Moved(id=grievance_id, status=to, holding=holding)


def triage(rt: Runtime, grievance_id: str, to: GrievanceStatus, reason: str) -> Moved:
    return move(rt, grievance_id, to, reason, allowed=TRIAGE)


def decide(rt: Runtime, grievance_id: str, to: GrievanceStatus, reason: str) -> Moved:
    return move(rt, grievance_id, to, reason, allowed=DECISIONS)


def _stamp(to: GrievanceStatus, now: datetime) -> dict[str, object]:
    if to is GrievanceStatus.ACKNOWLEDGED:
        return {"acknowledged_at": now}
    if to in DECISIONS - {GrievanceStatus.CLOSED}:
        return {"decided_at": now}
    if to is GrievanceStatus.CLOSED:
        return {"closed_at": now}
    return {}


def hold(rt: Runtime, grievance_id: str, reason: str, *, at: datetime | None = None) -> Moved:
    """Hold the money of the grievance's subject: a substantiated grievance, or (by the
    fund's policy) a credible one still open."""
    rt.require(Permission.INVESTIGATE)
    text = _reason(reason)
    with rt.uow(write=True) as uow:
        repo = GrievanceRepository(uow.session, uow.cipher)
        grievance = _get(repo, grievance_id)
        if not grievance.subject_id:
            raise Conflict(f"grievance {grievance_id} names no project or counterparty to hold")
        if not _may_hold(grievance, policy_of(uow)):
            raise Conflict(
                f"grievance {grievance_id} is {grievance.status.value}; the fund's policy "
                "holds money only on a substantiated grievance"
                + ("" if policy_of(uow).hold_credible_open else " (not on an open one)")
            )
        if grievance.holding:
            raise Conflict(f"grievance {grievance_id} already holds its money")
        _hold(uow, repo, grievance, text, at or datetime.now(UTC), rt.actor)
        uow.commit()
    return Moved(id=grievance_id, status=grievance.status, holding=True)


def lift(rt: Runtime, grievance_id: str, reason: str, *, at: datetime | None = None) -> Moved:
    """An audited decision that frees the money a grievance holds."""
    rt.require(Permission.INVESTIGATE)
    text = _reason(reason)
    now = at or datetime.now(UTC)
    with rt.uow(write=True) as uow:
        repo = GrievanceRepository(uow.session, uow.cipher)
        grievance = _get(repo, grievance_id)
        if not repo.set_holding(grievance_id, holding=False):
            raise Conflict(f"grievance {grievance_id} holds no money")
        repo.add_event(grievance_id, at=now, actor=rt.actor, kind="lifted", status="", reason=text)
        AuditWriter(uow, rt.actor).record(
            "grievance.hold_lifted",
            "grievance",
            grievance_id,
            {"subject_kind": grievance.subject_kind.value, "subject": grievance.subject_id},
        )
        uow.commit()
    return Moved(id=grievance_id, status=grievance.status, holding=False)


def _may_hold(grievance: Grievance, policy: GrievancePolicy) -> bool:
    if not grievance.subject_id:
        return False
    if grievance.status is GrievanceStatus.SUBSTANTIATED:
        return True
    return policy.hold_credible_open and grievance.status in OPEN


def _hold(
    uow: UnitOfWork,
    repo: GrievanceRepository,
    grievance: Grievance,
    reason: str,
    now: datetime,
    actor: str,
) -> bool:
    if not repo.set_holding(grievance.id, holding=True):
        raise Conflict(f"grievance {grievance.id} already holds its money")
    repo.add_event(grievance.id, at=now, actor=actor, kind="held", status="", reason=reason)
    AuditWriter(uow, actor).record(
        "grievance.hold_placed",
        "grievance",
        grievance.id,
        {"subject_kind": grievance.subject_kind.value, "subject": grievance.subject_id},
    )
    return True


def _held_tranches(uow: UnitOfWork, grievance: Grievance) -> list[str]:
    """The tranches not yet paid that this grievance holds."""
    return [t.id for t in held_tranches(uow, [grievance])]


def held_tranches(uow: UnitOfWork, grievances: list[Grievance]) -> list[Tranche]:
    """The tranches not yet paid or cancelled that ``grievances`` hold."""
    projects = {g.subject_id for g in grievances if g.subject_kind is SubjectKind.PROJECT}
    orgs = {g.subject_id for g in grievances if g.subject_kind is SubjectKind.ORGANISATION}
    out = []
    for t in uow.tranches.list():
        if t.status in (TrancheStatus.DISBURSED, TrancheStatus.CANCELLED):
            continue
        project = uow.projects.get(t.project_id) if orgs else None
        parties = {p for p in [project.proponent, *project.partners] if p} if project else set()
        if t.project_id in projects or parties & orgs:
            out.append(t)
    return out


def _reason(reason: str) -> str:
    text = reason.strip()
    if len(text) < 3:
        raise InvalidInput("a reason is needed", [Problem("give a reason", field="reason")])
    return text[:MAX_TEXT]


def _get(repo: GrievanceRepository, grievance_id: str) -> Grievance:
    found = repo.get(grievance_id)
    if found is None:
        raise NotFound(f"no grievance {grievance_id[:64]}")
    return found


__all__ = [
    "Filed",
    "Forbidden",
    "GrievanceDetail",
    "GrievanceForm",
    "GrievanceLine",
    "Moved",
    "ReporterView",
    "Upload",
    "add_by_code",
    "check_form",
    "decide",
    "detail",
    "hold",
    "lift",
    "move",
    "queue",
    "status_by_code",
    "submit",
    "triage",
]
