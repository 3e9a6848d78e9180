"""Results: a project's indicators, partners' reports with evidence, late reports.

Each use case is one unit of work with its audit event, like every import: the input is
read and checked in full first (indicators against their projects, reported values
against the indicators, evidence files against the type and size limits), and nothing
is written unless all of it is good.

A partner reports through a link staff issue per report (project and period): the
link's token is shown once and only its keyed hash is stored, as for a proposal's
reference code; whoever holds the link may send (and correct) that one report, and
nothing else; a new link for the same report replaces the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from pfund.domain import Project, ProjectStatus, ProtectionClass
from pfund.domain.account import Permission
from pfund.domain.project import is_public
from pfund.domain.protection import view
from pfund.domain.results import (
    Direction,
    Indicator,
    LateReport,
    ReportInput,
    ReportRecord,
    check_period,
    report_due,
)
from pfund.domain.results import report_id as report_id_of
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.io.evidence import CleanFile, clean_evidence
from pfund.io.files import read_records
from pfund.io.indicators import (
    check_indicators,
    check_linked_directions,
    check_report_rows,
    report_problems,
)
from pfund.services.audit import AuditWriter
from pfund.services.imports import known
from pfund.services.runtime import Runtime
from pfund.services.verified import Key, VerifiedFigure, verified_figures
from pfund.store.repositories.results import ResultsRepository
from pfund.store.tables import TrancheResultLinkRow
from pfund.store.unit_of_work import UnitOfWork

TOKEN_BYTES = 24
# Projects whose reports are expected: money is flowing or the work is done.
REPORTING = {ProjectStatus.FUNDED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED}
REPORTING_VALUES = {s.value for s in REPORTING}


class FrameworkImport(BaseModel):
    """What an indicators import wrote: how many indicators, for which projects."""

    kind: str = "indicators"
    file: str
    imported: int
    projects: list[str]


class PeriodResult(BaseModel):
    """One indicator in one period: the target and, once reported, what was achieved;
    once a verifier has checked it, the verified value and what was paid for it."""

    period: str
    target: Decimal
    achieved: Decimal | None = None
    report: str | None = None
    verified: VerifiedFigure | None = None


class IndicatorView(BaseModel):
    """An indicator as pages, the CLI and the API show it."""

    indicator: Indicator
    periods: list[PeriodResult]


class ProjectResults(BaseModel):
    project: str
    indicators: list[IndicatorView]


@dataclass(frozen=True)
class IssuedLink:
    """A report link as issued: the token is shown this once and never stored."""

    report_id: str
    project: str
    period: str
    due_on: date
    token: str


@dataclass(frozen=True)
class Upload:
    """An evidence file as a channel received it."""

    filename: str
    content: bytes


def repo(uow: UnitOfWork) -> ResultsRepository:
    return ResultsRepository(uow.session)


# -- the framework ----------------------------------------------------------------------
def import_indicators(rt: Runtime, path: Path) -> FrameworkImport:
    """Import indicators (CSV, JSON or YAML). Each project the file names gets exactly the
    indicators the file gives it (a re-import replaces its framework); all or nothing."""
    rt.require(Permission.IMPORT)
    records = read_records(path, key="indicators")
    with rt.uow() as uow:
        uow.hold_writes()  # as imports do: read as the writer (SQLite cannot upgrade later)
        wanted = {str(r.data.get("project") or "") for r in records}
        projects = {p: found for p in wanted if (found := uow.projects.get(p)) is not None}
        checked = check_indicators(records, known(uow), projects)
        check_linked_directions(checked, _linked(uow, sorted(projects)))
        if checked.problems:
            count = len(checked.problems)
            raise InvalidInput(
                f"{path.name}: {count} problem{'s' * (count != 1)} found; nothing was imported",
                checked.problems,
            )
        write_framework(uow, AuditWriter(uow, rt.actor), [i for _, i in checked.items], path.name)
        uow.commit()
    items = [i for _, i in checked.items]
    return FrameworkImport(
        file=path.name, imported=len(items), projects=sorted({i.project for i in items})
    )


def _linked(uow: UnitOfWork, projects: list[str]) -> dict[tuple[str, str], tuple[Direction, str]]:
    """The stored direction of each indicator of ``projects`` a tranche is paid on, and
    that tranche (the first by id)."""
    links = uow.session.execute(
        select(
            TrancheResultLinkRow.project_id,
            TrancheResultLinkRow.indicator,
            TrancheResultLinkRow.tranche_id,
        )
        .where(TrancheResultLinkRow.project_id.in_(projects))
        .order_by(TrancheResultLinkRow.tranche_id)
    ).all()
    if not links:
        return {}
    stored = {(i.project, i.code): i.direction for p in projects for i in repo(uow).indicators(p)}
    found: dict[tuple[str, str], tuple[Direction, str]] = {}
    for project, code, tranche in links:
        if (project, code) in stored:
            found.setdefault((project, code), (stored[(project, code)], tranche))
    return found


def write_framework(
    uow: UnitOfWork, audit: AuditWriter, items: list[Indicator], source: str
) -> None:
    """Replace each named project's indicators, one audit event per project."""
    by_project: dict[str, list[Indicator]] = {}
    for item in items:
        by_project.setdefault(item.project, []).append(item)
    results = repo(uow)
    for project_id, indicators in sorted(by_project.items()):
        results.replace_framework(project_id, indicators)
        audit.record(
            "results.framework_set",
            "project",
            project_id,
            {"source": source, "indicators": [i.code for i in indicators]},
        )


