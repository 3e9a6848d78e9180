"""Proposal intake as a workflow: submitted, read, questioned, returned, rejected or taken in.

A proposal is checked by the same rules as an imported project (``check_projects``),
so the form and the importer cannot drift apart; the form's own bounds and the
importer's rules are checked together, so the sender sees every problem at once. The
proposer's name, e-mail and organisation are stored only as a protected contact
person; the project is stored as ``submitted`` and unpublished.

The proposer gets a reference code, shown once: it is stored only as a keyed hash
(HMAC under the installation's secret), so a reader of the database cannot use it.
With the code alone they can see the status, answer a question staff asked, or
withdraw the proposal; a wrong code gets the same answer as any other wrong code.

Every move is one conditional ``UPDATE ... WHERE status IN (expected)`` inside a unit of
work that holds the write lock, audited in the same transaction, so two staff acting at
once cannot both move a proposal. Being in the pipeline does not make a project public:
``publish`` does, and only for a project staff have taken in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, EmailStr, Field, ValidationError

from pfund.domain import Person, ProjectStatus
from pfund.domain.account import Permission, Role
from pfund.domain.project import INTAKE_STATUSES, Project
from pfund.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from pfund.io.checks import check_projects
from pfund.io.files import Record
from pfund.services.audit import AuditWriter
from pfund.services.imports import known
from pfund.services.runtime import Runtime
from pfund.services.screening import person_party, screen_new_counterparties
from pfund.store.unit_of_work import UnitOfWork

FORM = "proposal form"
PUBLIC_FORM_ACTOR = "public-form"
PROPOSER_ACTOR = "proposer"
PAGE_SIZE = 50

# The statuses of intake: a project in one of them is a proposal, never public.
INTAKE = tuple(sorted(INTAKE_STATUSES))
OPEN = (ProjectStatus.SUBMITTED, ProjectStatus.RETURNED)
UNPUBLISHABLE = {*INTAKE, ProjectStatus.CANCELLED}

# The code's alphabet leaves out 0/O and 1/I/L, which people misread when copying.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 16 of 31 symbols: 79 bits, beyond guessing at any rate limit
NO_SUCH_CODE = "no proposal with this code"


class MessageKind(StrEnum):
    """What staff and proposer say to each other, kept in order with the proposal."""

    QUESTION = "question"
    ANSWER = "answer"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ProposalForm(BaseModel):
    """What a partner types in; every field bounded, so no field can flood the store."""

    title: str = Field(min_length=3, max_length=300)
    title_ru: str = Field(default="", max_length=300)
    description: str = Field(min_length=20, max_length=5000)
    area: str = Field(max_length=64)
    regions: list[str] = Field(default_factory=list, max_length=20)
    first_year: int = Field(ge=1990, le=2200)
    years: int = Field(ge=1, le=15)
    cost_low: Decimal = Field(gt=0, le=Decimal("1e11"))
    cost_likely: Decimal = Field(gt=0, le=Decimal("1e11"))
    cost_high: Decimal = Field(gt=0, le=Decimal("1e11"))
    people_reached: int | None = Field(default=None, ge=0, le=200_000_000)
    organisation: str = Field(default="", max_length=300)
    contact_name: str = Field(min_length=2, max_length=200)
    contact_email: EmailStr


class Submitted(BaseModel):
    project_id: str
    status: str
    code: str = ""  # the reference code, given once, at submission; never stored


class Message(BaseModel):
    kind: MessageKind
    body: str
    at: datetime


class ProposalStatus(BaseModel):
    """What the holder of a reference code may see: their own proposal's state."""

    title: str
    status: ProjectStatus
    received_at: datetime | None
    published: bool
    messages: list[Message]
    question_open: bool
    can_answer: bool
    can_withdraw: bool


class ProposalLine(BaseModel):
    id: str
    title: str
    title_ru: str
    area: str
    status: ProjectStatus
    received_at: datetime | None


class ProposalPage(BaseModel):
    total: int
    page: int
    pages: int
    status: str | None
    items: list[ProposalLine]


class ContactView(BaseModel):
    """The proposer as stored (protected): only for roles that may read protected data."""

    id: str
    name: str
    email: str
    organisation: str


