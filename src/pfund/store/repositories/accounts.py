"""Users, sessions, API tokens, rate limits and reviews.

Hashes go in and out, never a password, a session id, a token or a network address.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pfund.domain.account import Role, TokenInfo, User
from pfund.domain.audit import utc
from pfund.store.repositories._rows import table
from pfund.store.tables.accounts import (
    ApiTokenRow,
    RateLimitRow,
    ReviewRow,
    UserRow,
    UserSessionRow,
)


def _user(row: Row[Any]) -> User:
    return User(
        username=row.username,
        display_name=row.display_name,
        roles=[Role(r) for r in row.roles],
        active=row.active,
        created_at=utc(row.created_at),
    )


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User, password_hash: str) -> None:
        values = user.model_dump(mode="json")
        values["created_at"] = user.created_at
        self.session.execute(insert(table(UserRow)), [{**values, "password_hash": password_hash}])

    def get(self, username: str) -> User | None:
        rows = table(UserRow)
        row = self.session.execute(select(rows).where(rows.c.username == username)).first()
        return _user(row) if row else None

    def password_hash(self, username: str) -> str | None:
        rows = table(UserRow)
        query = select(rows.c.password_hash).where(rows.c.username == username)
        return self.session.execute(query).scalar_one_or_none()

    def set_password_hash(self, username: str, password_hash: str) -> None:
        rows = table(UserRow)
        self.session.execute(
            update(rows).where(rows.c.username == username).values(password_hash=password_hash)
        )

    def set_roles(self, username: str, roles: builtins.list[Role], *, active: bool) -> None:
        rows = table(UserRow)
        self.session.execute(
            update(rows)
            .where(rows.c.username == username)
            .values(roles=[r.value for r in roles], active=active)
        )

    def list(self) -> builtins.list[User]:
        rows = table(UserRow)
        return [_user(r) for r in self.session.execute(select(rows).order_by(rows.c.username))]

    def add_token(
        self,
        token_hash: str,
        username: str,
        label: str,
        at: datetime,
        *,
        expires_at: datetime | None = None,
    ) -> str:
        """Store a token's hash; returns its public id (a prefix of the hash)."""
        token_id = token_hash[:12]
        self.session.execute(
            insert(table(ApiTokenRow)),
            [
                {
                    "token_hash": token_hash,
                    "token_id": token_id,
                    "username": username,
                    "label": label,
                    "created_at": at,
                    "expires_at": expires_at,
                    "revoked": False,
                }
            ],
        )
        return token_id

    def token_user(self, token_hash: str) -> tuple[User, datetime | None] | None:
        """The user of an unrevoked token and the token's expiry (checked by the caller)."""
        tokens, users = table(ApiTokenRow), table(UserRow)
        query = (
            select(users, tokens.c.expires_at.label("token_expires_at"))
            .join(tokens, tokens.c.username == users.c.username)
            .where(tokens.c.token_hash == token_hash, tokens.c.revoked.is_(False))
        )
        row = self.session.execute(query).first()
        if row is None:
            return None
        expires = row.token_expires_at
        return _user(row), utc(expires) if expires else None

    def user_for_token(self, token_hash: str) -> User | None:
        found = self.token_user(token_hash)
        return found[0] if found else None

    def tokens(self, username: str | None = None) -> builtins.list[TokenInfo]:
        tokens = table(ApiTokenRow)
        query = select(tokens).order_by(tokens.c.username, tokens.c.created_at)
        if username:
            query = query.where(tokens.c.username == username)
        return [
            TokenInfo(
                token_id=r.token_id or r.token_hash[:12],
                username=r.username,
                label=r.label,
                created_at=utc(r.created_at),
                expires_at=utc(r.expires_at) if r.expires_at else None,
                revoked=r.revoked,
                revoked_at=utc(r.revoked_at) if r.revoked_at else None,
            )
            for r in self.session.execute(query)
        ]

    def set_token_expiry(self, token_id: str, expires_at: datetime) -> int:
        tokens = table(ApiTokenRow)
        done = self.session.execute(
            update(tokens).where(tokens.c.token_id == token_id).values(expires_at=expires_at)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]

    def revoke_token(self, token_id: str, at: datetime) -> str | None:
        """Revoke one token; returns its user, or None when no unrevoked token has that id."""
        tokens = table(ApiTokenRow)
        username = self.session.execute(
            select(tokens.c.username).where(
                tokens.c.token_id == token_id, tokens.c.revoked.is_(False)
            )
        ).scalar_one_or_none()
        if username is None:
            return None
        self.session.execute(
            update(tokens)
            .where(tokens.c.token_id == token_id, tokens.c.revoked.is_(False))
            .values(revoked=True, revoked_at=at)
        )
        return str(username)

    def revoke_tokens(self, username: str, at: datetime | None = None) -> int:
        """Revoke every token of a user; returns how many were still valid."""
        tokens = table(ApiTokenRow)
        done = self.session.execute(
            update(tokens)
            .where(tokens.c.username == username, tokens.c.revoked.is_(False))
            .values(revoked=True, revoked_at=at)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]

    # Sessions -------------------------------------------------------------------------

    def add_session(self, id_hash: str, username: str, at: datetime, expires_at: datetime) -> None:
        self.session.execute(
            insert(table(UserSessionRow)),
            [
                {
                    "id_hash": id_hash,
                    "username": username,
                    "created_at": at,
                    "expires_at": expires_at,
                }
            ],
        )

    def session_user(self, id_hash: str) -> tuple[User, datetime] | None:
        """The user of a stored session and the session's expiry (checked by the caller)."""
        sessions, users = table(UserSessionRow), table(UserRow)
        query = (
            select(users, sessions.c.expires_at.label("session_expires_at"))
            .join(sessions, sessions.c.username == users.c.username)
            .where(sessions.c.id_hash == id_hash)
        )
        row = self.session.execute(query).first()
        return (_user(row), utc(row.session_expires_at)) if row else None

    def end_session(self, id_hash: str) -> int:
        sessions = table(UserSessionRow)
        done = self.session.execute(delete(sessions).where(sessions.c.id_hash == id_hash))
        return int(done.rowcount)  # type: ignore[attr-defined]

    def end_sessions(self, username: str, *, keep: str | None = None) -> int:
        """End every session of a user (but ``keep``, a session id hash); how many ended."""
        sessions = table(UserSessionRow)
        query = delete(sessions).where(sessions.c.username == username)
        if keep:
            query = query.where(sessions.c.id_hash != keep)
        return int(self.session.execute(query).rowcount)  # type: ignore[attr-defined]

    def end_expired_sessions(self, now: datetime) -> None:
        sessions = table(UserSessionRow)
        self.session.execute(delete(sessions).where(sessions.c.expires_at < now))


