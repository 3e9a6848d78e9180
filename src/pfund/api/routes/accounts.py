"""Signing in for API clients, the current user, accounts and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from pydantic import BaseModel, Field

from pfund.api.deps import PrincipalDep, RuntimeDep, acting, require
from pfund.domain.account import Permission, Principal, Role, User
from pfund.services import accounts
from pfund.services.accounts import IssuedToken
from pfund.services.audit import AuditReport, verify

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


@router.post("/auth/token", response_model=IssuedToken)
def token(
    rt: RuntimeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=500)],
) -> IssuedToken:
    """Exchange a user name and password for a bearer token (shown once)."""
    user = accounts.authenticate(rt, username, password)
    return accounts.issue_token(acting(rt, Principal(user=user)), user.username, label="api")


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
