"""Request dependencies: the store, who is asking, and what they may do.

A request is signed in by a bearer token (API clients) or by the session cookie (the
web pages). The cookie is signed, but a signature only proves that this server wrote it
once: every request also finds the cookie's session id among the stored sessions, so a
session ended by signing out, deactivation or a password change stays ended even for a
copy of the cookie. Cookie-authenticated writes must carry the session's CSRF token, in the
``X-CSRF-Token`` header or a ``csrf_token`` form field; bearer requests cannot be forged
by another site, so they need none.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from pfund.domain.account import ANONYMOUS, Permission, Principal
from pfund.errors import Forbidden, NotAuthenticated
from pfund.services.accounts import session_user, user_for_token
from pfund.services.runtime import Idempotency, Runtime
from pfund.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_USER = "user"
SESSION_ID = "sid"
SESSION_CSRF = "csrf"


def app_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def principal(request: Request, rt: Annotated[Runtime, Depends(app_runtime)]) -> Principal:
    """Who is asking: a token's user, the session's user, or the anonymous public."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    found = _from_token(request, rt) or _from_session(request, rt) or ANONYMOUS
    request.state.principal = found
    return found


def _from_token(request: Request, rt: Runtime) -> Principal | None:
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("use 'Authorization: Bearer <token>'")
    user = user_for_token(rt, token.strip())
    if user is None:
        raise NotAuthenticated("the token is unknown or revoked")
    return Principal(user=user)


def _from_session(request: Request, rt: Runtime) -> Principal | None:
    if "session" not in request.scope:
        return None
    username = request.session.get(SESSION_USER)
    session_id = request.session.get(SESSION_ID)
    if not username:
        return None
    user = session_user(rt, str(session_id)) if session_id else None
    if user is None or user.username != username:
        request.session.clear()
        return None
    if request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        _check_csrf(request)  # web forms check their own field (pfund.web.forms)
    return Principal(user=user)


def _check_csrf(request: Request) -> None:
    expected = request.session.get(SESSION_CSRF, "")
    given = request.headers.get("x-csrf-token", "")
    if not expected or not secrets.compare_digest(str(expected), str(given)):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return str(token)


PrincipalDep = Annotated[Principal, Depends(principal)]
# Row numbers in paths: bounded so that no database is asked for a number it cannot hold.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RuntimeDep = Annotated[Runtime, Depends(app_runtime)]
SettingsDep = Annotated[Settings, Depends(app_settings)]


def require(permission: Permission) -> object:
    """A dependency that lets the request through only with ``permission``."""

    def check(who: PrincipalDep) -> Principal:
        if who.can(permission):
            return who
        if who.user is None:
            raise NotAuthenticated(f"sign in to {permission.value.replace('_', ' ')}")
        raise Forbidden(f"your role does not allow: {permission.value.replace('_', ' ')}")

    return Depends(check)


IDEMPOTENCY_HELP = (
    "Optional: a key of your own (a UUID, say) that makes this money write safe to retry. "
    "A request with a key already answered for you, with the same method, path and body, "
    "gets the first answer again (same status and body, header `Idempotent-Replayed: "
    "true`) and moves nothing; the same key with another request is refused (422). The "
    "key is stored with the movement, in its transaction."
)


async def idempotency(
    request: Request,
    key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", min_length=1, max_length=200, description=IDEMPOTENCY_HELP),
    ] = None,
) -> Idempotency | None:
    """The request's Idempotency-Key with a digest of what it asks (method, path, body)."""
    if key is None:
        return None
    body = await request.body()
    try:  # the same JSON however it is spaced or ordered
        text = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")) if body else ""
    except ValueError:
        text = body.decode("utf-8", "replace")
    path = request.url.path
    request_line = f"{request.method}\n{path}\n{request.url.query}\n{text}"
    fingerprint = hashlib.sha256(request_line.encode("utf-8")).hexdigest()
    return Idempotency(key=key, method=request.method, path=path, fingerprint=fingerprint)


IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


def acting(rt: Runtime, who: Principal, idem: Idempotency | None = None) -> Runtime:
    """The app's runtime, acting as the requester: the audit log names them and the
    services check their permissions; ``idem`` makes a money write answer once."""
    return replace(rt, actor=who.actor, principal=who, idempotency=idem)
