"""The staff workspace: import, appraise, optimise, compare, approve, pay, set conditions.

Every page needs a signed-in user and every action the permission its service needs;
forms carry the session's CSRF token. Pages call the same services as the API and the
CLI, acting as the signed-in user, so the audit log names them.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pfund.api.deps import PrincipalDep, RowId, RuntimeDep, SettingsDep, acting, app_settings
from pfund.api.routes.projects import SUFFIXES, import_upload
from pfund.api.uploads import upload_name
from pfund.domain import TrancheStatus
from pfund.domain.account import Permission, Principal
from pfund.domain.compliance import CounterpartyKind
from pfund.errors import Forbidden, InvalidInput, NotFound, PfundError, Problem
from pfund.screening import wording
from pfund.screening.names import PERSON
from pfund.screening.score import Explanation, best_alignment, explanation
from pfund.services import (
    conditions,
    hit_review,
    job_files,
    portal,
    proposals,
    reviews,
    screening,
    tranches,
)
from pfund.services import gate as money_gate
from pfund.services.appraisal import outcome_costs
from pfund.services.compare import compare_runs
from pfund.services.filters import HitFilter
from pfund.services.portfolio import report_of_record
from pfund.services.records import get_record
from pfund.services.results import import_indicators
from pfund.services.runtime import Runtime
from pfund.services.tranche_actions import tranche_actions
from pfund.services.unfreeze import unfreeze_tranche
from pfund.services.writes import Replayed
from pfund.settings import Settings
from pfund.web.counts import counted
from pfund.web.forms import check_csrf, form_key, new_form_key
from pfund.web.jobs import LocalJobs
from pfund.web.labels import N_
from pfund.web.paging import paginate, paginate_stored
from pfund.web.rate_words import source_names_for
from pfund.web.refusals import staff_path
from pfund.web.render import language, render

router = APIRouter(prefix="/staff", include_in_schema=False)
IMPORT_KINDS = ("projects", "organisations", "people", "indicators")
REVIEW_STATES = ("awaiting declaration", "to score", "submitted", "recused")


class SignInRequired(Exception):
    """Raised for a page that needs a signed-in user; answered with a redirect."""


def staff(who: PrincipalDep) -> Principal:
    if who.user is None or not who.can(Permission.READ_INTERNAL):
        raise SignInRequired()
    return who


StaffDep = Annotated[Principal, Depends(staff)]
CsrfField = Annotated[str, Form(alias="csrf_token")]
# A key generated with each money form (``form_key``): sent twice, it moves money once.
KeyField = Annotated[str, Form(max_length=100)]
# The list (with its filters and page) a form was sent from, to return to it.
BackField = Annotated[str, Form(max_length=2000)]


def _allowed(who: Principal, permission: Permission) -> None:
    if not who.can(permission):
        raise Forbidden(f"your role does not allow: {permission.value.replace('_', ' ')}")


def jobs(request: Request) -> LocalJobs:
    found: LocalJobs = request.app.state.jobs
    return found


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request, rt: RuntimeDep, who: StaffDep, kind: str = "", status: str = ""
) -> HTMLResponse:
    with rt.uow() as uow:
        every = uow.decisions.headings()
    runs = [r for r in every if (not kind or r.kind == kind) and (not status or r.status == status)]
    return render(
        request,
        "staff/dashboard.html.j2",
        overview=portal.overview(rt),
        runs=paginate(runs, request.query_params, "/staff", per_page=25),
        run_kinds=sorted({r.kind for r in every}),
        run_statuses=sorted({r.status for r in every}),
        chosen={"kind": kind, "status": status},
        waiting=proposals.waiting(acting(rt, who)),
        my_reviews=reviews.list_reviews(rt, reviewer=who.user.username if who.user else None),
        can=who.can,
        P=Permission,
        message=request.query_params.get("message"),
    )


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, who: StaffDep) -> HTMLResponse:
    _allowed(who, Permission.IMPORT)  # a role that cannot import is not shown the form
    return _import_page(request, who)


@router.post("/import", response_class=HTMLResponse)
def import_file(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    file: UploadFile,
    kind: Annotated[str, Form()],
    settings: SettingsDep,
    allow_cost_changes: Annotated[bool, Form()] = False,
    as_job: Annotated[bool, Form()] = False,
    csrf_token: CsrfField = "",
) -> Response:
    """Import a file as the CLI does; "allow cost changes" is the CLI's
    ``--allow-cost-changes``, offered to the roles that may approve (the service checks
    it again and records it in each update's audit event). A file larger than
    ``import_job_bytes``, or one sent "as a job", is stored and imported by a worker;
    the page then follows the job."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.IMPORT)
    try:
        name = upload_name(file.filename, "upload.csv")
        if kind not in IMPORT_KINDS or Path(name).suffix.lower() not in SUFFIXES:
            raise NotFound(f"cannot import '{name}' as {kind}")
        content = file.file.read()
        if as_job or len(content) > settings.import_job_bytes:
            return _queue_import(
                request, acting(rt, who), settings, kind, name, content, allow_cost_changes
            )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            result: Any = (
                import_indicators(acting(rt, who), path)
                if kind == "indicators"
                else import_upload(acting(rt, who), kind, path, allow_cost_changes)
            )
    except PfundError as err:
        return _import_page(request, who, status=400, error=err)
    return _import_page(request, who, result=result)


def _queue_import(
    request: Request,
    rt: Runtime,
    settings: Settings,
    kind: str,
    name: str,
    content: bytes,
    allow_cost_changes: bool,
) -> Response:
    job = job_files.queue_import(
        rt,
        kind,
        name,
        content,
        allow_cost_changes=allow_cost_changes,
        max_attempts=settings.job_max_attempts,
    )
    request.app.state.jobs.kick()
    return RedirectResponse(f"/staff/jobs/{job.id}", status_code=303)


def _import_page(
    request: Request, who: Principal, *, status: int = 200, **shown: Any
) -> HTMLResponse:
    context: dict[str, Any] = {"result": None, "error": None, **shown}
    return render(
        request,
        "staff/import.html.j2",
        status=status,
        kinds=IMPORT_KINDS,
        can=who.can,
        P=Permission,
        job_bytes=app_settings(request).import_job_bytes,
        **context,
    )


@router.post("/appraise")
def appraise(
    request: Request, rt: RuntimeDep, who: StaffDep, csrf_token: CsrfField = ""
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.APPRAISE)
    job = jobs(request).start(acting(rt, who), "appraisal")
    return RedirectResponse(f"/staff/jobs/{job.id}", status_code=303)


@router.post("/optimise")
def optimise(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    time_limit: Annotated[float, Form(gt=0, le=600)] = 30.0,
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.OPTIMISE)
    job = jobs(request).start(acting(rt, who), "portfolio", {"time_limit": time_limit})
    return RedirectResponse(f"/staff/jobs/{job.id}", status_code=303)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: str, request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    record = get_record(rt, run_id, kind="portfolio")
    approved = any(d.approved for d in portal.decisions(rt) if d.id == run_id)
    report = report_of_record(record)
    with rt.uow() as uow:  # staff read every project's title, published or not
        titles = {p.id: p for p in uow.projects.list()}
    return render(
        request,
        "staff/run.html.j2",
        new_key=new_form_key,
        record=record,
        report=report,
        titles=titles,
        outcome_costs=outcome_costs(acting(rt, who), report.selected),
        approved=approved,
        can=who.can,
        P=Permission,
    )


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request, rt: RuntimeDep, _who: StaffDep, a: str = "", b: str = "", status: str = ""
) -> HTMLResponse:
    """Two runs side by side: the differences, the projects one chose and not the other."""
    with rt.uow() as uow:
        every = uow.decisions.headings(kind="portfolio")
    runs = [r for r in every if not status or r.status == status or r.id in (a, b)]
    return render(
        request,
        "staff/compare.html.j2",
        runs=runs,
        statuses=sorted({r.status for r in every}),
        run_status=status,
        comparison=compare_runs(rt, a, b) if a and b else None,
        a=a,
        b=b,
    )


