"""Migration 0011 on a database that already has accounts and tokens (both stores)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from pfund.store import make_engine, upgrade


def test_0011_gives_existing_tokens_an_id_and_an_expiry(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0006")
        created = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (username, display_name, roles, password_hash, active,"
                    " created_at) VALUES ('ana', '', '[\"analyst\"]', 'x', true, :at)"
                ),
                {"at": created},
            )
            for digest in ("a" * 64, "b" * 64):
                connection.execute(
                    text(
                        "INSERT INTO api_tokens (token_hash, username, label, created_at,"
                        " revoked) VALUES (:h, 'ana', 'old', :at, false)"
                    ),
                    {"h": digest, "at": created},
                )
        upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT token_id, expires_at FROM api_tokens ORDER BY token_id")
            ).all()
            assert connection.execute(text("SELECT count(*) FROM user_sessions")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM rate_limits")).scalar() == 0
        assert [r.token_id for r in rows] == ["a" * 12, "b" * 12]
        for row in rows:
            expires = row.expires_at
            if isinstance(expires, str):  # SQLite hands back text through text()
                expires = datetime.fromisoformat(expires)
            expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
            assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    finally:
        engine.dispose()