class HitLine(BaseModel):
    hit: int
    status: str
    watchlist: str
    score: float
    matched: str  # the listed name: protected context, empty for roles without it


class ReviewLine(BaseModel):
    id: int
    reviewer: str
    state: str
    scores: dict[str, float]
    comment: str  # empty unless the reader may see it


class HistoryLine(BaseModel):
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


class Named(BaseModel):
    code: str
    name: str
    name_ru: str


class ProposalDetail(BaseModel):
    project: Project
    area: Named
    regions: list[Named]
    received_at: datetime | None
    published: bool
    published_at: datetime | None
    people_reached: float | None
    contacts: list[ContactView] | None  # None: the reader may not see them
    screened: bool
    hits: list[HitLine]
    reviews: list[ReviewLine]
    messages: list[Message]
    history: list[HistoryLine]
    reviewers: list[str]  # accounts that could be assigned (for those who may assign)


class Moved(BaseModel):
    project_id: str
    status: ProjectStatus
    published: bool


# -- the public form --------------------------------------------------------------------


def parse_form(values: dict[str, object]) -> ProposalForm:
    """The form as a model, or an error whose problems name fields and never echo values."""
    try:
        return ProposalForm.model_validate(values)
    except ValidationError as err:
        raise InvalidInput("the proposal could not be accepted", _form_problems(err)) from None


def check_form(rt: Runtime, values: dict[str, object]) -> ProposalForm:
    """The form's bounds and the importer's rules, checked together: every problem in
    one answer, so the sender does not fix one round only to meet the next."""
    problems: list[Problem] = []
    try:
        form: ProposalForm | None = ProposalForm.model_validate(values)
    except ValidationError as err:
        form = None
        problems = _form_problems(err)
    failed = {(p.field or "").split(".")[0] for p in problems}
    with rt.uow() as uow:
        present = known(uow)
    present = replace(present, people=present.people | {"PER-WEB-X"})
    data = _lenient_data(values, failed)
    cost_fields = {"first_year", "years", "cost_low", "cost_likely", "cost_high"}
    # The importer checks references only once the record is a valid project, so a
    # field it refuses is replaced by a stand-in and the record checked again, until
    # the references have been checked too (a few rounds at most, here, not for the
    # sender).
    for _ in range(4):
        record = Record(file=FORM, row=1, data=data, format="form")
        found = check_projects([record], present).problems
        fresh = []
        for p in found:
            field = (p.field or "").split(".")[0]
            costs = field in {"costs", "cost"} and bool(failed & cost_fields)
            if field not in failed and not costs:
                fresh.append(Problem(p.reason, file=FORM, field=p.field))
        problems.extend(fresh)
        if not found:
            break
        failed |= {(p.field or "").split(".")[0] for p in found}
        data = _stand_ins(data, failed)
    if problems or form is None:
        raise InvalidInput("the proposal could not be accepted", problems)
    return form


def _form_problems(err: ValidationError) -> list[Problem]:
    return [
        Problem(str(e["msg"]), file=FORM, field=".".join(str(p) for p in e["loc"]))
        for e in err.errors()
    ]


def _lenient_data(values: dict[str, object], failed: set[str]) -> dict[str, object]:
    """Project data from raw form values, a harmless stand-in for each field that failed
    the form's own check (its problem is already reported)."""

    def text(name: str, stand_in: str) -> str:
        return stand_in if name in failed else str(values.get(name) or "")

    def number(name: str, stand_in: int) -> Decimal:
        try:
            return Decimal(str(values.get(name))) if name not in failed else Decimal(stand_in)
        except InvalidOperation:
            return Decimal(stand_in)

    first, years = int(number("first_year", 2030)), int(number("years", 1))
    estimate = [str(number(f"cost_{k}", 1)) for k in ("low", "likely", "high")]
    regions = values.get("regions") if "regions" not in failed else []
    return {
        "id": "WEB-CHECK",
        "title": text("title", "a title"),
        "title_ru": text("title_ru", ""),
        "description": text("description", "a description long enough"),
        "area": str(values.get("area") or ""),
        "regions": regions if isinstance(regions, list) else [],
        "status": ProjectStatus.SUBMITTED.value,
        "costs": {first + k: {"capital": estimate} for k in range(max(1, min(years, 15)))},
        "contacts": ["PER-WEB-X"],
    }