def set_direction(rt: Runtime, project_id: str, code: str, direction: str) -> Indicator:
    """Staff set which way an indicator improves ("increase" or "decrease": lower is
    better). The indicator is checked whole again (a decreasing one needs every target
    below its baseline, refused naming the field 'targets'); an indicator a tranche is
    paid on keeps its direction (its formula was checked in it): unlink it first."""
    rt.require(Permission.IMPORT)
    with rt.uow(write=True) as uow:
        found = {i.code: i for i in repo(uow).indicators(project_id)}
        if code not in found:
            raise NotFound(f"project {project_id} has no indicator '{code}'")
        old = found[code]
        try:
            new = Indicator.model_validate(old.model_dump() | {"direction": direction})
        except ValidationError as exc:
            problems = [
                Problem(str(e["msg"]), field=".".join(str(p) for p in e["loc"]) or None)
                for e in exc.errors()
            ]
            raise InvalidInput(
                f"indicator {code} of {project_id} cannot be {direction}; nothing changed",
                problems,
            ) from exc
        if new.direction is old.direction:
            return old
        linked = uow.session.scalars(
            select(TrancheResultLinkRow.tranche_id).where(
                TrancheResultLinkRow.project_id == project_id,
                TrancheResultLinkRow.indicator == code,
            )
        ).first()
        if linked is not None:
            raise Conflict(
                f"tranche {linked} is paid on indicator {code}; its formula was checked in "
                "the indicator's direction, so link it again after the change",
                [Problem("unlink the tranche first", field="direction")],
            )
        repo(uow).set_direction(project_id, code, new.direction)
        AuditWriter(uow, rt.actor).record(
            "results.direction_set",
            "project",
            project_id,
            {"indicator": code, "from": old.direction.value, "to": new.direction.value},
        )
        uow.commit()
    return new


class FrameworkCounts(BaseModel):
    indicators: int
    projects: int


def framework_counts(rt: Runtime) -> FrameworkCounts:
    """How many indicators the store holds, for how many projects (public figures)."""
    with rt.uow() as uow:
        found = repo(uow).indicators()
    return FrameworkCounts(indicators=len(found), projects=len({i.project for i in found}))


def project_results(
    rt: Runtime, project_id: str, *, public: bool = False, stored: Project | None = None
) -> ProjectResults:
    """A project's indicators with targets and achieved values by period. ``public``:
    only a public project (published, past intake) is shown, as the portal shows it.
    ``stored``: the project, when the caller has already read it."""
    if not public:
        rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        project = stored if stored is not None else uow.projects.get(project_id)
        if project is None or (public and not is_public(project)):
            raise NotFound(f"no project with id '{project_id}'")
        results = repo(uow)
        indicators = results.indicators(project_id)
        reports = [r for r in results.reports(project_id) if r.submitted]
        shown = view(project, audience=ProtectionClass.PUBLIC) if public else {}
        if public and "regions" not in shown:
            # a project that protects where it works shows no indicator's regions either
            indicators = [i.model_copy(update={"regions": []}) for i in indicators]
        if public and "outcomes" not in shown and project.outcomes:
            indicators = []  # its targets are the predicted outcomes it protects
        verified = verified_figures(uow, project_id) if indicators else {}
    return ProjectResults(project=project_id, indicators=_views(indicators, reports, verified))


def _views(
    indicators: list[Indicator],
    reports: list[ReportRecord],
    verified: dict[Key, VerifiedFigure] | None = None,
) -> list[IndicatorView]:
    achieved = {key: value for r in reports for key, value in _achieved(r).items()}
    verified = verified or {}
    return [
        IndicatorView(
            indicator=i,
            periods=[
                PeriodResult(
                    period=p,
                    target=t,
                    achieved=achieved.get((p, i.code), (None, None))[0],
                    report=achieved.get((p, i.code), (None, None))[1],
                    verified=verified.get((i.project, i.code, p)),
                )
                for p, t in i.targets.items()
            ],
        )
        for i in indicators
    ]


