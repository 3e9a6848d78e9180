"""Errors answer with the documented shape, the database's refusals are 4xx, and no
exception's text (which may quote a protected value) reaches a response or a log line,
neither the app's own nor the server's (uvicorn run as ``pfund serve`` runs it)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pfund.api import create_app
from pfund.api.logs import WithholdTracebacks, WithoutQuery, log_config
from pfund.domain.account import Role
from pfund.errors import InvalidInput
from pfund.io.files import MAX_DEPTH, read_records
from pfund.services import accounts, portal
from pfund.services.demo import load_demo
from pfund.services.runtime import Runtime
from pfund.settings import Settings
from tests.api.conftest import PASSWORD, settings_for

NAME = "Olga Vasilyevna Secretova"
EMAIL = "olga.secretova@example.org"
PHONE = "+7 913 555 01 02"


def _boom(*_: object, **__: object) -> None:
    raise RuntimeError(f"cannot store person {NAME} <{EMAIL}> phone {PHONE}")


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for value in (NAME, EMAIL, PHONE, "Secretova"):
            assert value not in text


def _server_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the service logged (the test's own HTTP client logs its requests too)."""
    return "\n".join(
        logging.Formatter().format(r) for r in caplog.records if not r.name.startswith("httpx")
    )


def _shape(body: dict[str, object], status: int) -> dict[str, object]:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"status", "message", "problems"}
    assert error["status"] == status
    return error


def test_an_internal_error_answers_a_request_id_and_logs_no_value(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("pfund.api.routes.projects.summarise", _boom)
    monkeypatch.setattr(portal, "contributors", _boom)

    answer = client.get("/api/v1/fund?name=" + NAME.replace(" ", "+"))
    assert answer.status_code == 500
    error = _shape(answer.json(), 500)
    request_id = answer.headers["x-request-id"]
    assert error["message"] == f"internal error (request {request_id})"
    assert error["problems"] == []

    pages = {lang: client.get(f"/funding?lang={lang}") for lang in ("en", "ru")}
    for page in pages.values():
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["x-request-id"] in page.text
    assert "Ошибка" in pages["ru"].text

    logged = _server_log(caplog)
    _assert_clean(answer.text, *(p.text for p in pages.values()), logged)
    assert f"RuntimeError on GET /api/v1/fund (request {request_id})" in logged
    assert "/funding" in logged


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (
            IntegrityError(f"INSERT INTO people VALUES ('{NAME}')", {"n": NAME}, Exception(NAME)),
            409,
        ),
        (DataError(f"value too long: '{PHONE}'", {"p": PHONE}, Exception(PHONE)), 400),
    ],
)
def test_what_the_database_refuses_is_a_4xx_that_quotes_no_value(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    status: int,
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise error

    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("pfund.api.routes.projects.summarise", refuse)
    monkeypatch.setattr(portal, "contributors", refuse)
    answer = client.get("/api/v1/fund")
    assert answer.status_code == status
    _shape(answer.json(), status)
    page = client.get("/funding?lang=ru")
    assert page.status_code == status
    assert "Ошибка" in page.text
    _assert_clean(answer.text, page.text, _server_log(caplog))


@pytest.fixture
def served(app_rt: Runtime, db_url: str) -> Iterator[str]:
    """The app under a real uvicorn server configured as ``pfund serve`` configures it."""
    app = create_app(settings_for(db_url), runtime=app_rt)
    config = uvicorn.Config(app, log_config=log_config(), log_level="info", access_log=True)
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.02)
    host, port = sock.getsockname()
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_the_server_log_holds_no_traceback_or_value(
    served: str,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("pfund.api.routes.projects.summarise", _boom)
    answer = httpx.get(f"{served}/api/v1/fund", params={"q": EMAIL})
    assert answer.status_code == 500
    assert httpx.get(f"{served}/api/v1/nothing", params={"who": NAME}).status_code == 404
    out, err = capfd.readouterr()
    logged = out + err + _server_log(caplog)
    _assert_clean(answer.text, logged)
    assert "Traceback" not in logged
    assert "Exception in ASGI application" not in logged  # the app answered it itself
    assert "RuntimeError" in logged
    assert '"GET /api/v1/fund HTTP/1.1" 500' in logged  # the access line, without its query


def test_the_log_filters_withhold_tracebacks_and_query_strings() -> None:
    try:
        _boom()
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("uvicorn.error", 40, "x", 1, "Exception in %s", ("app",), exc_info)
    assert WithholdTracebacks().filter(record)
    text = logging.Formatter().format(record)
    assert "RuntimeError" in text
    _assert_clean(text)
    access = logging.LogRecord(
        "uvicorn.access", 20, "x", 1, "%s %s %s", ("1.2.3.4", "GET", f"/x?email={EMAIL}"), None
    )
    assert WithoutQuery().filter(access)
    _assert_clean(access.getMessage())


def test_a_deeply_nested_import_file_is_refused_by_name(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    nested = tmp_path / "nested.yaml"
    nested.write_text(json.dumps({"projects": [{"a": json.loads("[" * 70 + "]" * 70)}]}))
    shallow = tmp_path / "fine.json"
    shallow.write_text(json.dumps({"projects": [{"a": json.loads("[" * 30 + "]" * 30)}]}))
    for path in (deep, nested):
        with pytest.raises(InvalidInput) as refused:
            read_records(path, key="projects")
        assert path.name in str(refused.value)
        assert f"nested more than {MAX_DEPTH} levels deep" in str(refused.value)
    assert len(read_records(shallow, key="projects")) == 1


def test_an_upload_named_dot_dot_is_a_400(client: TestClient, token_for: object) -> None:
    headers = token_for("comp")  # type: ignore[operator]
    answer = client.post(
        "/api/v1/screening/watchlists", files={"file": ("..", b"{}")}, headers=headers
    )
    assert answer.status_code == 400
    assert "file name" in _shape(answer.json(), 400)["message"]  # type: ignore[operator]


def test_a_phone_longer_than_its_column_is_a_400_naming_no_value(
    database_url: str,
    engine: Engine,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The finding: a 70-character phone passed validation and failed in PostgreSQL,
    whose error (with the person's name, e-mail and phone) reached the server log."""
    caplog.set_level(logging.DEBUG)
    rt = Runtime(engine=engine, sessions=session_factory, actor="test:setup")
    load_demo(rt)
    accounts.add_user(rt, "ana", PASSWORD, roles=[Role.ANALYST])
    long_phone = "+7 " + "9" * 67
    person = {"id": "P-LONG", "name": NAME, "email": EMAIL, "phone": long_phone, "notes": NAME}
    app = create_app(Settings(database_url=database_url), runtime=rt)
    with TestClient(app, raise_server_exceptions=False) as client:
        token = client.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD})
        answer = client.post(
            "/api/v1/imports/people",
            files={"file": ("people.json", json.dumps({"people": [person]}).encode())},
            headers={"Authorization": f"Bearer {token.json()['token']}"},
        )
    assert answer.status_code == 400, answer.text
    error = _shape(answer.json(), 400)
    assert "people.json" in str(error["message"])
    assert any(p["field"] and "phone" in p["field"] for p in error["problems"])  # type: ignore[attr-defined]
    _assert_clean(answer.text, _server_log(caplog))
    assert long_phone not in answer.text + _server_log(caplog)
