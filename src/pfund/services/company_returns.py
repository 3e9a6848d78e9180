"""The companies' return: tracker lists imported, each company's pipeline, by phase.

A tracker list is imported all or nothing: the file is read and every row checked
(statuses mapped explicitly, countries and sectors known, names matched against the
companies already stored) before anything is written; then, in one transaction, the list
is recorded with its source, address, date and sha256, new companies become
organisations, known ones take the tracker's new word, and one audit event accounts for
it. A stage move is one step along the pipeline, conditional on the stage the caller
read, audited, and, for ``returning`` and ``returned``, refused until the company's
sanctions-relief phase has opened (its stage reached), naming the phase and what is
missing. A return may also fall back to any earlier stage of the pipeline (talks broke
down: in contact -> withdrawn; a return stalled: returning -> conditions agreed): such a
move needs its reason (at least 10 characters), keeps the company's sanctions-relief
phase and the dates of the later stages it had reached; the stage it falls back to
takes the day of the fall back, and its audit event (with the reason and the date it
replaces) keeps the stage history (:func:`stage_history`). Falling back to withdrawn
marks the re-engagement declined.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel

from pfund.conditions.relief import relief_phases, return_refusal, stage_for_phase
from pfund.conditions.stages import stage_reached, statuses_of
from pfund.domain import Stage
from pfund.domain.account import Permission
from pfund.domain.company_return import (
    LEFT,
    NEEDS_RELIEF,
    PIPELINE,
    CompanyList,
    CompanyReturn,
    ReturnStage,
    Tracker,
    earlier_stages,
    next_stage,
)
from pfund.domain.enums import OrganisationKind, ReengagementStatus
from pfund.domain.organisation import CompanyProfile, Organisation
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.io.company_lists import CompanyListFile, ListedCompany, read_company_list
from pfund.services.audit import AuditWriter
from pfund.services.matching import MatchView, match_company
from pfund.services.runtime import Runtime
from pfund.store.repositories.companies import CompanyRepository
from pfund.store.unit_of_work import UnitOfWork

__all__ = [
    "CompanyImport",
    "PhaseView",
    "ReturnLine",
    "company_lists",
    "company_pipeline",
    "import_company_list",
    "match_returning",
    "move_company",
    "returns_by_phase",
    "stage_history",
    "store_company_list",
]
MIN_REASON = 10

REENGAGEMENT = {
    ReturnStage.IN_CONTACT: ReengagementStatus.IN_TALKS,
    ReturnStage.CONDITIONS_AGREED: ReengagementStatus.COMMITTED,
    ReturnStage.RETURNING: ReengagementStatus.COMMITTED,
    ReturnStage.RETURNED: ReengagementStatus.COMMITTED,
}


class CompanyImport(BaseModel):
    listing: CompanyList
    companies: int
    new_organisations: list[str]
    in_pipeline: int
    operating: int


class ReturnLine(BaseModel):
    """A company on the staff's pipeline: its record, public name and what it waits for."""

    company: CompanyReturn
    name: str
    home_country: str | None
    next: ReturnStage | None
    phase: int | None  # the sanctions-relief phase its return needs
    blocked: str | None  # why the next move would be refused now, if it would


class StageMove(BaseModel):
    """One move of a company's stage, as its audit event recorded it."""

    organisation_id: str
    old: str
    new: str
    on: date
    back: bool
    reason: str
    actor: str
    at: datetime


class PhaseView(BaseModel):
    """A sanctions-relief phase and the returns it unlocks (public: counts and stages)."""

    phase: int
    stage: int
    stage_name: str
    stage_name_ru: str
    condition: str
    condition_title: str
    condition_title_ru: str
    open: bool
    by_stage: dict[str, int]
    total: int


def import_company_list(
    rt: Runtime, path: Path, *, tracker: Tracker, source: str, url: str = "", as_of: date
) -> CompanyImport:
    """Record a tracker's list, all or nothing (every problem named, nothing stored)."""
    rt.require(Permission.IMPORT)
    parsed = read_company_list(path, tracker)
    with rt.uow() as uow:
        uow.hold_writes()
        done = store_company_list(
            uow, AuditWriter(uow, rt.actor), parsed, source=source, url=url, as_of=as_of
        )
        uow.commit()
    return done


