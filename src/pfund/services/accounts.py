"""Staff accounts: add, sign in, tokens. Passwords are hashed with argon2 (argon2-cffi).

argon2id is the OWASP recommendation for password storage; argon2-cffi is the maintained
binding and rehashes when its parameters change. Bearer tokens are random (``secrets``)
and only their SHA-256 is stored, so the table cannot be replayed if it leaks.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ValidationError

from pfund.domain.account import Permission, Role, User
from pfund.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, Problem
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime

MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verifying against this when the user is unknown keeps the time of a failed sign-in
# the same whether or not the name exists.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class IssuedToken(BaseModel):
    username: str
    token: str
    label: str


def add_user(
    rt: Runtime,
    username: str,
    password: str,
    *,
    roles: list[Role],
    display_name: str = "",
) -> User:
    rt.require(Permission.MANAGE_USERS)
    problems = _password_problems(password)
    try:
        user = User(
            username=username,
            display_name=display_name,
            roles=roles,
            created_at=datetime.now(UTC),
        )
    except ValidationError as err:
        problems += [Problem(e["msg"], field=".".join(map(str, e["loc"]))) for e in err.errors()]
    if problems:
        raise InvalidInput(f"cannot add user '{username}'", problems)
    if Role.PUBLIC in user.roles:
        raise InvalidInput("the public role is for anonymous visitors, not accounts")
    with rt.uow() as uow:
        if uow.users.get(username) is not None:
            raise Conflict(f"user '{username}' already exists")
        uow.users.add(user, _hasher.hash(password))
        AuditWriter(uow, rt.actor).record(
            "user.added", "user", username, {"roles": [r.value for r in user.roles]}
        )
        uow.commit()
    return user


def _password_problems(password: str) -> list[Problem]:
    if len(password) < MIN_PASSWORD:
        reason = f"a password needs at least {MIN_PASSWORD} characters"
        return [Problem(reason, field="password")]
    return []


def authenticate(rt: Runtime, username: str, password: str) -> User:
    with rt.uow() as uow:
        user = uow.users.get(username)
        stored = uow.users.password_hash(username) if user else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            raise NotAuthenticated() from None
        if user is None or stored is None or not user.active:
            raise NotAuthenticated()
        if _hasher.check_needs_rehash(stored):
            uow.users.set_password_hash(username, _hasher.hash(password))
            uow.commit()
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(rt: Runtime, username: str, *, label: str = "") -> IssuedToken:
    """A new bearer token; shown once, stored only as its hash."""
    token = "pft_" + secrets.token_urlsafe(32)
    with rt.uow() as uow:
        if uow.users.get(username) is None:
            raise NotFound(f"no user '{username}'")
        uow.users.add_token(token_hash(token), username, label, datetime.now(UTC))
        AuditWriter(uow, rt.actor).record("token.issued", "user", username, {"label": label})
        uow.commit()
    return IssuedToken(username=username, token=token, label=label)


def user_for_token(rt: Runtime, token: str) -> User | None:
    with rt.uow() as uow:
        user = uow.users.user_for_token(token_hash(token))
    return user if user and user.active else None


def get_user(rt: Runtime, username: str) -> User | None:
    with rt.uow() as uow:
        return uow.users.get(username)


def list_users(rt: Runtime) -> list[User]:
    rt.require(Permission.MANAGE_USERS)
    with rt.uow() as uow:
        return uow.users.list()


def set_roles(rt: Runtime, username: str, roles: list[Role], *, active: bool = True) -> User:
    rt.require(Permission.MANAGE_USERS)
    if Role.PUBLIC in roles or not roles:
        raise InvalidInput("an account needs at least one staff role", [Problem("roles")])
    with rt.uow() as uow:
        if uow.users.get(username) is None:
            raise NotFound(f"no user '{username}'")
        uow.users.set_roles(username, roles, active=active)
        if not active:
            uow.users.revoke_tokens(username)
        AuditWriter(uow, rt.actor).record(
            "user.roles_set",
            "user",
            username,
            {"roles": [r.value for r in roles], "active": active},
        )
        user = uow.users.get(username)
        uow.commit()
    assert user is not None
    return user
