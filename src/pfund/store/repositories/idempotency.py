"""First answers of money writes, by the actor and the ``Idempotency-Key`` they sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.orm import Session

from pfund.store.repositories._rows import table
from pfund.store.tables import IdempotencyKeyRow


class IdempotencyRepository:
    """Stored with the movement, in its transaction; never updated."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, actor: str, key: str) -> Row[Any] | None:
        keys = table(IdempotencyKeyRow)
        query = select(keys).where(keys.c.actor == actor, keys.c.key == key)
        return self.session.execute(query).first()

    def add(
        self,
        *,
        actor: str,
        key: str,
        method: str,
        path: str,
        fingerprint: str,
        status: int,
        body: str,
        at: datetime,
    ) -> None:
        self.session.execute(
            insert(table(IdempotencyKeyRow)).values(
                actor=actor,
                key=key,
                method=method,
                path=path,
                fingerprint=fingerprint,
                status=status,
                body=body,
                created_at=at,
            )
        )
