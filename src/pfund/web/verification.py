"""The verifier's pages: reports awaiting verification, a sample asked for and recorded,
the findings per sampled unit (a plain form, no JavaScript), the verification factor with
its interval and the verified total; and, for analysts, what each tranche linked to a
result would pay now.

The pages call the same services as the API and the CLI, acting as the signed-in user:
every staff member may read them, only a verifier (permission ``verify``) may draw a
sample or record findings, and the service refuses anyone else whatever the form says.
A refused request stores nothing and shows the page again with every problem named.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain.account import Permission, Principal
from pfund.errors import InvalidInput, Problem
from pfund.services import remainder, verification, verification_views
from pfund.services.runtime import Runtime
from pfund.web.forms import check_csrf
from pfund.web.render import render
from pfund.web.staff import CsrfField, StaffDep, _allowed

router = APIRouter(include_in_schema=False)
BASE = "/staff/verification"
MAX_UNITS_FORM = 2000  # recount fields read from one form: a sample is never larger


@router.get(BASE, response_class=HTMLResponse)
def queue(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """The indicators of sent reports that list their units, unverified first."""
    return _queue(request, rt, who)


def _queue(
    request: Request,
    rt: Runtime,
    who: Principal,
    *,
    status: int = 200,
    errors: list[Problem] | None = None,
    asked: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "staff/verification.html.j2",
        status=status,
        queue=verification_views.verification_queue(acting(rt, who)),
        can_verify=who.can(Permission.VERIFY),
        errors=errors or [],
        asked=asked or {},
    )


@router.post(BASE + "/sample", response_class=HTMLResponse, response_model=None)
def ask_sample(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    report: Annotated[str, Form(max_length=64)],
    indicator: Annotated[str, Form(max_length=64)],
    confidence: Annotated[str, Form(max_length=40)] = "0.95",
    precision: Annotated[str, Form(max_length=40)] = "0.05",
    seed: Annotated[str, Form(max_length=40)] = "",
    csrf_token: CsrfField = "",
) -> HTMLResponse | RedirectResponse:
    """Draw and record a sample; its page then shows the units to recount."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.VERIFY)
    asked = {"report": report, "indicator": indicator, "confidence": confidence}
    asked |= {"precision": precision, "seed": seed}
    try:
        drawn = verification.draw_sample(
            acting(rt, who),
            report,
            indicator,
            confidence=confidence.strip().replace(",", "."),
            precision=precision.strip().replace(",", "."),
            seed=_seed(seed),
        )
    except InvalidInput as err:
        problems = err.problems or [Problem(err.message)]
        return _queue(request, rt, who, status=400, errors=problems, asked=asked)
    return RedirectResponse(f"{BASE}/{drawn.verification}", status_code=303)


def _seed(text: str) -> int | None:
    """The seed typed, or None for one the operating system picks."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput("bad seed", [Problem("the seed must be a whole number", field="seed")])
    return int(text)


@router.get(BASE + "/{verification_id}", response_class=HTMLResponse)
def detail(verification_id: str, request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """The sample (confidence, precision, seed, strata), its units and, once recorded,
    the factor with its interval and the verified total."""
    return _detail(request, rt, who, verification_id)


def _detail(
    request: Request,
    rt: Runtime,
    who: Principal,
    verification_id: str,
    *,
    status: int = 200,
    errors: list[Problem] | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "staff/verification_detail.html.j2",
        status=status,
        v=verification_views.verification_detail(acting(rt, who), verification_id),
        can_verify=who.can(Permission.VERIFY),
        errors=errors or [],
        typed=typed or {},
    )


@router.post(BASE + "/{verification_id}/findings", response_class=HTMLResponse, response_model=None)
async def findings(
    verification_id: str, request: Request, rt: RuntimeDep, who: StaffDep
) -> HTMLResponse | RedirectResponse:
    """Record what was recounted, one field per sampled unit (``recount.<unit>``)."""
    data = await request.form(max_fields=MAX_UNITS_FORM + 10)
    check_csrf(request, str(data.get("csrf_token", "")))
    _allowed(who, Permission.VERIFY)
    typed = {
        k.removeprefix("recount."): str(v).strip()
        for k, v in data.multi_items()
        if k.startswith("recount.") and isinstance(v, str)
    }
    given: dict[str, Any] = {u: t.replace(" ", "").replace(",", ".") for u, t in typed.items()}
    try:
        verification.record_findings(acting(rt, who), verification_id, given)
    except InvalidInput as err:
        problems = err.problems or [Problem(err.message)]
        return _detail(request, rt, who, verification_id, status=400, errors=problems, typed=typed)
    return RedirectResponse(f"{BASE}/{verification_id}", status_code=303)


@router.get("/staff/results/payments", response_class=HTMLResponse)
def payments(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """What each tranche linked to a result would pay now, and why."""
    return _payments(request, rt, who)


def _payments(
    request: Request, rt: Runtime, who: Principal, status: int = 200, **extra: Any
) -> HTMLResponse:
    return render(
        request,
        "staff/payments_due.html.j2",
        status=status,
        due=verification.payments_due(acting(rt, who)),
        can_move=who.can(Permission.MOVE_MONEY),
        **extra,
    )


@router.post(
    "/staff/results/payments/{tranche_id}/remainder",
    response_class=HTMLResponse,
    response_model=None,
)
def decide_remainder(
    tranche_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    decision: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: CsrfField = "",
) -> HTMLResponse | RedirectResponse:
    """Keep the unearned remainder of a paid results tranche, or return it to the fund."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    try:
        remainder.decide_remainder(acting(rt, who), tranche_id, decision, reason)
    except InvalidInput as err:
        problems = err.problems or [Problem(err.message)]
        return _payments(
            request, rt, who, status=400, errors=problems, failed=tranche_id, typed=reason
        )
    return RedirectResponse(f"/staff/results/payments#{tranche_id}", status_code=303)