def _stand_ins(data: dict[str, object], failed: set[str]) -> dict[str, object]:
    """The record with every refused field replaced by a value the importer accepts."""
    valid: dict[str, object] = {
        "title": "a title",
        "title_ru": "",
        "description": "a description long enough",
        "regions": [],
        "costs": {2030: {"capital": ["1", "1", "1"]}},
    }
    out = dict(data)
    for key in failed:
        if key in valid:
            out[key] = valid[key]
    return out


def submit(rt: Runtime, form: ProposalForm) -> Submitted:
    """Store a proposal (unpublished, ``submitted``) and hand out its reference code."""
    suffix = secrets.token_hex(3).upper()
    project_id, person_id = f"WEB-{suffix}", f"PER-WEB-{suffix}"
    record = Record(
        file=FORM, row=1, data=_project_data(form, project_id, person_id), format="form"
    )
    code = new_code()
    with rt.uow() as uow:
        present = known(uow)
        checked = check_projects([record], replace(present, people=present.people | {person_id}))
        if checked.problems:
            raise InvalidInput("the proposal could not be accepted", checked.problems)
        if uow.projects.get(project_id) is not None:
            raise Conflict("please send the proposal again")
        _, project = checked.items[0]
        uow.people.add(_contact(form, person_id))
        uow.projects.add(project.model_copy(update={"published": False}))
        uow.proposals.add(project_id, code_hash(rt, code), datetime.now(UTC))
        audit = AuditWriter(uow, PUBLIC_FORM_ACTOR)
        audit.record("person.created", "person", person_id, {"source": FORM})
        audit.record("project.submitted", "project", project_id, {"source": FORM})
        uow.commit()
    return Submitted(project_id=project_id, status=ProjectStatus.SUBMITTED.value, code=code)


def new_code() -> str:
    """A reference code like ``K7QM-3XWP-R9TD-HV2C``: random, in groups people can copy."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normal_code(code: str) -> str:
    """The code as typed, without spaces, dashes or case (a copy may lose any of them)."""
    return "".join(c for c in code.upper() if c.isalnum())[:64]


def code_hash(rt: Runtime, code: str) -> str:
    """What is stored of a code: its keyed hash, useless without the installation's key."""
    return hmac.new(
        rt.keys.secret_key.encode("utf-8"),
        f"proposal-code\x00{normal_code(code)}".encode(),
        hashlib.sha256,
    ).hexdigest()


def _project_data(form: ProposalForm, project_id: str, person_id: str) -> dict[str, object]:
    costs = {
        form.first_year + k: {
            "capital": [str(form.cost_low), str(form.cost_likely), str(form.cost_high)]
        }
        for k in range(form.years)
    }
    data: dict[str, object] = {
        "id": project_id,
        "title": form.title,
        "title_ru": form.title_ru,
        "description": form.description,
        "area": form.area,
        "regions": form.regions,
        "status": ProjectStatus.SUBMITTED.value,
        "costs": costs,
        "contacts": [person_id],
        "notes": f"received through the public form on {datetime.now(UTC).date().isoformat()}",
    }
    if form.people_reached:
        n = form.people_reached
        data["outcomes"] = {"people_reached": [n * 0.7, n, n * 1.2]}
    return data


def _contact(form: ProposalForm, person_id: str) -> Person:
    notes = f"organisation: {form.organisation}" if form.organisation else ""
    return Person(
        id=person_id,
        role="proposer",
        name=form.contact_name,
        email=form.contact_email,
        notes=notes,
    )


# -- the proposer, with the code alone --------------------------------------------------


def status_by_code(rt: Runtime, code: str) -> ProposalStatus:
    """The proposal's state for the holder of its code; NotFound (always the same
    words) for any code that is not one."""
    with rt.uow() as uow:
        project = _by_code(rt, uow, code)
        messages = _messages(uow, project.id)
        received = uow.proposals.received_at(project.id)
    open_question = bool(messages) and messages[-1].kind is MessageKind.QUESTION
    return ProposalStatus(
        title=project.title,
        status=project.status,
        received_at=received,
        published=project.published,
        messages=messages,
        question_open=open_question and project.status in OPEN,
        can_answer=project.status in OPEN,
        can_withdraw=project.status in OPEN,
    )