@router.post("/runs/{run_id}/approve")
def approve(
    run_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.APPROVE)
    as_who = acting(rt, who, form_key(request, idempotency_key, run_id))
    try:
        result = tranches.approve(as_who, run_id)
    except Replayed as again:  # the same form sent twice: the first answer stands
        result = tranches.ApproveResult.model_validate_json(again.body)
    made = f"{counted(result.projects, 'projects')}, {counted(result.tranches, 'tranches')}"
    return _back(f"{run_id} approved: {made}")


@router.get("/tranches", response_class=HTMLResponse)
def tranche_page(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    project: str = "",
    status: str = "",
    year: str = "",
) -> HTMLResponse:
    """The tranches, filtered by project, status and year, a page at a time; each with
    the one step it can take now, or why it cannot (from the gate)."""
    every = tranches.list_tranches(rt)
    wanted = project.strip().casefold()
    rows = [
        t
        for t in every
        if (not wanted or t.project_id.casefold() == wanted)
        and (not status or t.status.value == status)
        and (not year or str(t.year) == year)
    ]
    page = paginate(rows, request.query_params, "/staff/tranches")
    steps = tranche_actions(rt, page.items, money_gate.today())
    return render(
        request,
        "staff/tranches.html.j2",
        page=page,
        rows=steps.rows,
        conditions=steps.conditions,
        organisations=steps.organisations,
        rate_names=source_names_for(
            rt,
            language(request),
            (t.rate_source or "rate" for t in page.items if t.original_currency),
        ),
        projects=sorted({t.project_id for t in every}),
        years=sorted({t.year for t in every}),
        statuses=[s.value for s in TrancheStatus],
        chosen={"project": project, "status": status, "year": year},
        new_key=new_form_key,
        can=who.can,
        P=Permission,
        message=request.query_params.get("message"),
    )