def store_company_list(
    uow: UnitOfWork,
    audit: AuditWriter,
    parsed: CompanyListFile,
    *,
    source: str,
    url: str,
    as_of: date,
) -> CompanyImport:
    """Check a read list against the store and write it with one audit event, or raise."""
    repo = CompanyRepository(uow.session)
    earlier = repo.list_by_sha256(parsed.sha256)
    if earlier is not None:
        raise Conflict(
            f"{parsed.file} was imported already as {earlier.id} (the {earlier.as_of} list "
            f"of {earlier.source}); nothing was stored"
        )
    listing = _listing(parsed, source=source, url=url, as_of=as_of)
    stages = uow.stages.list()
    orgs, problems = _match(uow, parsed)
    if problems:
        raise InvalidInput(f"{parsed.file}: nothing was stored", problems)
    known = {r.organisation_id for r in repo.returns()}
    repo.add_list(listing)
    fresh, created = _new_organisations(uow, parsed, orgs, listing)
    returns = [_return(c, orgs[c.name.casefold()], listing, stages) for c in parsed.companies]
    by_id = {o.id: o for o in orgs.values()}
    for found in returns:
        org = by_id[found.organisation_id]
        if org.company is not None and found.organisation_id not in fresh:
            uow.organisations.set_company_status(
                found.organisation_id, found.russia_status, org.company.reengagement
            )
    repo.add_returns([r for r in returns if r.organisation_id not in known])
    for found in returns:
        if found.organisation_id in known:
            repo.relist(found)
    in_pipeline = sum(1 for r in returns if r.stage is not ReturnStage.OPERATING)
    audit.record(
        "companies.imported",
        "company_list",
        listing.id,
        {
            "file": parsed.file,
            "sha256": parsed.sha256,
            "tracker": parsed.tracker.value,
            "source": source,
            "url": url,
            "as_of": as_of.isoformat(),
            "companies": len(returns),
            "new_organisations": created,
        },
    )
    return CompanyImport(
        listing=listing,
        companies=len(returns),
        new_organisations=created,
        in_pipeline=in_pipeline,
        operating=len(returns) - in_pipeline,
    )


def _listing(parsed: CompanyListFile, *, source: str, url: str, as_of: date) -> CompanyList:
    problems = []
    if len(source.strip()) < 2:
        problems.append(Problem("name who published the list", field="source"))
    if len(url) > 500 or (url and not url.startswith(("http://", "https://"))):
        problems.append(Problem("an http(s) address of at most 500 characters", field="url"))
    if problems:
        raise InvalidInput("the list's source is not valid; nothing was stored", problems)
    return CompanyList(
        id=f"CL-{parsed.sha256[:12]}",
        tracker=parsed.tracker,
        source=source.strip()[:300],
        url=url,
        as_of=as_of,
        file=parsed.file[:300],
        sha256=parsed.sha256,
        rows=len(parsed.companies),
        imported_at=datetime.now(UTC),
    )


def _match(
    uow: UnitOfWork, parsed: CompanyListFile
) -> tuple[dict[str, Organisation], list[Problem]]:
    """Stored organisations by the list's names (casefolded); a name held by an
    organisation that is not a company, or a new company without a country, is a problem."""
    by_name = {o.name.casefold(): o for o in uow.organisations.list()}
    found: dict[str, Organisation] = {}
    problems = []
    for c in parsed.companies:
        org = by_name.get(c.name.casefold())
        if org is not None and org.kind is not OrganisationKind.COMPANY:
            reason = f"'{c.name}' is {org.id}, a {org.kind.value}, not a company"
            problems.append(Problem(reason, parsed.file, c.row, "name"))
        elif org is None and c.country is None:
            reason = f"'{c.name}' is a new company: its country (headquarters) is needed"
            problems.append(Problem(reason, parsed.file, c.row, "country"))
        elif org is not None:
            found[c.name.casefold()] = org
    return found, problems


def _new_organisations(
    uow: UnitOfWork,
    parsed: CompanyListFile,
    orgs: dict[str, Organisation],
    listing: CompanyList,
) -> tuple[set[str], list[str]]:
    """Add the list's companies the store lacks, as ORG-NNNN after the highest such id."""
    taken = uow.organisations.ids()
    number = max((int(i[4:]) for i in taken if i[:4] == "ORG-" and i[4:].isdigit()), default=0)
    new = []
    for c in parsed.companies:
        if c.name.casefold() in orgs:
            continue
        number += 1
        org = _organisation(c, f"ORG-{number:04d}", listing)
        orgs[c.name.casefold()] = org
        new.append(org)
    uow.organisations.add_many(new)
    uow.session.flush()
    ids = [o.id for o in new]
    return set(ids), ids