def answer_by_code(rt: Runtime, code: str, text: str) -> ProposalStatus:
    """The proposer's answer to a question, or the changes asked for when it was
    returned (it is then ``submitted`` again, for staff to read)."""
    body = _required(text, "answer")
    with rt.uow(write=True) as uow:
        project = _by_code(rt, uow, code)
        if project.status not in OPEN:
            raise Conflict(f"the proposal is {project.status.value}; it takes no answers")
        audit = AuditWriter(uow, PROPOSER_ACTOR)
        if project.status is ProjectStatus.RETURNED:
            _move(uow, project.id, [ProjectStatus.RETURNED], ProjectStatus.SUBMITTED)
            audit.record("proposal.resubmitted", "project", project.id)
        uow.proposals.add_message(project.id, MessageKind.ANSWER, body, datetime.now(UTC))
        audit.record("proposal.answered", "project", project.id)
        uow.commit()
    return status_by_code(rt, code)


def withdraw_by_code(rt: Runtime, code: str, reason: str = "") -> ProposalStatus:
    """The proposer takes their proposal back (before staff take it in)."""
    with rt.uow(write=True) as uow:
        project = _by_code(rt, uow, code)
        _move(uow, project.id, OPEN, ProjectStatus.WITHDRAWN)
        uow.proposals.add_message(
            project.id, MessageKind.WITHDRAWN, reason.strip()[:2000], datetime.now(UTC)
        )
        AuditWriter(uow, PROPOSER_ACTOR).record("proposal.withdrawn", "project", project.id)
        uow.commit()
    return status_by_code(rt, code)


def _by_code(rt: Runtime, uow: UnitOfWork, code: str) -> Project:
    wanted = normal_code(code)
    project_id = uow.proposals.by_code(code_hash(rt, wanted)) if wanted else None
    project = uow.projects.get(project_id) if project_id else None
    if project is None:
        raise NotFound(NO_SUCH_CODE)
    return project


# -- staff moves --------------------------------------------------------------------------


def ask(rt: Runtime, project_id: str, question: str) -> Moved:
    """Ask the proposer a question; they read it (and answer) with their code."""
    rt.require(Permission.IMPORT)
    body = _required(question, "question")
    return _step(rt, project_id, OPEN, None, "proposal.asked", MessageKind.QUESTION, body)


def return_(rt: Runtime, project_id: str, reason: str) -> Moved:
    """Send it back to the proposer for changes; their answer resubmits it."""
    rt.require(Permission.IMPORT)
    body = _required(reason, "reason")
    return _step(
        rt,
        project_id,
        [ProjectStatus.SUBMITTED],
        ProjectStatus.RETURNED,
        "proposal.returned",
        MessageKind.RETURNED,
        body,
    )


def reject(rt: Runtime, project_id: str, reason: str) -> Moved:
    """Refuse it for good, with the reason the proposer will read."""
    rt.require(Permission.IMPORT)
    body = _required(reason, "reason")
    return _step(
        rt,
        project_id,
        OPEN,
        ProjectStatus.REJECTED,
        "proposal.rejected",
        MessageKind.REJECTED,
        body,
    )


def accept(rt: Runtime, project_id: str) -> Submitted:
    """Take a submitted proposal into the pipeline (status proposed), unpublished."""
    rt.require(Permission.IMPORT)
    with rt.uow(write=True) as uow:
        project = _get(uow, project_id)
        _move(uow, project_id, [ProjectStatus.SUBMITTED], ProjectStatus.PROPOSED)
        audit = AuditWriter(uow, rt.actor)
        audit.record("project.accepted", "project", project_id)
        # The proposer entered the store through the public form, unscreened (screening
        # a large list per anonymous request would be a way to load the server); they
        # become a counterparty of the pipeline here.
        contacts = [p for p in (uow.people.get(c) for c in project.contacts) if p]
        screen_new_counterparties(uow, audit, [person_party(p) for p in contacts])
        uow.commit()
    return Submitted(project_id=project_id, status=ProjectStatus.PROPOSED.value)


def publish(rt: Runtime, project_id: str) -> Moved:
    """Show a project on the portal, the public API and the open data."""
    return _publication(rt, project_id, published=True)