def _achieved(report: ReportRecord) -> dict[tuple[str, str], tuple[Decimal, str]]:
    """Each indicator's achieved value in a report: its total when the partner gave one,
    else the sum of its regions' values."""
    totals: dict[str, Decimal] = {}
    parts: dict[str, Decimal] = {}
    for v in report.values:
        if v.region:
            parts[v.indicator] = parts.get(v.indicator, Decimal(0)) + v.value
        else:
            totals[v.indicator] = v.value
    return {(report.period, code): (value, report.id) for code, value in (parts | totals).items()}


# -- report links ------------------------------------------------------------------------
def token_hash(rt: Runtime, token: str) -> str:
    """What is stored of a report link's token: its keyed hash (HMAC-SHA256)."""
    return hmac.new(
        rt.keys.secret_key.encode("utf-8"),
        f"report-token\x00{token.strip()}".encode(),
        hashlib.sha256,
    ).hexdigest()


def issue_report_link(
    rt: Runtime, project_id: str, period: str, *, due_on: date | None = None
) -> IssuedLink:
    """Issue (or re-issue, which revokes the old link) the link for a project's report on
    a period; the period must be one the project's indicators have a target for."""
    rt.require(Permission.IMPORT)
    period = _period(period)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = datetime.now(UTC)
    with rt.uow() as uow:
        if uow.projects.get(project_id) is None:
            raise NotFound(f"no project with id '{project_id}'")
        results = repo(uow)
        _known_period(project_id, period, results.indicators(project_id))
        existing = results.report_for(project_id, period)
        if existing is None:
            report_id = report_id_of(project_id, period)
            due = due_on or report_due(period)
            results.add_request(
                report_id=report_id,
                project_id=project_id,
                period=period,
                due_on=due,
                token_hash=token_hash(rt, token),
                issued_at=now,
            )
        else:
            report_id, due = existing.id, existing.due_on
            results.set_token(report_id, token_hash(rt, token), now)
        AuditWriter(uow, rt.actor).record(
            "results.link_issued", "report", report_id, {"project": project_id, "period": period}
        )
        uow.commit()
    return IssuedLink(report_id, project_id, period, due, token)


def _period(period: str) -> str:
    try:
        return check_period(period)
    except ValueError as err:
        raise InvalidInput("bad period", [Problem(str(err), field="period")]) from None


def _known_period(project_id: str, period: str, framework: list[Indicator]) -> None:
    periods = sorted({p for i in framework for p in i.targets})
    if period not in periods:
        listed = ", ".join(periods) or "none: import its indicators first"
        raise InvalidInput(
            f"project {project_id} has no target for period {period}",
            [Problem(f"its periods: {listed}", field="period")],
        )


def report_by_token(rt: Runtime, token: str) -> tuple[ReportRecord, list[Indicator]]:
    """The report a link opens and the indicators it asks for; an unknown (or revoked)
    token is not found, saying nothing of which reports exist."""
    with rt.uow() as uow:
        results = repo(uow)
        report = results.report_by_token(token_hash(rt, token)) if token else None
        if report is None:
            raise NotFound("this report link is not valid (it may have been replaced)")
        return report, _asked(results.indicators(report.project), report.period)


def _asked(framework: list[Indicator], period: str) -> list[Indicator]:
    return [i for i in framework if period in i.targets]


# -- sending a report --------------------------------------------------------------------
def submit_by_token(
    rt: Runtime, token: str, report: ReportInput, uploads: list[Upload], *, channel: str
) -> ReportRecord:
    """A partner's report through its link: it must be the link's project and period."""
    opened, _ = report_by_token(rt, token)
    if (report.project, report.period) != (opened.project, opened.period):
        raise InvalidInput(
            "this link is for another report",
            [Problem(f"the link is for {opened.project} {opened.period}", field="period")],
        )
    return _submit(rt, report, uploads, channel=channel, actor=f"partner-link:{opened.id}")


def submit_report(
    rt: Runtime, report: ReportInput, uploads: list[Upload], *, channel: str
) -> ReportRecord:
    """A report entered by staff (or the API's analyst) for a project and period."""
    rt.require(Permission.IMPORT)
    return _submit(rt, report, uploads, channel=channel, actor=rt.actor)


def _submit(
    rt: Runtime, report: ReportInput, uploads: list[Upload], *, channel: str, actor: str
) -> ReportRecord:
    files = clean_all(uploads)
    now = datetime.now(UTC)
    with rt.uow() as uow:
        results = repo(uow)
        _check_report(report, results.indicators(report.project))
        report_id = _store_report(results, report, files, channel=channel, at=now)
        AuditWriter(uow, actor).record(
            "results.reported", "report", report_id, _details(report, files, channel)
        )
        uow.commit()
        stored = results.report(report_id)
    assert stored is not None
    return stored


