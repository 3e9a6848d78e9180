"""Grant agreements in the staff workspace (``/staff/agreements``): each agreement with
its money and version history; for those who may move money, the forms of its whole
life: draw up (an approved project becomes an agreement), sign, amend, extend (a new
end date, an amendment version of its own), complete, close, refund and cancel.

Each form carries the session's CSRF token; the new ones carry a key of their own as
well (``form_key``), so a double click lands once and the second answer says so. A
refusal (the service's, or a field the form checks first) is the staff refusal page,
in the page's language, naming the field and the reason; nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain import Project
from pfund.domain.account import Permission, Principal
from pfund.domain.agreement import MIN_REASON, Agreement, Amendment
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services import agreements as svc
from pfund.services.runtime import Runtime
from pfund.services.writes import Replayed
from pfund.web.change_words import change_value
from pfund.web.form_words import TWICE
from pfund.web.forms import check_csrf, form_key, new_form_key
from pfund.web.i18n import Formatter
from pfund.web.rate_words import source_names_for
from pfund.web.render import language, render
from pfund.web.staff import CsrfField, KeyField, StaffDep, _allowed, _back

router = APIRouter(include_in_schema=False)
STAFF = "/staff/agreements"
Reason = Annotated[str, Form(max_length=300)]
Day = Annotated[str, Form(max_length=10)]
Text = Annotated[str, Form(max_length=300)]


@router.get(STAFF, response_class=HTMLResponse)
def staff_agreements(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """Every agreement, its money and its history."""
    lines = svc.list_agreements(acting(rt, who))
    fmt = Formatter(language(request))
    context: dict[str, Any] = {
        "lines": lines,
        "ready": _ready(rt, {line.agreement.project_id for line in lines}),
        "today": date.today().isoformat(),
        "new_key": new_form_key,
        "can": who.can,
        "P": Permission,
        "message": request.query_params.get("message"),
        "staff": True,
        "change_value": lambda key, text, currency: change_value(key, text, currency, fmt),
        "rate_names": source_names_for(
            acting(rt, who),
            language(request),
            (v.changes["rate"] for line in lines for v in line.versions if "rate" in v.changes),
        ),
    }
    return render(request, "staff/agreements.html.j2", **context)


@router.post(STAFF + "/{agreement_id}/amend")
def amend(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    version: Annotated[int, Form(ge=1)] = 1,
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Reason = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    if len(reason.strip()) < 10:
        raise _short_reason()
    change = Amendment(version=version, reason=reason.strip(), amount=_amount(amount))
    done = svc.amend(acting(rt, who), agreement_id, change)
    return _back(f"{done.agreement.id} changed: version {done.agreement.version}", STAFF)


@router.post(STAFF + "/{agreement_id}/refund")
def refund(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Reason = "",
    clawback: Annotated[str, Form(max_length=3)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    done = svc.refund(
        acting(rt, who), agreement_id, _amount(amount), reason=reason, clawback=clawback == "yes"
    )
    return _back(f"{done.agreement.id} changed: version {done.agreement.version}", STAFF)


@router.post(STAFF + "/{agreement_id}/cancel")
def cancel(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    version: Annotated[int, Form(ge=1)] = 1,
    reason: Reason = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    done = svc.cancel(acting(rt, who), agreement_id, reason=reason, version=version)
    return _back(f"{done.agreement.id} changed: version {done.agreement.version}", STAFF)


def _ready(rt: Runtime, taken: set[str]) -> list[Project]:
    """The approved projects (approved, funded, in progress) without an agreement yet:
    the choices of the draw-up form."""
    with rt.uow() as uow:
        projects = uow.projects.list()
    return [p for p in projects if p.status in svc.DECIDED and p.id not in taken]


@router.post(STAFF)
def draw_up(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    project_id: Annotated[str, Form(max_length=64)] = "",
    ends_on: Day = "",
    conditions_precedent: Text = "",
    reporting_duties: Text = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    """An approved project becomes a draft agreement (its parties, amount and schedule
    come from the project and its tranches)."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    if not project_id.strip():
        raise InvalidInput(
            "choose the project; nothing was stored",
            [Problem("choose an approved project without an agreement", field="project_id")],
        )
    end = _day(ends_on, "ends_on", required=False)
    asked = "\n".join((project_id, ends_on, conditions_precedent, reporting_duties))
    as_who = acting(rt, who, form_key(request, idempotency_key, asked))
    try:
        made = svc.draw_up(
            as_who,
            project_id.strip(),
            ends_on=end,
            conditions_precedent=conditions_precedent.strip(),
            reporting_duties=reporting_duties.strip(),
        )
    except Replayed as again:
        made = Agreement.model_validate_json(again.body)
        return _back(f"{made.id} drawn up for {made.project_id}" + TWICE, STAFF)
    return _back(f"{made.id} drawn up for {made.project_id}", STAFF)