def unpublish(rt: Runtime, project_id: str) -> Moved:
    """Take a project off the portal again (its record and history stay)."""
    return _publication(rt, project_id, published=False)


def _publication(rt: Runtime, project_id: str, *, published: bool) -> Moved:
    rt.require(Permission.APPROVE)
    with rt.uow(write=True) as uow:
        project = _get(uow, project_id)
        if published and project.status in UNPUBLISHABLE:
            raise Conflict(
                f"{project_id} is {project.status.value}: only a project taken into the "
                "pipeline can be published"
            )
        if not uow.projects.set_published(project_id, published):
            state = "published" if published else "not published"
            raise Conflict(f"{project_id} is already {state}")
        action = "project.published" if published else "project.unpublished"
        AuditWriter(uow, rt.actor).record(action, "project", project_id)
        uow.commit()
    return Moved(project_id=project_id, status=project.status, published=published)


def _step(
    rt: Runtime,
    project_id: str,
    expected: Iterable[ProjectStatus],
    new: ProjectStatus | None,
    action: str,
    kind: MessageKind,
    body: str,
) -> Moved:
    """One staff move: status (when it changes) conditional on the expected one, the
    message for the proposer, and the audit event, in one transaction."""
    allowed = list(expected)
    with rt.uow(write=True) as uow:
        project = _get(uow, project_id)
        if new is None:
            if project.status not in allowed:
                raise Conflict(f"{project_id} is {project.status.value}; it takes no questions")
        else:
            _move(uow, project_id, allowed, new)
        uow.proposals.add_message(project_id, kind, body, datetime.now(UTC))
        AuditWriter(uow, rt.actor).record(action, "project", project_id, {"reason": body[:200]})
        uow.commit()
    return Moved(project_id=project_id, status=new or project.status, published=project.published)


def _move(
    uow: UnitOfWork, project_id: str, expected: Iterable[ProjectStatus], new: ProjectStatus
) -> None:
    allowed = list(expected)
    if not uow.projects.move_status(project_id, allowed, new):
        project = uow.projects.get(project_id)
        now = project.status.value if project else "gone"
        wanted = " or ".join(s.value for s in allowed)
        raise Conflict(f"{project_id} is {now}, not {wanted}: it cannot become {new.value}")


def _get(uow: UnitOfWork, project_id: str) -> Project:
    project = uow.projects.get(project_id)
    if project is None:
        raise NotFound(f"no project with id '{project_id}'")
    return project


def _required(text: str, field: str) -> str:
    body = (text or "").strip()
    if len(body) < 3:
        raise InvalidInput(f"write the {field}", [Problem("required", field=field)])
    if len(body) > 5000:
        raise InvalidInput(f"the {field} is too long", [Problem("at most 5000", field=field)])
    return body


def _messages(uow: UnitOfWork, project_id: str) -> list[Message]:
    return [Message(**m) for m in uow.proposals.messages(project_id)]


# -- what staff read --------------------------------------------------------------------


def submitted(rt: Runtime) -> list[str]:
    with rt.uow() as uow:
        return [p.id for p in uow.projects.list(status=ProjectStatus.SUBMITTED.value)]


def waiting(rt: Runtime, limit: int = 20) -> list[ProposalLine]:
    """Proposals waiting for staff (submitted), newest first, with their titles."""
    return list_proposals(rt, status=ProjectStatus.SUBMITTED.value, page=1, size=limit).items


