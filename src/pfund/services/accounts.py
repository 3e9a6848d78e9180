"""Staff accounts: add, sign in, sessions, tokens, passwords.

Passwords are hashed with argon2 (argon2-cffi): argon2id is the OWASP recommendation for
password storage; argon2-cffi is the maintained binding and rehashes when its parameters
change. Session ids and bearer tokens are random (``secrets``) and only their SHA-256 is
stored, so the tables cannot be replayed if they leak.

Sessions are server-side rows rather than a version number per user: signing out ends
exactly the session signed out of (not the user's other browsers), each session has its
own absolute expiry, and a password change can keep the session it is made from while
ending the others. The price is one primary-key lookup per signed-in request, which the
check of the user's active flag needed anyway (it is one joined query).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ValidationError

from pfund.domain.account import Permission, Role, TokenInfo, User
from pfund.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    Problem,
)
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.services.throttle import SigninLimits, begin_signin, signin_succeeded

MIN_PASSWORD = 10
TOKEN_DAYS = 90
SESSION_HOURS = 8
_hasher = PasswordHasher()
# Verifying against this when the user is unknown keeps the time of a failed sign-in
# the same whether or not the name exists.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class IssuedToken(BaseModel):
    username: str
    token: str
    label: str
    token_id: str = ""
    expires_at: datetime | None = None


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


def sign_in(
    rt: Runtime, username: str, password: str, *, address: str, limits: SigninLimits
) -> User:
    """``authenticate`` behind the sign-in limits: a blocked account or address is refused
    (TooManyAttempts, 429) before the password is hashed; a success clears the count."""
    attempt = begin_signin(rt, username, address, limits)
    user = authenticate(rt, username, password)
    signin_succeeded(rt, attempt)
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    rt: Runtime, username: str, *, label: str = "", days: int = TOKEN_DAYS
) -> IssuedToken:
    """A new bearer token valid for ``days``; shown once, stored only as its hash."""
    if days < 1:
        raise InvalidInput("a token lasts at least one day", [Problem("days", field="days")])
    token = "pft_" + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=days)
    with rt.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            raise NotFound(f"no user '{username}'")
        if not user.active:
            raise InvalidInput(f"user '{username}' is deactivated")
        token_id = uow.users.add_token(
            token_hash(token), username, label, now, expires_at=expires_at
        )
        AuditWriter(uow, rt.actor).record(
            "token.issued",
            "user",
            username,
            {"label": label, "token_id": token_id, "expires_at": expires_at.isoformat()},
        )
        uow.commit()
    return IssuedToken(
        username=username, token=token, label=label, token_id=token_id, expires_at=expires_at
    )


def user_for_token(rt: Runtime, token: str) -> User | None:
    """The active user of a token that is neither revoked nor expired."""
    with rt.uow() as uow:
        found = uow.users.token_user(token_hash(token))
    if found is None:
        return None
    user, expires_at = found
    if expires_at is not None and expires_at <= datetime.now(UTC):
        return None
    return user if user.active else None


def list_tokens(rt: Runtime, username: str | None = None) -> list[TokenInfo]:
    rt.require(Permission.MANAGE_USERS)
    with rt.uow() as uow:
        return uow.users.tokens(username)


def revoke_token(rt: Runtime, token_id: str) -> TokenInfo:
    """Revoke one token by its public id (as ``pfund users tokens`` lists it)."""
    rt.require(Permission.MANAGE_USERS)
    with rt.uow() as uow:
        username = uow.users.revoke_token(token_id, datetime.now(UTC))
        if username is None:
            raise NotFound(f"no valid token '{token_id}'")
        AuditWriter(uow, rt.actor).record("token.revoked", "user", username, {"token_id": token_id})
        info = next(t for t in uow.users.tokens(username) if t.token_id == token_id)
        uow.commit()
    return info


def revoke_user_tokens(rt: Runtime, username: str) -> int:
    """Revoke every token of a user; how many were still valid."""
    rt.require(Permission.MANAGE_USERS)
    with rt.uow() as uow:
        if uow.users.get(username) is None:
            raise NotFound(f"no user '{username}'")
        count = uow.users.revoke_tokens(username, datetime.now(UTC))
        AuditWriter(uow, rt.actor).record(
            "token.revoked", "user", username, {"token_id": "*", "count": count}
        )
        uow.commit()
    return count


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(rt: Runtime, user: User, *, hours: int = SESSION_HOURS) -> str:
    """A new server-side session for a user who just signed in; returns its id (for the
    cookie, never stored or logged as such)."""
    session_id = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with rt.uow() as uow:
        uow.users.end_expired_sessions(now)
        uow.users.add_session(
            session_hash(session_id), user.username, now, now + timedelta(hours=hours)
        )
        AuditWriter(uow, f"user:{user.username}").record(
            "session.started", "user", user.username, {"hours": hours}
        )
        uow.commit()
    return session_id


def session_user(rt: Runtime, session_id: str) -> User | None:
    """The active user of a session that was neither ended nor has expired."""
    with rt.uow() as uow:
        found = uow.users.session_user(session_hash(session_id))
    if found is None:
        return None
    user, expires_at = found
    if expires_at <= datetime.now(UTC) or not user.active:
        return None
    return user


def end_session(rt: Runtime, session_id: str) -> None:
    """Sign out: the session's row goes, so a copy of its cookie signs nobody in."""
    with rt.uow() as uow:
        found = uow.users.session_user(session_hash(session_id))
        if uow.users.end_session(session_hash(session_id)) and found:
            username = found[0].username
            AuditWriter(uow, f"user:{username}").record("session.ended", "user", username, {})
        uow.commit()


def change_password(
    rt: Runtime, username: str, new_password: str, *, keep_session: str | None = None
) -> int:
    """Set a new password and end the user's other sessions; how many were ended.

    An admin (manage users) may change anyone's; a user their own. ``keep_session`` is
    the session the change is made from, which stays signed in.
    """
    principal = rt.principal
    own = principal is not None and principal.user is not None
    if not (own and principal.user.username == username):  # type: ignore[union-attr]
        rt.require(Permission.MANAGE_USERS)
    problems = _password_problems(new_password)
    if problems:
        raise InvalidInput("the new password cannot be used", problems)
    hashed = _hasher.hash(new_password)
    with rt.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            raise NotFound(f"no user '{username}'")
        if own and not user.active:
            raise Forbidden("a deactivated account cannot change its password")
        uow.users.set_password_hash(username, hashed)
        keep = session_hash(keep_session) if keep_session else None
        ended = uow.users.end_sessions(username, keep=keep)
        AuditWriter(uow, rt.actor).record(
            "user.password_changed", "user", username, {"sessions_ended": ended}
        )
        uow.commit()
    return ended


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
        details: dict[str, object] = {"roles": [r.value for r in roles], "active": active}
        if not active:
            # Every way in ends now; reactivating later revives none of them.
            details["sessions_ended"] = uow.users.end_sessions(username)
            details["tokens_revoked"] = uow.users.revoke_tokens(username, datetime.now(UTC))
        AuditWriter(uow, rt.actor).record("user.roles_set", "user", username, details)
        user = uow.users.get(username)
        uow.commit()
    assert user is not None
    return user
