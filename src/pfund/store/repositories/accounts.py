"""Users, API tokens and reviews; hashes go in and out, never a password or a token."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from pfund.domain.account import Role, User
from pfund.domain.audit import utc
from pfund.store.repositories._rows import table
from pfund.store.tables.accounts import ApiTokenRow, ReviewRow, UserRow


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

    def add_token(self, token_hash: str, username: str, label: str, at: datetime) -> None:
        self.session.execute(
            insert(table(ApiTokenRow)),
            [
                {
                    "token_hash": token_hash,
                    "username": username,
                    "label": label,
                    "created_at": at,
                    "revoked": False,
                }
            ],
        )

    def user_for_token(self, token_hash: str) -> User | None:
        tokens, users = table(ApiTokenRow), table(UserRow)
        query = (
            select(users)
            .join(tokens, tokens.c.username == users.c.username)
            .where(tokens.c.token_hash == token_hash, tokens.c.revoked.is_(False))
        )
        row = self.session.execute(query).first()
        return _user(row) if row else None

    def revoke_tokens(self, username: str) -> None:
        tokens = table(ApiTokenRow)
        self.session.execute(
            update(tokens).where(tokens.c.username == username).values(revoked=True)
        )


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