@router.post("/tranches/{tranche_id}/{action}")
def move_money(
    tranche_id: str,
    action: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    csrf_token: CsrfField = "",
    early: Annotated[bool, Form()] = False,
    reason: Annotated[str, Form(max_length=1000)] = "",
    back: BackField = "/staff/tranches",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    asked = f"{action}\n{early}\n{reason.strip()}"
    as_who = acting(rt, who, form_key(request, idempotency_key, asked))
    steps: dict[str, Callable[[], object]] = {
        "release": lambda: tranches.release_tranche(as_who, tranche_id, early=early, reason=reason),
        "disburse": lambda: tranches.disburse_tranche(as_who, tranche_id),
        "unfreeze": lambda: unfreeze_tranche(as_who, tranche_id, reason),
    }
    if action not in steps:
        raise NotFound(f"no action '{action}'")
    done = {"release": "released", "disburse": "disbursed", "unfreeze": "unfrozen"}[action]
    try:
        steps[action]()
    except Replayed:  # the same form sent twice (a double click): the first answer stands
        done += " (the form was sent twice; the money moved once)"
    return _back(f"{tranche_id} {done}", staff_path(back, "/staff/tranches"))


@router.get("/conditions", response_class=HTMLResponse)
def conditions_page(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """The conditions and, for a role that may, the form to record a change."""
    return render(
        request,
        "staff/conditions.html.j2",
        new_key=new_form_key,
        can=who.can,
        P=Permission,
        view=conditions.show(rt),
        verifiers=conditions.verifiers(rt),
        today=money_gate.today().isoformat(),
        message=request.query_params.get("message"),
    )


@router.post("/conditions")
def set_condition(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    code: Annotated[str, Form(max_length=64)],
    status: Annotated[str, Form(max_length=32)],
    evidence: Annotated[str, Form(min_length=3, max_length=5000)],
    verifier: Annotated[str, Form(min_length=2, max_length=64)],
    on: Annotated[date, Form()],
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.SET_CONDITIONS)
    asked = "\n".join((code, status, evidence, verifier, on.isoformat()))
    as_who = acting(rt, who, form_key(request, idempotency_key, asked))
    try:
        result = conditions.set_condition(
            as_who, code, status, evidence=evidence, verifier=verifier, on=on
        )
    except Replayed as again:  # the same form sent twice: the first answer stands
        result = conditions.ChangeResult.model_validate_json(again.body)
    message = f"{code}: {result.old} -> {result.new}; {counted(len(result.frozen), 'frozen')}"
    return _back(message, "/staff/conditions")


def _back(message: str, page: str = "/staff") -> RedirectResponse:
    """After a form: back to ``page`` (its filters kept), with what happened said at its
    top."""
    glue = "&" if "?" in page else "?"
    return RedirectResponse(f"{page}{glue}message={quote(message)}", status_code=303)


def proposal_back(project_id: str, done: str) -> RedirectResponse:
    """Back to a proposal's page, with what happened said at its top."""
    return RedirectResponse(
        f"/staff/proposals/{quote(project_id)}?message={quote(done)}", status_code=303
    )


def redirect_to_signin(request: Request, _: Exception) -> Response:
    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)


@router.get("/screening", response_class=HTMLResponse)
def screening_page(
    request: Request, rt: RuntimeDep, who: StaffDep, watchlist: str = "", kind: str = ""
) -> HTMLResponse:
    """The review queue, by watchlist and kind of counterparty, a page at a time (paged
    by the store): each open hit with both names, why they match in words, and a form
    to decide it."""
    _allowed(who, Permission.SCREEN)
    _allowed(who, Permission.READ_PROTECTED)
    filters = HitFilter.of(watchlist, kind)
    page = paginate_stored(
        lambda offset, limit: hit_review.review_page(
            acting(rt, who), filters=filters, offset=offset, limit=limit
        ),
        request.query_params,
        "/staff/screening",
    )
    return render(
        request,
        "staff/screening.html.j2",
        queue=page,
        reasons={h.hit: _why(h) for h in page.items},
        say=wording.render,
        feature_name=wording.feature_name,
        watchlists=screening.watchlists(rt),
        kinds=[k.value for k in CounterpartyKind],
        chosen=filters.form(),
        message=request.query_params.get("message"),
    )


def _why(hit: hit_review.QueueItem) -> tuple[list[wording.Phrase], Explanation]:
    """A hit's explanation in words and the feature table behind it."""
    kind = PERSON if hit.counterparty_kind is CounterpartyKind.PERSON else "Organization"
    alignment = best_alignment(hit.counterparty_name, hit.matched, kind)
    phrases = wording.identifier_phrase(hit.explanation) + wording.describe(alignment)
    return phrases, explanation(alignment, kind)


@router.post("/screening/watchlists")
def load_watchlist(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    file: UploadFile,
    skip_bad: Annotated[bool, Form()] = False,
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.SCREEN)
    name = upload_name(file.filename, "watchlist.ftm.json")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(file.file.read())
        report = screening.load_watchlist(acting(rt, who), path, skip_bad=skip_bad)
    message = (
        f"{report.watchlist}: {counted(report.entities, 'entities')}, {report.added} added, "
        f"{report.changed} changed; {counted(len(report.new_hits), 'new_hits')}"
    )
    return _back(message, "/staff/screening")


@router.post("/screening/run")
def screen_everyone(
    request: Request, rt: RuntimeDep, who: StaffDep, csrf_token: CsrfField = ""
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.SCREEN)
    report = screening.screen_all(acting(rt, who))
    message = f"screened: {counted(len(report.new_hits), 'new_hits')}"
    return _back(message, "/staff/screening")


@router.post("/screening/hits/{hit_id}")
def decide_hit(
    hit_id: RowId,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    decision: Annotated[str, Form(pattern="^(confirm|dismiss)$")],
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.SCREEN)
    hit_review.decide(acting(rt, who), hit_id, decision, reason)
    message = f"hit {hit_id}: {decision}ed"
    return _back(message, "/staff/screening")


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    project: str = "",
    reviewer: str = "",
    state: str = "",
) -> HTMLResponse:
    """A reviewer's assignments (everyone's for who assigns them), filtered by project,
    reviewer and state, a page at a time: declare conflicts first, then score."""
    mine = None if who.can(Permission.ASSIGN_REVIEWS) else who.user.username if who.user else ""
    every = reviews.list_reviews(rt, reviewer=mine)
    wanted = project.strip().casefold()
    rows = [
        r
        for r in every
        if (not wanted or r.project_id.casefold() == wanted)
        and (not reviewer or r.reviewer == reviewer.strip())
        and (not state or r.state == state)
    ]
    return render(
        request,
        "staff/reviews.html.j2",
        reviews=paginate(rows, request.query_params, "/staff/reviews"),
        criteria=reviews.scored_criteria(rt),
        states=REVIEW_STATES,
        chosen={"project": project, "reviewer": reviewer, "state": state},
        can=who.can,
        P=Permission,
        message=request.query_params.get("message"),
    )


