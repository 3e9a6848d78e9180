"""Watching the service: /healthz, /readyz, /metrics and request ids in the logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

import pfund
from pfund.api import create_app
from pfund.keys import generate_keys, write_keys
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.screening import load_watchlist
from pfund.settings import Settings
from pfund.store import make_engine, upgrade
from pfund.store.migrate import head_revision
from tests.api.conftest import PASSWORD, settings_for, sign_in
from tests.services.test_opendata import every_protected_value

LOCAL = ("127.0.0.1", 50000)
SAMPLE_WATCHLIST = Path(pfund.__file__).parent / "data" / "rpf" / "watchlists" / "sample.ftm.json"


def app_on(settings: Settings, rt: Runtime) -> TestClient:
    return TestClient(create_app(settings, runtime=rt), raise_server_exceptions=False, client=LOCAL)


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


# --- /healthz and /readyz on both databases ---------------------------------------------


def test_a_migrated_store_with_its_keys_is_ready_on_either_database(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    rt = open_runtime(settings)
    try:
        with app_on(settings, rt) as client:
            assert client.get("/healthz").json() == {"status": "alive"}
            answer = client.get("/readyz")
    finally:
        rt.close()
    assert answer.status_code == 200, answer.text
    assert [(c["name"], c["ok"]) for c in answer.json()["checks"]] == [
        ("database", True),
        ("migrations", True),
        ("keys", True),
    ]


def test_a_database_behind_the_head_revision_is_not_ready(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0014")
    engine.dispose()
    settings = Settings(database_url=database_url)
    rt = open_runtime(settings, migrate=False)
    try:
        with app_on(settings, rt) as client:
            answer = client.get("/readyz")
            alive = client.get("/healthz").status_code
    finally:
        rt.close()
    assert answer.status_code == 503
    assert alive == 200  # alive all the same: restarting it would not migrate anything
    failed = {c["name"]: c["reason"] for c in answer.json()["checks"] if not c["ok"]}
    assert failed == {"migrations": f"the database is at revision 0014, not {head_revision()}"}


def test_missing_or_replaced_keys_are_not_ready(database_url: str, tmp_path: Path) -> None:
    rt = open_runtime(Settings(database_url=database_url))
    missing = Settings(database_url=database_url, keys_file=tmp_path / "gone.keys")
    other = write_keys(generate_keys(), tmp_path / "other.keys")
    replaced = Settings(database_url=database_url, keys_file=other.path)
    try:
        answers = []
        for settings in (missing, replaced):
            with app_on(settings, rt) as client:
                answers.append(client.get("/readyz"))
    finally:
        rt.close()
    reasons = []
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json()["status"] == "not ready"
        reasons += [c["reason"] for c in answer.json()["checks"] if not c["ok"]]
    assert reasons == [
        "the keys file is missing",
        "the keys file holds other keys than the service started with",
    ]
    assert all(str(tmp_path) not in answer.text for answer in answers)


def test_healthz_does_not_touch_the_database_and_readyz_says_it_does_not_answer(
    db_url: str, app_rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("password=hunter2"))

    with app_on(settings_for(db_url), app_rt) as client:
        monkeypatch.setattr(app_rt.engine, "connect", refuse)
        assert client.get("/healthz").status_code == 200
        answer = client.get("/readyz")
        scraped = samples(client)  # the request counts are still served
    assert answer.status_code == 503
    checks = {c["name"]: c for c in answer.json()["checks"]}
    assert "migrations" not in checks  # not asked of a database that does not answer
    assert checks["database"] == {
        "name": "database",
        "ok": False,
        "reason": "the database does not answer (ConnectionRefusedError)",
    }
    assert "hunter2" not in answer.text
    assert scraped[("pfund_database_up", ())] == 0
    assert ("pfund_screening_hits_open", ()) not in scraped
    healthz = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    assert scraped[("pfund_http_requests_total", healthz)] == 1


# --- /metrics -------------------------------------------------------------------------


def test_metrics_count_requests_by_route_template_never_by_path(
    db_url: str, app_rt: Runtime
) -> None:
    with app_on(settings_for(db_url), app_rt) as client:
        for _ in range(3):
            assert client.get("/api/v1/projects/AGR-DAIRY-01").status_code == 200
        client.get("/projects/AGR-DAIRY-01?token=s3cr3t-t0ken")
        client.get("/no/such/page-7f3a9c")
        text = client.get("/metrics").text
        found = samples(client)
    for value in ("AGR-DAIRY-01", "s3cr3t-t0ken", "page-7f3a9c"):
        assert value not in text
    api = (("method", "GET"), ("route", "/api/v1/projects/{project_id}"), ("status", "200"))
    assert found[("pfund_http_requests_total", api)] == 3
    assert (
        found[("pfund_http_requests_total", (*api[:1], ("route", "(no route)"), ("status", "404")))]
        == 1
    )
    timed = (("method", "GET"), ("route", "/api/v1/projects/{project_id}"))
    assert found[("pfund_http_request_duration_seconds_count", timed)] == 3


def test_gauges_count_open_hits_and_held_tranches_from_the_database(
    db_url: str, app_rt: Runtime
) -> None:
    with app_on(settings_for(db_url), app_rt) as client:
        before = samples(client)
        report = load_watchlist(app_rt, SAMPLE_WATCHLIST)
        after = samples(client)
    assert before[("pfund_screening_hits_open", ())] == 0
    assert before[("pfund_database_up", ())] == 1
    assert len(report.new_hits) > 0
    assert after[("pfund_screening_hits_open", ())] == len(report.new_hits)
    # The approved run planned tranches whose conditions are not met yet: held at release.
    assert before[("pfund_tranches_held", (("step", "release"),))] > 0
    assert before[("pfund_tranches_held", (("step", "disburse"),))] == 0


@pytest.mark.parametrize(
    ("peer", "headers", "trusted", "allowed"),
    [
        ("127.0.0.1", {}, [], True),
        ("10.0.0.7", {}, [], False),  # another machine
        # A reverse proxy on this machine that pfund does not trust: every visitor
        # would look like 127.0.0.1, so nothing it forwards may read the metrics.
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, [], False),
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, ["127.0.0.1"], False),
        ("127.0.0.1", {"x-forwarded-for": "10.0.0.2"}, ["127.0.0.1"], True),
    ],
)
def test_metrics_answer_only_the_networks_the_settings_name(
    db_url: str,
    app_rt: Runtime,
    peer: str,
    headers: dict[str, str],
    trusted: list[str],
    allowed: bool,
) -> None:
    settings = Settings(
        database_url=db_url, trusted_proxies=trusted, metrics_networks=["127.0.0.1", "10.0.0.0/24"]
    )
    if not allowed and peer == "10.0.0.7":
        settings = Settings(database_url=db_url)  # this machine only, the default
    app = create_app(settings, runtime=app_rt)
    with TestClient(app, client=(peer, 50000)) as client:
        answer = client.get("/metrics", headers=headers)
    assert answer.status_code == (200 if allowed else 404)
    assert ("pfund_http_requests_total" in answer.text) is allowed


# --- request ids and the log ----------------------------------------------------------


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What ``pfund serve`` would print: every pfund and uvicorn record as a JSON line."""
    from pfund.api.logs import JsonLines, WithholdTracebacks

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines())
    handler.addFilter(WithholdTracebacks())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield out
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_the_request_id_is_the_callers_when_plain_else_a_new_one(client: TestClient) -> None:
    kept = client.get("/healthz", headers={"x-request-id": "lb-7f3a9c21"})
    assert kept.headers["x-request-id"] == "lb-7f3a9c21"
    for bad in ("a b c d e f g h", "<script>alert(1)</script>", "short"):
        answer = client.get("/healthz", headers={"x-request-id": bad})
        assert answer.headers["x-request-id"] != bad
        assert len(answer.headers["x-request-id"]) == 16
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_no_protected_value_reaches_a_log_line_of_a_request_that_touches_it(
    db_url: str,
    app_rt: Runtime,
    json_log: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Compliance reads protected partners and screening hits through the pages and
    the API, with one line per request logged, and one request fails with a protected
    name in its exception: every line is JSON with its request's id, none the value."""
    load_watchlist(app_rt, SAMPLE_WATCHLIST)
    secret = every_protected_value(app_rt)
    assert len(secret) > 20
    with app_rt.uow() as uow:
        orgs = [o.id for o in uow.organisations.list()]
    a_name = sorted(secret)[0]
    settings = Settings(database_url=db_url, access_log=True)
    with app_on(settings, app_rt) as client:
        sign_in(client, "comp")
        auth = {"Authorization": f"Bearer {_token(client, 'comp')}"}
        urls = ["/staff/screening", "/api/v1/screening/hits", "/api/v1/organisations"]
        urls += [f"/api/v1/organisations/{org}" for org in orgs]
        ids, touched = [], 0
        for url in urls:
            answer = client.get(url, headers=auth)
            ids.append(answer.headers["x-request-id"])
            touched += answer.status_code == 200 and any(v in answer.text for v in secret)

        def fail(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError(f"could not show {a_name}")

        monkeypatch.setattr("pfund.api.routes.projects.view", fail)
        broken = client.get(f"/api/v1/organisations/{orgs[0]}", headers=auth)
    assert touched > 0, "no request showed a protected value: the test would prove nothing"
    assert broken.status_code == 500
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert set(ids) <= {line.get("request_id") for line in lines}  # each request's line
    failed = broken.headers["x-request-id"]
    assert any(x["level"] == "error" and x.get("request_id") == failed for x in lines)
    text = json_log.getvalue()
    leaked = sorted(v for v in secret if v in text)
    assert leaked == [], f"the log holds {len(leaked)} protected values"


def _token(client: TestClient, username: str) -> str:
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def test_readiness_waits_for_every_worker_the_supervisor_counts(tmp_path: Path) -> None:
    from pfund.services.operations import workers_check

    state = tmp_path / "workers.json"
    assert workers_check(state).reason == "the workers are starting"  # not written yet
    state.write_text('{"listening": 1, "workers": 2}')
    assert workers_check(state).reason == "1 of 2 workers listen"
    state.write_text('{"listening": 2, "workers": 2}')
    assert workers_check(state).ok