@router.post(STAFF + "/{agreement_id}/sign")
def sign(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    version: Annotated[int, Form(ge=1)] = 1,
    signed_on: Day = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    """Record the signature of a draft, on the day it was signed."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    day = _day(signed_on, "signed_on")
    assert day is not None
    return _change(
        request,
        rt,
        who,
        idempotency_key,
        f"sign\n{version}\n{day}",
        lambda as_who: svc.sign(as_who, agreement_id, signed_on=day, version=version),
    )


@router.post(STAFF + "/{agreement_id}/extend")
def extend(
    request: Request,
    agreement_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    version: Annotated[int, Form(ge=1)] = 1,
    ends_on: Day = "",
    reason: Reason = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    """A new end date for a signed agreement: an amendment version of its own kind."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    end = _day(ends_on, "ends_on")
    if len(reason.strip()) < MIN_REASON:
        raise _short_reason()
    change = Amendment(version=version, reason=reason.strip(), ends_on=end)
    return _change(
        request,
        rt,
        who,
        idempotency_key,
        f"extend\n{version}\n{end}\n{reason.strip()}",
        lambda as_who: svc.amend(as_who, agreement_id, change),
    )


@router.post(STAFF + "/{agreement_id}/{step}")
def settle(
    request: Request,
    agreement_id: str,
    step: str,
    rt: RuntimeDep,
    who: StaffDep,
    version: Annotated[int, Form(ge=1)] = 1,
    reason: Reason = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    """Complete a signed agreement (the work is done), or close a completed one (its
    accounts settled: what is unpaid goes back to the fund balance)."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    steps = {"complete": svc.complete, "close": svc.close}
    if step not in steps:
        raise NotFound(f"no action '{step}'")
    run = steps[step]
    return _change(
        request,
        rt,
        who,
        idempotency_key,
        f"{step}\n{version}\n{reason.strip()}",
        lambda as_who: run(as_who, agreement_id, reason=reason, version=version),
    )


def _change(
    request: Request,
    rt: Runtime,
    who: Principal,
    key: str,
    asked: str,
    step: Callable[[Runtime], svc.ChangeResult],
) -> RedirectResponse:
    """One change through its service, once per form key; back to the list saying what
    it did."""
    try:
        done = step(acting(rt, who, form_key(request, key, asked)))
        twice = ""
    except Replayed as again:
        done = svc.ChangeResult.model_validate_json(again.body)
        twice = TWICE
    return _back(f"{done.agreement.id} changed: version {done.agreement.version}{twice}", STAFF)


def _day(text: str, field: str, *, required: bool = True) -> date | None:
    """A form's date (YYYY-MM-DD), or a refusal naming the field."""
    if not text.strip() and not required:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "not a valid date; nothing was stored",
            [Problem("a date as YYYY-MM-DD", field=field)],
        ) from None


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise InvalidInput(
            "not a valid amount; nothing was stored",
            [Problem("a positive amount with at most 2 decimals", field="amount")],
        )
    return value


def _short_reason() -> InvalidInput:
    return InvalidInput(
        "the change needs its reason; nothing was stored",
        [Problem("say in at least 10 characters why", field="reason")],
    )
