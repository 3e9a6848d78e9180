"""The licence register in the staff workspace (``/staff/licences``): what each licence
covers, where it stands, what was paid under it, and revocation for compliance."""

from __future__ import annotations

from typing import Annotated, Any

import pycountry
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain.account import Permission
from pfund.services.licences import licence_register, revoke_licence
from pfund.web.forms import check_csrf
from pfund.web.render import render
from pfund.web.staff import CsrfField, StaffDep, _allowed, _back

router = APIRouter(include_in_schema=False)
STAFF = "/staff/licences"


@router.get(STAFF, response_class=HTMLResponse)
def staff_licences(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """Every licence, the ones ending soon first in a notice, each with its payments."""
    lines = licence_register(acting(rt, who))
    with rt.uow() as uow:
        fund = uow.fund.get()
        areas = {a.code: a for a in uow.reference.areas()}
    context: dict[str, Any] = {
        "lines": lines,
        "areas": areas,
        "expiring": [line for line in lines if line.state == "expiring"],
        "currency": fund.currency if fund else "USD",
        "jurisdictions": _countries(fund.sanctions.jurisdictions if fund else []),
        "can": who.can,
        "P": Permission,
        "message": request.query_params.get("message"),
        "staff": True,
    }
    return render(request, "staff/licences.html.j2", **context)


def _countries(codes: list[str]) -> list[tuple[str, str]]:
    """(alpha-3, English name) of each jurisdiction, for the page to name in its language."""
    out = []
    for code in codes:
        found = pycountry.countries.get(alpha_2=code)
        out.append((found.alpha_3, found.name) if found is not None else (code, code))
    return out


@router.post(STAFF + "/{licence_id}/revoke")
def revoke(
    request: Request,
    licence_id: str,
    rt: RuntimeDep,
    who: StaffDep,
    reason: Annotated[str, Form(max_length=300)] = "",
    csrf_token: CsrfField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.SCREEN)
    done = revoke_licence(acting(rt, who), licence_id, reason=reason)
    return _back(f"{done.id} revoked", STAFF)
