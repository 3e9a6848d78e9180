"""The web service on SQLite and PostgreSQL alike: public reads, a staff write, the cache."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pfund.api import create_app
from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.demo import load_demo
from pfund.services.runtime import Runtime
from pfund.settings import Settings
from tests.api.conftest import PASSWORD


def test_the_service_reads_and_writes_on_each_store(
    database_url: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    rt = Runtime(engine=engine, sessions=session_factory, actor="test:setup")
    load_demo(rt)
    accounts.add_user(rt, "ana", PASSWORD, roles=[Role.ANALYST])
    app = create_app(Settings(database_url=database_url), runtime=rt)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/projects?lang=ru").status_code == 200
        before = client.get("/conditions").text
        token = client.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        code = client.get("/api/v1/conditions").json()["conditions"][0]["code"]
        change = {
            "status": "met",
            "evidence": "OSCE monitoring report 12",
            "verifier": "osce_monitoring",
            "on": "2027-04-01",
        }
        answer = client.put(f"/api/v1/conditions/{code}", json=change, headers=headers)
        assert answer.status_code == 200, answer.text
        after = client.get("/conditions").text
        assert after != before  # the cached page follows the store
        assert client.get("/api/v1/conditions").json()["conditions"][0]["status"] == "met"
