"""Signing in and out of the web pages (session cookie with a CSRF token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pfund.api.deps import SESSION_CSRF, SESSION_USER, RuntimeDep, csrf_token, principal
from pfund.errors import NotAuthenticated
from pfund.services.accounts import authenticate
from pfund.web.forms import check_csrf
from pfund.web.render import render

# The principal dependency runs first, so the page header knows who is signed in.
router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/staff") -> HTMLResponse:
    return render(request, "signin.html.j2", next=_safe(next), error=None)


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    rt: RuntimeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=500)],
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
    next: Annotated[str, Form(max_length=200)] = "/staff",
) -> Response:
    check_csrf(request, csrf_token_field)
    try:
        user = authenticate(rt, username, password)
    except NotAuthenticated as err:
        return render(request, "signin.html.j2", status=401, next=_safe(next), error=err.message)
    request.session.clear()  # a new session on sign-in: no fixation
    request.session[SESSION_USER] = user.username
    csrf_token(request)
    return RedirectResponse(_safe(next), status_code=303)


@router.post("/signout")
def signout(
    request: Request, csrf_token_field: Annotated[str, Form(alias="csrf_token")] = ""
) -> RedirectResponse:
    check_csrf(request, csrf_token_field)
    request.session.pop(SESSION_USER, None)
    request.session.pop(SESSION_CSRF, None)
    return RedirectResponse("/", status_code=303)


def _safe(target: str) -> str:
    """Only paths on this site, so a crafted link cannot send a user elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/staff"