def clean_all(uploads: list[Upload]) -> list[CleanFile]:
    """Every file cleaned (images stripped of metadata) or every refusal at once."""
    files, problems = [], []
    for upload in uploads:
        try:
            files.append(clean_evidence(upload.filename, upload.content))
        except InvalidInput as err:
            problems.extend(err.problems)
    if problems:
        raise InvalidInput("evidence refused; nothing was stored", problems)
    return files


def _check_report(report: ReportInput, framework: list[Indicator]) -> None:
    found = report_problems(report, framework)
    if found:
        raise InvalidInput(
            f"the report for {report.project} {report.period} cannot be accepted; "
            "nothing was stored",
            [Problem(reason, field=fld) for fld, reason, _ in found],
        )


def _store_report(
    results: ResultsRepository,
    report: ReportInput,
    files: list[CleanFile],
    *,
    channel: str,
    at: datetime,
) -> str:
    existing = results.report_for(report.project, report.period)
    if existing is None:
        report_id = report_id_of(report.project, report.period)
        results.add_request(
            report_id=report_id,
            project_id=report.project,
            period=report.period,
            due_on=report_due(report.period),
            token_hash=None,
            issued_at=None,
        )
    else:
        report_id = existing.id
    results.submit(report_id, report.values, channel=channel, at=at)
    for f in files:
        results.add_file(f.sha256, f.media_type, f.content, at)
        results.link_file(report_id, f.sha256, f.filename)
    return report_id


def _details(report: ReportInput, files: list[CleanFile], channel: str) -> dict[str, object]:
    """What the audit keeps: the numbers and file hashes, never a file's name (a name may
    say who took a photo, or where)."""
    return {
        "project": report.project,
        "period": report.period,
        "channel": channel,
        "values": {
            f"{v.indicator}{'@' + v.region if v.region else ''}": str(v.value)
            for v in report.values
        },
        "evidence": [f.sha256 for f in files],
    }


def import_reports(rt: Runtime, path: Path) -> list[str]:
    """Reports from a CSV file (one value a row), all or nothing; the report ids."""
    rt.require(Permission.IMPORT)
    records = read_records(path, key="reports")
    now = datetime.now(UTC)
    with rt.uow() as uow:
        results = repo(uow)
        wanted = {str(r.data.get("project") or "").strip() for r in records}
        frameworks = {p: results.indicators(p) for p in wanted}
        reports, problems = check_report_rows(records, frameworks)
        if problems:
            count = len(problems)
            raise InvalidInput(
                f"{path.name}: {count} problem{'s' * (count != 1)} found; nothing was imported",
                problems,
            )
        audit = AuditWriter(uow, rt.actor)
        ids = []
        for report in reports:
            report_id = _store_report(results, report, [], channel="csv", at=now)
            audit.record("results.reported", "report", report_id, _details(report, [], "csv"))
            ids.append(report_id)
        uow.commit()
    return ids


# -- late and missing --------------------------------------------------------------------
def late_reports(rt: Runtime, *, today: date | None = None) -> list[LateReport]:
    """Reports past their due date and not in: requested ones not sent, and periods of a
    funded (or later) project's indicators that nobody was even asked to report on."""
    rt.require(Permission.READ_INTERNAL)
    today = today or datetime.now(UTC).date()
    with rt.uow() as uow:
        results = repo(uow)
        requests = results.request_keys()
        statuses = results.statuses_of_projects_with_indicators()
        periods = {(i.project, p) for i in results.indicators() for p in i.targets}
    late = []
    for project, period in sorted(periods | set(requests)):
        request = requests.get((project, period))
        if request is not None and request["submitted_at"] is not None:
            continue
        if request is None and statuses.get(project) not in REPORTING_VALUES:
            continue
        due = request["due_on"] if request else report_due(period)
        if due < today:
            late.append(
                LateReport(
                    project=project,
                    period=period,
                    due_on=due,
                    days_late=(today - due).days,
                    report=request["id"] if request else None,
                )
            )
    return late


def evidence_file(rt: Runtime, sha256: str) -> tuple[str, bytes]:
    """A stored evidence file's media type and bytes, for staff."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        found = repo(uow).file_content(sha256)
    if found is None:
        raise NotFound(f"no evidence file {sha256[:64]}")
    return found


def evidence_content(rt: Runtime, sha256: str) -> bytes:
    """A stored evidence file's bytes, for staff."""
    return evidence_file(rt, sha256)[1]


def project_reports(rt: Runtime, project_id: str) -> list[ReportRecord]:
    """Every report of a project, requested or sent, with its evidence, for staff."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        return repo(uow).reports(project_id)