def list_proposals(
    rt: Runtime, *, status: str | None = None, page: int = 1, size: int = PAGE_SIZE
) -> ProposalPage:
    """Proposals (sent through the form, or in an intake status), newest first, by page."""
    page = max(1, page)
    total, items = proposal_lines(rt, status=status, offset=(page - 1) * size, limit=size)
    wanted = ProjectStatus(status).value if status else None
    pages = max(1, -(-total // size))
    return ProposalPage(total=total, page=page, pages=pages, status=wanted, items=items)


def proposal_lines(
    rt: Runtime, *, status: str | None = None, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[int, list[ProposalLine]]:
    """How many proposals there are (of ``status``), and ``limit`` of them from
    ``offset``, newest first: counted and paged by the store, for any pager."""
    rt.require(Permission.READ_INTERNAL)
    wanted = ProjectStatus(status).value if status else None
    with rt.uow() as uow:
        total, rows = uow.proposals.page([s.value for s in INTAKE], wanted, offset, limit)
    return total, [ProposalLine(**r) for r in rows]


def detail(rt: Runtime, project_id: str) -> ProposalDetail:
    """Everything the proposer sent, its screening, reviews, messages and history.

    A reviewer reads only proposals assigned to them. The contact is included only for
    roles that may read protected data, and each such reading is an audit event
    (``person.viewed``) in the same transaction.
    """
    rt.require(Permission.READ_INTERNAL)
    who = rt.principal
    username = who.user.username if who and who.user else None
    sees_all = who is None or who.can(Permission.IMPORT) or who.can(Permission.ASSIGN_REVIEWS)
    sees_protected = who is None or who.can(Permission.READ_PROTECTED)
    with rt.uow() as uow:
        project = _get(uow, project_id)
        mine = uow.reviews.find(project_id, username) if username else None
        if not sees_all and mine is None and not sees_protected:
            raise Forbidden(f"{project_id} is not assigned to you")
        contacts = None
        if sees_protected:
            contacts = _contacts(uow, project)
            audit = AuditWriter(uow, rt.actor)
            for c in contacts:
                audit.record("person.viewed", "person", c.id, {"project": project_id})
        parties = [("person", c) for c in project.contacts]
        hits = [
            HitLine(
                hit=h.id or 0,
                status=s.value,
                watchlist=h.watchlist_id,
                score=h.score,
                matched=h.matched if sees_protected else "",
            )
            for h, s in uow.hits.with_status(counterparties=parties)
        ]
        events = uow.audit.list(record_type="project", record_id=project_id)
        reviewers = (
            sorted(u.username for u in uow.users.list() if Role.REVIEWER in u.roles and u.active)
            if who is None or who.can(Permission.ASSIGN_REVIEWS)
            else []
        )
        reviews = [
            ReviewLine(
                id=r["id"],
                reviewer=r["reviewer"],
                state=_review_state(r),
                scores=r["scores"],
                comment=r["comment"] if sees_all or r["reviewer"] == username else "",
            )
            for r in uow.reviews.list(project_id=project_id)
            if sees_all or r["reviewer"] == username
        ]
        areas = {a.code: a for a in uow.reference.areas()}
        regions = {r.code: r for r in uow.reference.regions()}
        area = areas.get(project.area)
        found = ProposalDetail(
            project=project,
            area=Named(
                code=project.area,
                name=area.name if area else project.area,
                name_ru=(area.name_ru or area.name) if area else project.area,
            ),
            regions=[
                Named(
                    code=code,
                    name=regions[code].name if code in regions else code,
                    name_ru=(regions[code].name_ru or regions[code].name)
                    if code in regions
                    else code,
                )
                for code in project.regions
            ],
            received_at=uow.proposals.received_at(project_id),
            published=project.published,
            published_at=uow.projects.published_at(project_id),
            people_reached=_people(project),
            contacts=contacts,
            screened=any(e.action == "project.accepted" for e in events) or bool(hits),
            hits=hits,
            reviews=reviews,
            messages=_messages(uow, project_id),
            history=[
                HistoryLine(at=e.at, actor=e.actor, action=e.action, details=e.details)
                for e in events
            ],
            reviewers=reviewers,
        )
        if contacts:
            uow.commit()
    return found


def _contacts(uow: UnitOfWork, project: Project) -> list[ContactView]:
    found = []
    for contact in project.contacts:
        person = uow.people.get(contact)
        if person is None:
            continue
        organisation = person.notes.removeprefix("organisation: ") if person.notes else ""
        found.append(
            ContactView(
                id=person.id,
                name=person.name,
                email=str(person.email or ""),
                organisation=organisation,
            )
        )
    return found


def _people(project: Project) -> float | None:
    outcome = project.outcomes.get("people_reached")
    return float(outcome.value.likely) if outcome is not None else None


def _review_state(row: dict[str, Any]) -> str:
    if row["conflict"] is None:
        return "awaiting declaration"
    if row["conflict"]:
        return "recused"
    return "submitted" if row["submitted_at"] else "to score"