def _organisation(c: ListedCompany, org_id: str, listing: CompanyList) -> Organisation:
    assert c.country is not None
    return Organisation(
        id=org_id,
        name=c.name,
        kind=OrganisationKind.COMPANY,
        country=c.country,
        areas=[c.area],
        company=CompanyProfile(russia_status=c.russia_status, home_country=c.country),
        notes=f"Imported from {listing.source}, list of {listing.as_of} ({listing.file}).",
    )


def _return(
    c: ListedCompany, org: Organisation, listing: CompanyList, stages: list[Stage]
) -> CompanyReturn:
    left = c.russia_status in LEFT
    return CompanyReturn(
        organisation_id=org.id,
        list_id=listing.id,
        listed_name=c.name,
        tracker=listing.tracker,
        grade=c.grade,
        tracker_status=c.status,
        russia_status=c.russia_status,
        sector=c.sector,
        needs_stage=stage_for_phase(stages, c.phase),
        stage=ReturnStage.WITHDRAWN if left else ReturnStage.OPERATING,
        withdrawn_on=listing.as_of if left else None,
    )


def move_company(
    rt: Runtime, org_id: str, stage: ReturnStage | str, *, on: date, reason: str = ""
) -> CompanyReturn:
    """Move a company one stage on its way back, or back to an earlier stage with its
    ``reason``, on the day ``on``; audited."""
    rt.require(Permission.IMPORT)
    try:
        target = ReturnStage(stage)
    except ValueError:
        known = ", ".join(s.value for s in PIPELINE)
        raise InvalidInput(
            "unknown stage", [Problem(f"'{stage}' is not a stage ({known})", field="stage")]
        ) from None
    with rt.uow(write=True) as uow:  # reads the conditions the move may need
        moved = move_in(uow, AuditWriter(uow, rt.actor), org_id, target, on=on, reason=reason)
        uow.commit()
    return moved


def move_in(
    uow: UnitOfWork,
    audit: AuditWriter,
    org_id: str,
    target: ReturnStage,
    *,
    on: date,
    reason: str = "",
) -> CompanyReturn:
    """The move inside the caller's unit of work (which holds the money lock)."""
    repo = CompanyRepository(uow.session)
    found = repo.get(org_id)
    if found is None:
        raise NotFound(f"no company '{org_id}' on an imported list")
    back = target in earlier_stages(found.stage)
    why = _check_back(found, on, reason) if back else _check_move(uow, found, target, on)
    replaced = getattr(found, f"{target.value}_on") if back else None
    if not repo.move(org_id, old=found.stage, new=target, on=on):
        raise Conflict(f"{org_id} moved while this was decided; nothing was changed")
    org = uow.organisations.get(org_id)
    if org is not None and org.company is not None:
        again = REENGAGEMENT.get(target, ReengagementStatus.DECLINED if back else None)
        if again is not None:
            uow.organisations.set_company_status(org_id, org.company.russia_status, again)
    details = {"from": found.stage.value, "to": target.value, "on": on.isoformat()}
    if back:
        details |= {"back": "yes", "reason": why, "replaced": str(replaced or "")}
    audit.record("company.stage_moved", "organisation", org_id, details)
    moved = repo.get(org_id)
    assert moved is not None
    return moved


def _check_back(found: CompanyReturn, on: date, reason: str) -> str:
    """A fall back needs its reason and a day no earlier than the present stage's."""
    problems = []
    text = reason.strip()
    if len(text) < MIN_REASON:
        why = f"say in at least {MIN_REASON} characters why the return fell back"
        problems.append(Problem(why, field="reason"))
    since = found.since()
    if since is not None and on < since:
        problems.append(Problem(f"{on} is before {found.stage.value} on {since}", field="on"))
    if problems:
        raise InvalidInput("a move back needs its reason and a valid day", problems)
    return text[:300]


