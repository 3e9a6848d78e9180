"""Signing in and out of the web pages (session cookie with a CSRF token).

Sign-in is limited per account and per network address (``pfund.services.throttle``):
a blocked attempt gets 429 with Retry-After before its password is hashed. Each sign-in
starts a server-side session; signing out ends it, so a copied cookie stops working.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pfund.api.deps import (
    SESSION_ID,
    SESSION_USER,
    RuntimeDep,
    SettingsDep,
    csrf_token,
    principal,
)
from pfund.api.limits import client_address
from pfund.domain.account import User
from pfund.errors import NotAuthenticated
from pfund.services.accounts import end_session, sign_in, start_session
from pfund.services.runtime import Runtime
from pfund.services.throttle import SigninLimits, TooManyAttempts
from pfund.settings import Settings
from pfund.web.forms import check_csrf
from pfund.web.labels import N_
from pfund.web.render import render

TOO_MANY = N_("too many failed sign-ins; wait before trying again")

# The principal dependency runs first, so the page header knows who is signed in.
router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/staff") -> HTMLResponse:
    return render(request, "signin.html.j2", next=_safe(next), error=None)


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    rt: RuntimeDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=500)],
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
    next: Annotated[str, Form(max_length=200)] = "/staff",
) -> Response:
    check_csrf(request, csrf_token_field)
    try:
        user = limited_sign_in(request, rt, settings, username, password)
    except TooManyAttempts as err:
        page = render(request, "signin.html.j2", status=429, next=_safe(next), error=TOO_MANY)
        page.headers["retry-after"] = str(err.retry_after)
        return page
    except NotAuthenticated as err:
        return render(request, "signin.html.j2", status=401, next=_safe(next), error=err.message)
    _end(request, rt)  # a new session on sign-in: no fixation, and the old one ends
    request.session[SESSION_USER] = user.username
    request.session[SESSION_ID] = start_session(rt, user, hours=settings.session_hours)
    csrf_token(request)
    return RedirectResponse(_safe(next), status_code=303)


@router.post("/signout")
def signout(
    request: Request,
    rt: RuntimeDep,
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token_field)
    _end(request, rt)
    return RedirectResponse("/", status_code=303)


def limited_sign_in(
    request: Request, rt: Runtime, settings: Settings, username: str, password: str
) -> User:
    """``sign_in`` behind the limits for this request's address: the sign-in form and
    any form that asks for a password again (the password page) count failures alike."""
    return sign_in(
        rt, username, password, address=client_address(request), limits=signin_limits(settings)
    )


def signin_limits(settings: Settings) -> SigninLimits:
    return SigninLimits(
        per_account=settings.signin_attempts, per_address=settings.signin_attempts_per_address
    )


def _end(request: Request, rt: RuntimeDep) -> None:
    """End the cookie's server-side session (if any) and empty the cookie."""
    session_id = request.session.get(SESSION_ID)
    if session_id:
        end_session(rt, str(session_id))
    request.session.clear()


def _safe(target: str) -> str:
    """Only paths on this site, so a crafted link cannot send a user elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/staff"
