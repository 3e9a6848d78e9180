"""The scorecard pages: public (``/scorecard``) and in the staff workspace, where staff
evaluate the condition rules and confirm or reject what they propose."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RowId, RuntimeDep, acting, principal
from pfund.domain.account import Permission
from pfund.services import scorecard as rules
from pfund.services.scorecard_view import scorecard
from pfund.services.writes import Replayed
from pfund.web.forms import check_csrf, form_key, new_form_key
from pfund.web.render import public_page, render
from pfund.web.staff import CsrfField, KeyField, StaffDep, _allowed, _back

router = APIRouter(include_in_schema=False)
STAFF = "/staff/scorecard"


@router.get("/scorecard", response_class=HTMLResponse, dependencies=[Depends(principal)])
def public_scorecard(request: Request, rt: RuntimeDep) -> HTMLResponse:
    """Each indicator, its threshold, latest value and trend, pass or fail, and the
    conditions and money that depend on it."""
    return public_page(request, "scorecard.html.j2", lambda: {"card": scorecard(rt)})


@router.get(STAFF, response_class=HTMLResponse)
def staff_scorecard(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """The scorecard, what evaluating the rules would propose now, and the proposals."""
    context: dict[str, Any] = {
        "card": scorecard(rt),
        "evaluation": rules.evaluate(acting(rt, who), apply=False),
        "proposals": list(reversed(rules.proposals(acting(rt, who)))),
        "can": who.can,
        "P": Permission,
        "new_key": new_form_key,
        "message": request.query_params.get("message"),
        "staff": True,
    }
    return render(request, "staff/scorecard.html.j2", **context)


@router.post(STAFF + "/evaluate")
def evaluate(
    request: Request,
    rt: RuntimeDep,
    who: StaffDep,
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.SET_CONDITIONS)
    as_who = acting(rt, who, form_key(request, idempotency_key, "evaluate"))
    try:
        done = rules.evaluate(as_who, apply=True)
    except Replayed:  # the same form sent twice: the first answer stands
        return _back("the form was sent twice; the rules were evaluated once", STAFF)
    acted = [f"{r.condition}: {r.action}" for r in done.rules if r.proposed]
    return _back("; ".join(acted) or "no change proposed", STAFF)


@router.post(STAFF + "/proposals/{proposal_id}")
def decide(
    request: Request,
    proposal_id: RowId,
    rt: RuntimeDep,
    who: StaffDep,
    decision: Annotated[str, Form(pattern="^(confirm|reject)$")],
    reason: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.SET_CONDITIONS)
    asked = "\n".join((str(proposal_id), decision, reason))
    as_who = acting(rt, who, form_key(request, idempotency_key, asked))
    try:
        if decision == "confirm":
            done = rules.confirm(as_who, proposal_id)
        else:
            done = rules.reject(as_who, proposal_id, reason=reason)
    except Replayed as again:  # the same form sent twice: the first answer stands
        done = rules.Decision.model_validate_json(again.body)
    return _back(f"proposal {proposal_id}: {done.proposal.status.value}", STAFF)