class RateLimitRepository:
    """Counters shared by every worker through the database (see ``RateLimitRow``).

    Each method is one or two statements whose conditions make them safe to race: the
    row lock a write takes (PostgreSQL) or the database write lock (SQLite) orders them.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def blocked_until(self, key: str) -> int:
        rows = table(RateLimitRow)
        found = self.session.execute(
            select(rows.c.blocked_until).where(rows.c.key == key)
        ).scalar_one_or_none()
        return int(found or 0)

    def count(self, key: str, now: int, window: int) -> tuple[int, int] | None:
        """Count one more hit of ``key`` unless it is blocked: the new count and the
        start of its window, or None when blocked.

        A count whose window (``window`` seconds from its first hit) has passed starts
        again at one.
        """
        rows = table(RateLimitRow)
        self._ensure(key, now)
        stale = rows.c.window_start <= now - window
        done = self.session.execute(
            update(rows)
            .where(rows.c.key == key, rows.c.blocked_until <= now)
            .values(
                hits=case((stale, 1), else_=rows.c.hits + 1),
                window_start=case((stale, now), else_=rows.c.window_start),
            )
            .returning(rows.c.hits, rows.c.window_start)
        ).first()
        return None if done is None else (int(done.hits), int(done.window_start))

    def block(self, key: str, until: int) -> None:
        rows = table(RateLimitRow)
        self.session.execute(
            update(rows)
            .where(rows.c.key == key, rows.c.blocked_until < until)
            .values(blocked_until=until)
        )

    def forgive(self, key: str, below: int) -> None:
        """Take back one hit (a success counted in advance); unblock under ``below``."""
        rows = table(RateLimitRow)
        hits = case((rows.c.hits > 0, rows.c.hits - 1), else_=0)
        self.session.execute(
            update(rows)
            .where(rows.c.key == key)
            .values(
                hits=hits,
                blocked_until=case((hits < below, 0), else_=rows.c.blocked_until),
            )
        )

    def clear(self, key: str) -> None:
        rows = table(RateLimitRow)
        self.session.execute(delete(rows).where(rows.c.key == key))

    def prune(self, now: int, older_than: int) -> None:
        """Forget counters whose window ended long ago and that block nothing."""
        rows = table(RateLimitRow)
        self.session.execute(
            delete(rows).where(rows.c.window_start < now - older_than, rows.c.blocked_until < now)
        )

    def _ensure(self, key: str, now: int) -> None:
        values = {"key": key, "hits": 0, "window_start": now, "blocked_until": 0}
        maker = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        self.session.execute(maker(table(RateLimitRow)).values(**values).on_conflict_do_nothing())


class ReviewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, project_id: str, reviewer: str, assigned_by: str, at: datetime) -> int:
        values = {
            "project_id": project_id,
            "reviewer": reviewer,
            "assigned_by": assigned_by,
            "assigned_at": at,
            "conflict_reason": "",
            "scores": {},
            "comment": "",
        }
        rows = table(ReviewRow)
        new_id = self.session.execute(insert(rows).values(**values).returning(rows.c.id))
        return int(new_id.scalar_one())

    def get(self, review_id: int) -> dict[str, Any] | None:
        rows = table(ReviewRow)
        row = self.session.execute(select(rows).where(rows.c.id == review_id)).first()
        return _review(row) if row else None

    def find(self, project_id: str, reviewer: str) -> dict[str, Any] | None:
        rows = table(ReviewRow)
        query = select(rows).where(rows.c.project_id == project_id, rows.c.reviewer == reviewer)
        row = self.session.execute(query).first()
        return _review(row) if row else None

    def list(
        self, *, reviewer: str | None = None, project_id: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        rows = table(ReviewRow)
        query = select(rows).order_by(rows.c.id)
        if reviewer:
            query = query.where(rows.c.reviewer == reviewer)
        if project_id:
            query = query.where(rows.c.project_id == project_id)
        return [_review(r) for r in self.session.execute(query)]

    def update(self, review_id: int, **values: Any) -> None:
        rows = table(ReviewRow)
        self.session.execute(update(rows).where(rows.c.id == review_id).values(**values))


def _review(row: Row[Any]) -> dict[str, Any]:
    values = dict(row._mapping)
    values["assigned_at"] = utc(row.assigned_at)
    values["submitted_at"] = utc(row.submitted_at) if row.submitted_at else None
    return values
