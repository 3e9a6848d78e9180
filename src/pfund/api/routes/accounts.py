"""Signing in for API clients, the current user, accounts and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from pfund.api.deps import (
    SESSION_ID,
    PrincipalDep,
    RuntimeDep,
    SettingsDep,
    acting,
    require,
)
from pfund.api.errors import error_body
from pfund.api.limits import client_address
from pfund.domain.account import Permission, Principal, Role, TokenInfo, User
from pfund.errors import NotAuthenticated
from pfund.services import accounts
from pfund.services.accounts import IssuedToken
from pfund.services.audit import AuditReport, verify
from pfund.services.throttle import SigninLimits, TooManyAttempts

router = APIRouter(tags=["accounts"])


class Me(BaseModel):
    actor: str
    user: User | None
    permissions: list[Permission]


class NewUser(BaseModel):
    username: str
    password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=500)
    roles: list[Role] = Field(min_length=1)
    display_name: str = Field(default="", max_length=200)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=500)
    new_password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=500)


TokenId = Annotated[str, Path(min_length=4, max_length=16, pattern=r"^[0-9a-f]+$")]


@router.post(
    "/auth/token",
    response_model=IssuedToken,
    responses={429: {"description": "Too many failed sign-ins; see Retry-After"}},
)
def token(
    request: Request,
    rt: RuntimeDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=500)],
) -> IssuedToken | JSONResponse:
    """Exchange a user name and password for a bearer token (shown once), valid for
    ``PFUND_TOKEN_DAYS``. Failed tries are limited per account and address."""
    limits = SigninLimits(settings.signin_attempts, settings.signin_attempts_per_address)
    try:
        user = accounts.sign_in(
            rt, username, password, address=client_address(request), limits=limits
        )
    except TooManyAttempts as err:
        return JSONResponse(
            error_body(429, err.message),
            status_code=429,
            headers={"retry-after": str(err.retry_after)},
        )
    return accounts.issue_token(
        acting(rt, Principal(user=user)), user.username, label="api", days=settings.token_days
    )


@router.post("/me/password", status_code=204)
def change_password(
    change: PasswordChange, request: Request, rt: RuntimeDep, who: PrincipalDep
) -> None:
    """Change one's own password (the current one is asked again); every other session
    of the account ends, the one it is changed from stays signed in."""
    if who.user is None:
        raise NotAuthenticated("sign in to change your password")
    accounts.authenticate(rt, who.user.username, change.current_password)
    session_id = request.session.get(SESSION_ID) if "session" in request.scope else None
    accounts.change_password(
        acting(rt, who),
        who.user.username,
        change.new_password,
        keep_session=str(session_id) if session_id else None,
    )


@router.get("/tokens", response_model=list[TokenInfo])
def tokens(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MANAGE_USERS)],
    user: str | None = None,
) -> list[TokenInfo]:
    """Every API token (id, user, label, expiry, revoked), never the token itself."""
    return accounts.list_tokens(acting(rt, who), user)


@router.delete("/tokens/{token_id}", response_model=TokenInfo)
def revoke_token(
    token_id: TokenId, rt: RuntimeDep, who: Annotated[Principal, require(Permission.MANAGE_USERS)]
) -> TokenInfo:
    return accounts.revoke_token(acting(rt, who), token_id)


@router.get("/me", response_model=Me)
def me(who: PrincipalDep) -> Me:
    permissions = sorted(p for p in Permission if who.can(p))
    return Me(actor=who.actor, user=who.user, permissions=permissions)


@router.get("/users", response_model=list[User])
def users(
    rt: RuntimeDep, who: Annotated[Principal, require(Permission.MANAGE_USERS)]
) -> list[User]:
    return accounts.list_users(acting(rt, who))


@router.post("/users", response_model=User, status_code=201)
def add_user(
    new: NewUser, rt: RuntimeDep, who: Annotated[Principal, require(Permission.MANAGE_USERS)]
) -> User:
    return accounts.add_user(
        acting(rt, who), new.username, new.password, roles=new.roles, display_name=new.display_name
    )


@router.get("/audit")
def audit_log(
    rt: RuntimeDep,
    _who: Annotated[Principal, require(Permission.READ_AUDIT)],
    record: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The newest audit events (who did what to which record, and the hash chain)."""
    with rt.uow() as uow:
        events = uow.audit.list(record_id=record)
    return [e.model_dump(mode="json") for e in events[-limit:]]


@router.get("/audit/verify", response_model=AuditReport)
def audit_verify(
    rt: RuntimeDep, _who: Annotated[Principal, require(Permission.READ_AUDIT)]
) -> AuditReport:
    """Check the hash chain of the whole audit log."""
    with rt.uow() as uow:
        return verify(uow)