@router.post("/reviews/{review_id}/declaration")
def declare(
    review_id: RowId,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    conflict: Annotated[bool, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
    project_id: Annotated[str, Form(max_length=64)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    """A reviewer's declaration, sent from the reviews list or from the proposal's page
    (``project_id``), and back to where it was sent from."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.REVIEW)
    assert who.user is not None
    reviews.declare(acting(rt, who), review_id, who.user.username, conflict=conflict, reason=reason)
    if project_id:
        return proposal_back(project_id, N_("declaration recorded"))
    return _back(f"review {review_id} declared", "/staff/reviews")


@router.post("/reviews/{review_id}/scores")
async def score(
    review_id: RowId, request: Request, rt: RuntimeDep, who: StaffDep
) -> RedirectResponse:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    _allowed(who, Permission.REVIEW)
    assert who.user is not None
    scores = _scores(form.items())
    reviews.submit_scores(
        acting(rt, who),
        review_id,
        who.user.username,
        scores,
        comment=str(form.get("comment", ""))[:5000],
    )
    project_id = str(form.get("project_id", ""))[:64]
    if project_id:
        return proposal_back(project_id, N_("scores recorded"))
    return _back(f"review {review_id} scored", "/staff/reviews")


def _scores(fields: Iterable[tuple[str, Any]]) -> dict[str, float]:
    """The form's ``score_*`` fields as numbers; one that is not a number is the
    reviewer's mistake (a 400 naming the field), not the server's."""
    scores: dict[str, float] = {}
    problems: list[Problem] = []
    for key, value in fields:
        if not key.startswith("score_") or not str(value).strip():
            continue
        try:
            number = float(str(value))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            problems.append(Problem("a score must be a number", field=key))
        scores[key.removeprefix("score_")] = number
    if problems:
        raise InvalidInput("the scores are not valid", problems)
    return scores


@router.post("/reviews")
def assign_review(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    project_id: Annotated[str, Form(max_length=64)],
    reviewer: Annotated[str, Form(max_length=64)],
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.ASSIGN_REVIEWS)
    reviews.assign(acting(rt, who), project_id, reviewer)
    return _back(f"{reviewer} assigned to {project_id}", "/staff/reviews")
