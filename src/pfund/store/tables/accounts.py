"""Rows of staff accounts, their sessions and API tokens, rate limits, and reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ID, Base


class UserRow(Base):
    """An account; the argon2 hash is the only trace of the password."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """A bearer token, stored as its SHA-256 so a leaked table grants nothing."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.username", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The public name of a token (a prefix of its hash), for listing and revoking it.
    token_id: Mapped[str | None] = mapped_column(String(16), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserSessionRow(Base):
    """A signed-in browser session, stored server-side so that it can be ended.

    The cookie carries a random session id; only its SHA-256 is stored, so a leaked
    table cannot be replayed. Signing out, deactivation and a password change delete rows,
    and a cookie whose row is gone no longer signs anyone in.
    """

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.username", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RateLimitRow(Base):
    """One counter of a rate limit (sign-in failures per account or address, proposals
    per address), shared by every worker process through the database.

    ``key`` is the limit's kind and an HMAC of what it counts (an address or a user
    name) under the installation's secret: no address is kept in clear. Times are whole
    seconds since the epoch, so that both databases compare them the same way in SQL.
    """

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[int] = mapped_column(BigInteger, index=True)
    blocked_until: Mapped[int] = mapped_column(BigInteger, default=0)


class ReviewRow(Base):
    """One reviewer's assignment to one proposal, with their declaration and scores.

    A conflict of interest recuses the reviewer: their scores can no longer be given.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    reviewer: Mapped[str] = mapped_column(String(64), ForeignKey("users.username"), index=True)
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    conflict: Mapped[bool | None] = mapped_column(Boolean)
    conflict_reason: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
