"""Changing one's own password from the workspace, as ``POST /api/v1/me/password`` and
``pfund users password`` do: the current password asked again (behind the sign-in
limits, so the form cannot be used to guess it), the new one twice, every other session
of the account ended and the change audited by ``accounts.change_password``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pfund.api.deps import SESSION_ID, PrincipalDep, RuntimeDep, SettingsDep, acting
from pfund.domain.account import Principal
from pfund.errors import InvalidInput, NotAuthenticated
from pfund.services import accounts
from pfund.services.throttle import TooManyAttempts
from pfund.web.auth import TOO_MANY, limited_sign_in
from pfund.web.forms import check_csrf
from pfund.web.labels import N_
from pfund.web.render import render
from pfund.web.staff import SignInRequired

router = APIRouter(prefix="/staff", include_in_schema=False)

WRONG = N_("The current password is not right.")
DIFFER = N_("The new password and its repetition differ: type the same new password twice.")
SHORT = N_("A new password needs at least %(n)s characters.")
Secret = Annotated[str, Form(max_length=500)]


def signed_in(who: PrincipalDep) -> Principal:
    """Any signed-in account may change its own password, whatever its roles."""
    if who.user is None:
        raise SignInRequired()
    return who


SignedInDep = Annotated[Principal, Depends(signed_in)]


CHANGED = "password_changed"  # the session's note of a change just made, shown once


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, _who: SignedInDep) -> HTMLResponse:
    ended = request.session.pop(CHANGED, None)
    return _page(request, ended=ended if isinstance(ended, int) else None)


@router.post("/password", response_model=None)
def change_password(
    request: Request,
    rt: RuntimeDep,
    settings: SettingsDep,
    who: SignedInDep,
    current_password: Secret,
    new_password: Secret,
    new_password_again: Secret,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    assert who.user is not None  # signed_in saw to it
    username = who.user.username
    if new_password != new_password_again:
        return _page(request, status=400, errors=[(DIFFER, {})])
    try:
        limited_sign_in(request, rt, settings, username, current_password)
    except TooManyAttempts as err:
        page = _page(request, status=429, errors=[(TOO_MANY, {})])
        page.headers["retry-after"] = str(err.retry_after)
        return page
    except NotAuthenticated:
        return _page(request, status=400, errors=[(WRONG, {})])
    session_id = request.session.get(SESSION_ID)
    try:
        ended = accounts.change_password(
            acting(rt, who),
            username,
            new_password,
            keep_session=str(session_id) if session_id else None,
        )
    except InvalidInput:  # the only rule on a new password is its length
        return _page(request, status=400, errors=[(SHORT, {"n": accounts.MIN_PASSWORD})])
    request.session[CHANGED] = ended  # said once on the page it redirects to
    return RedirectResponse("/staff/password", status_code=303)


def _page(
    request: Request,
    *,
    status: int = 200,
    errors: list[tuple[str, dict[str, Any]]] | None = None,
    ended: int | None = None,
) -> HTMLResponse:
    return render(
        request,
        "staff/password.html.j2",
        status=status,
        errors=errors or [],
        ended=ended,
        shortest=accounts.MIN_PASSWORD,
    )