def _check_move(uow: UnitOfWork, found: CompanyReturn, target: ReturnStage, on: date) -> str:
    who = found.organisation_id
    allowed = next_stage(found.stage)
    if target is not allowed:
        where = "is not in the return pipeline (its tracker says it operates in Russia)"
        if allowed is not None:
            where = f"is {found.stage.value}: its next stage is {allowed.value}"
        elif found.stage is ReturnStage.RETURNED:
            where = "has returned: no stage follows"
        raise Conflict(f"{who} {where}; nothing was changed")
    since = found.since()
    if since is not None and on < since:
        raise InvalidInput(
            "a stage cannot come before the one it follows",
            [Problem(f"{on} is before {found.stage.value} on {since}", field="on")],
        )
    if target in NEEDS_RELIEF:
        statuses = statuses_of(uow.conditions.list())
        why = return_refusal(found.needs_stage, uow.stages.list(), statuses)
        if why is not None:
            raise Conflict(f"{who} cannot be marked {target.value}: {why}; nothing was changed")
    return ""


def stage_history(rt: Runtime, org_ids: list[str] | None = None) -> dict[str, list[StageMove]]:
    """Every recorded move of each company's stage (forward and back), oldest first,
    read from the audit log, which keeps them append-only."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        events = uow.audit.list(record_type="organisation")
    wanted = None if org_ids is None else set(org_ids)
    found: dict[str, list[StageMove]] = {}
    for e in events:
        if e.action != "company.stage_moved" or (wanted is not None and e.record_id not in wanted):
            continue
        d = e.details
        found.setdefault(e.record_id, []).append(
            StageMove(
                organisation_id=e.record_id,
                old=str(d.get("from", "")),
                new=str(d.get("to", "")),
                on=date.fromisoformat(str(d.get("on"))),
                back=d.get("back") == "yes",
                reason=str(d.get("reason", "")),
                actor=e.actor,
                at=e.at,
            )
        )
    return found


def company_lists(rt: Runtime) -> list[CompanyList]:
    with rt.uow() as uow:
        return CompanyRepository(uow.session).lists()


def company_pipeline(rt: Runtime, *, stage: ReturnStage | None = None) -> list[ReturnLine]:
    """Every company on an imported list (or those at ``stage``), pipeline order."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        returns = CompanyRepository(uow.session).returns()
        orgs = uow.organisations.many(r.organisation_id for r in returns)
        stages = uow.stages.list()
        statuses = statuses_of(uow.conditions.list())
    order = {s: i for i, s in enumerate(ReturnStage)}
    phase_of = {p.stage: p.number for p in relief_phases(stages)}
    lines = []
    for r in sorted(returns, key=lambda r: (-order[r.stage], r.organisation_id)):
        if stage is not None and r.stage is not stage:
            continue
        org = orgs[r.organisation_id]
        upcoming = next_stage(r.stage)
        blocked = (
            return_refusal(r.needs_stage, stages, statuses) if upcoming in NEEDS_RELIEF else None
        )
        home = org.company.home_country if org.company else None
        lines.append(
            ReturnLine(
                company=r,
                name=org.public_name(),
                home_country=home,
                next=upcoming,
                phase=phase_of.get(r.needs_stage),
                blocked=blocked,
            )
        )
    return lines


def returns_by_phase(rt: Runtime) -> list[PhaseView]:
    """Each sanctions-relief phase, whether it is open, and the returns it unlocks by stage."""
    with rt.uow() as uow:
        returns = CompanyRepository(uow.session).returns()
        stages = uow.stages.list()
        conditions = {c.code: c for c in uow.conditions.list()}
    reached = stage_reached(stages, statuses_of(conditions.values()))
    named = {s.number: s for s in stages}
    views = []
    for phase in relief_phases(stages):
        mine = [r for r in returns if r.needs_stage == phase.stage and r.stage in PIPELINE]
        counts = {s.value: sum(1 for r in mine if r.stage is s) for s in PIPELINE}
        cond = conditions.get(phase.condition)
        views.append(
            PhaseView(
                phase=phase.number,
                stage=phase.stage,
                stage_name=named[phase.stage].name,
                stage_name_ru=named[phase.stage].name_ru,
                condition=phase.condition,
                condition_title=cond.title if cond else phase.condition,
                condition_title_ru=(cond.title_ru if cond else "") or "",
                open=reached >= phase.stage,
                by_stage=counts,
                total=len(mine),
            )
        )
    return views


def match_returning(rt: Runtime, *, on: date, limit: int = 3) -> dict[str, list[MatchView]]:
    """The matcher's projects for each company returning or returned, by company id."""
    rt.require(Permission.READ_INTERNAL)
    back = (ReturnStage.RETURNING, ReturnStage.RETURNED)
    ids = [
        line.company.organisation_id for line in company_pipeline(rt) if line.company.stage in back
    ]
    return {org_id: match_company(rt, org_id, on=on, limit=limit) for org_id in ids}
