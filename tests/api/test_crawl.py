"""A crawl of every route: no request, however wrong, is answered with a 5xx.

The route table comes from the app itself (``app.routes``), so a new route is crawled
without anyone remembering to add it. Every GET route is asked by the anonymous public
and by each staff role, in English and Russian, with every kind of record in its path
parameters: real projects, organisations, tranches, hits and reviews, every kind of
decision record (OPT, APR, FRN, ROB, SCN) whichever kind the route expects, ids that do
not exist, ``..``, and ids far longer than any column. Every write route gets malformed
bodies (empty, wrong types, a non-numeric score, broken and deeply nested JSON, an
upload named ``..``). One store per database serves the whole crawl, so it stays quick;
writes are chosen so that none of them can succeed and change what later requests see.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from pfund.api import create_app
from pfund.services import jobs, reviews, screening
from pfund.services.backup import backup, restore
from pfund.services.records import save_record
from pfund.services.runtime import Runtime, open_runtime
from tests.api.conftest import ROLES, settings_for, sign_in
from tests.api.inprocess import InProcessClient, in_process
from tests.conftest import _postgres_url, _reset_postgres

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
CASES = Path(__file__).parents[1] / "cases"
SECRET = "crawl passphrase of enough length"
LONG = "X" * 600
# Ids that name nothing, or try to escape the path: asked of every parameter.
BAD = ["NOPE-9999", "0", "-1", "99999999999999999999", "%2E%2E", "..%2F..%2Fetc", LONG]
DECISION_KINDS = ("appraisal", "frontier", "robust", "scenario")
STARTS_A_RUN = {
    "/api/v1/appraisals",
    "/api/v1/portfolio/runs",
    "/api/v1/screening/run",
    "/staff/appraise",
    "/staff/optimise",
    "/staff/screening/run",
    "/staff/jobs/report",
    "/signout",
}
LANGS = ("en", "ru")
# One account of each role (rev2 is a second reviewer, for the review tests).
CRAWLED = [name for name in ROLES if name != "rev2"]
# The admin, who may do everything, gets every malformed body; other roles the first
# few (their writes mostly stop at the permission check, which these already reach).
FEW_BODIES = 4
# Where the two databases' walks begin their turns through the bodies (see `_chosen`):
# apart, so that between them the bad ids of a route meet twice as many kinds of body.
TURN = {"sqlite": 0, "postgres": 4}


@dataclass
class Store:
    rt: Runtime
    app: FastAPI
    ids: dict[str, list[str]]
    database: str


def _all_routes(app: FastAPI) -> list[tuple[str, set[str], Any]]:
    """(path, methods, dependant) of every endpoint in the app's route table, flattened
    through included routers (FastAPI keeps them as included-router entries)."""
    found = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for ctx in contexts() if contexts else [route]:
            methods = getattr(ctx, "methods", None)
            path = getattr(ctx, "path_format", None) or getattr(ctx, "path", None)
            if methods and path:
                found.append((path, set(methods), getattr(ctx, "dependant", None)))
    return found


def _fill(rt: Runtime) -> None:
    """Records of every kind the routes take: decision records of each kind, a
    screening hit and a review, on top of the approved sample fund."""
    for kind in DECISION_KINDS:
        save_record(rt, kind=kind, inputs={"x": 1}, parameters={}, status="optimal", result={})
    screening.load_watchlist(rt, CASES / "watchlist_sample.ftm.json")
    screening.screen_all(rt)
    with rt.uow() as uow:
        project = uow.projects.list()[0].id
    reviews.assign(rt, project, "rev")


def _ids(rt: Runtime) -> dict[str, list[str]]:
    with rt.uow() as uow:
        projects = [p.id for p in uow.projects.list()]
        orgs = [o.id for o in uow.organisations.list()]
        records = uow.decisions.list()
        tranches = [t.id for t in uow.tranches.list()]
        conditions = [c.code for c in uow.conditions.list()]
        hits = [str(h.id) for h, _ in uow.hits.with_status()][:2]
    runs = sorted({r.id for r in records if r.kind == "portfolio"})[:1] + sorted(
        {r.id for r in records if r.kind != "portfolio"}
    )
    return {
        "project_id": projects[:2],
        "organisation_id": orgs[:2],
        "org_id": orgs[:2],
        "run_id": runs,
        "code": conditions[:1],
        "tranche_id": tranches[:2],
        "hit_id": hits or ["1"],
        "review_id": ["1"],
        "job_id": ["0"],
        "kind": ["projects", "organisations", "people"],
        "criterion": ["integrity"],
        "action": ["release", "disburse", "explode"],
        "name": ["projects", "tranches", "ledger"],
        "fmt": ["csv", "json", "exe"],
        "agreement_id": ["DA-0001"],
        "contributor": ["GBR"],
    }


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def store(
    request: pytest.FixtureRequest,
    demo_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Store]:
    """The approved sample fund, with one record of every kind, on SQLite or PostgreSQL
    (there restored from a backup of the SQLite copy, which is quicker than loading)."""
    folder = tmp_path_factory.mktemp("crawl")
    copy = folder / "pfund.db"
    shutil.copy(demo_template, copy)
    url = f"sqlite:///{copy}"
    rt = open_runtime(settings_for(url))
    _fill(rt)
    if request.param == "postgres":
        backup(rt, folder / "demo.pfbak", SECRET)
        rt.close()
        url = _postgres_url()
        _reset_postgres(url)
        rt = open_runtime(settings_for(url))
        restore(rt, folder / "demo.pfbak", SECRET)
    app = create_app(settings_for(url), runtime=rt)
    yield Store(rt=rt, app=app, ids=_ids(rt), database=request.param)
    rt.close()


@pytest.fixture(scope="module")
def clients(store: Store) -> Iterator[dict[str, InProcessClient]]:
    """One client per role, the staff ones signed in through the sign-in page.

    The crawl sends about ten thousand requests per database: they go to the app in this
    thread's event loop (``tests.api.inprocess``), not through a test client's thread,
    which cost two thirds of the crawl's CPU time. A test client stays open around
    them, so the app has started (and stops after) as in service."""
    with (
        TestClient(store.app, raise_server_exceptions=False),
        in_process(store.app) as make,
    ):
        found = {"public": make()}
        for username in CRAWLED:
            found[username] = make()
            sign_in(found[username], username)
        yield found


def _urls(path: str, ids: dict[str, list[str]]) -> list[str]:
    """The path with each of its parameters in turn taking every real and bad value
    (the other parameters keep their first real value), so the number of requests
    grows with the values, not with their product."""
    names = PARAM.findall(path)
    if not names:
        return [path]
    first = {n: (ids.get(n) or ["x"])[0] for n in names}
    found: list[str] = []
    for name in names:
        for value in [*ids.get(name, ["x"]), *BAD]:
            chosen = {**first, name: value}
            found.append(PARAM.sub(lambda m, c=chosen: c[m.group(1)], path))  # type: ignore[misc]
    return list(dict.fromkeys(found))


def _csrf(client: InProcessClient) -> str:
    token = client.cookies.get("pfund_session")
    if token is None:
        return ""
    page = client.get("/staff/import")
    marker = 'name="csrf_token" value="'
    if marker not in page.text:
        return ""
    start = page.text.index(marker) + len(marker)
    return str(page.text[start : page.text.index('"', start)])


def _langs(url: str, index: int, turn: int) -> tuple[str, ...]:
    """The languages a GET is asked in: the API speaks JSON in one; a page's first
    address (real records) is asked in both, and each of its other addresses (a bad id
    or another record) in one, taking turns, so every role sees each kind of address in
    both languages across a route's addresses and the two databases."""
    if url.startswith("/api/"):
        return LANGS[:1]
    if index == 0:
        return LANGS
    return (LANGS[(index + turn) % len(LANGS)],)


def test_no_get_route_answers_5xx(store: Store, clients: dict[str, InProcessClient]) -> None:
    failures: list[str] = []
    asked = 0
    for path, methods, _ in _all_routes(store.app):
        if "GET" not in methods or path.startswith("/static"):
            continue
        for index, url in enumerate(_urls(path, store.ids)):
            for turn, (role, client) in enumerate(clients.items(), TURN[store.database]):
                for lang in _langs(url, index, turn):
                    answer = client.get(
                        url, headers={"accept-language": lang}, follow_redirects=False
                    )
                    asked += 1
                    if answer.status_code >= 500:
                        failures.append(f"GET {url} [{role}, {lang}] -> {answer.status_code}")
    assert asked > 1000
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures)


def _fields(dependant: Any) -> list[str]:
    """The names a write route reads: its form fields, or its JSON model's fields."""
    found: list[str] = []
    for param in getattr(dependant, "body_params", None) or []:
        model = getattr(param.field_info, "annotation", None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            found += [f.alias or name for name, f in model.model_fields.items()]
        elif param.alias != "csrf_token":
            found.append(param.alias)
    return found


def _bodies(fields: list[str], csrf: str) -> list[dict[str, Any]]:
    """Malformed requests for a write route: empty, wrong types, broken JSON, a deep
    nesting and an upload named ``..``. None of them can succeed."""
    base = {"csrf_token": csrf}
    deep = ("[" * 50_000 + "]" * 50_000).encode()
    return [
        {"data": base},
        {"data": {**base, **dict.fromkeys(fields, "not a number"), "score_quality": "abc"}},
        {"data": {**base, **dict.fromkeys(fields, ""), "score_impact": "1e999"}},
        {"json": {key: {"nested": [1, None]} for key in fields}},
        {"json": [1, 2, 3]},
        {"content": b'{"broken": ', "headers": {"content-type": "application/json"}},
        {"content": deep, "headers": {"content-type": "application/json"}},
        {"data": {**base, "kind": "projects"}, "files": {"file": ("..", b"{}", "text/plain")}},
        {"data": {**base, "kind": "projects"}, "files": {"file": ("deep.json", deep, "x/y")}},
    ]


def _chosen(bodies: list[dict[str, Any]], role: str, index: int, turn: int) -> list[dict[str, Any]]:
    """The malformed bodies one role sends to one address of a write route.

    At the route's first address (real records, or none that could be changed), the
    admin sends every body and any other role the first `FEW_BODIES`. At each further
    address (a bad id, or another record) the admin sends the bare form (only the CSRF
    token: the body most likely to pass validation, so the bad id reaches the handler)
    and one other body, taking turns through them; any other role sends one of its
    few, in turn. So every route gets every kind of body with every permission, and
    every bad id is sent by every role, while the count grows with the addresses, not
    with addresses times bodies (a 422 for the body comes before any use of the id).
    """
    if index == 0:
        return bodies if role == "ada" else bodies[:FEW_BODIES]
    if role == "ada":
        return [bodies[0], bodies[1 + (index + turn) % (len(bodies) - 1)]]
    return [bodies[(index + turn) % FEW_BODIES]]


def test_no_write_route_answers_5xx_to_a_malformed_request(
    store: Store, clients: dict[str, InProcessClient]
) -> None:
    before = {job.id for job in jobs.list_jobs(store.rt, limit=10_000)}
    failures: list[str] = []
    asked = 0
    kinds_by_admin: dict[tuple[str, str], set[int]] = {}  # (method, path): bodies sent
    # Real records a write acts on without a body are left out (nothing is approved,
    # released or accepted by the crawl); bad ids and wrong kinds stay in.
    safe = dict(store.ids)
    safe.update(project_id=[], tranche_id=[], organisation_id=[], org_id=[])
    safe["run_id"] = [r for r in store.ids["run_id"] if not r.startswith("OPT")]
    for path, methods, dependant in _all_routes(store.app):
        writes = methods & {"POST", "PUT", "PATCH", "DELETE"}
        if not writes or path in {"/signin", "/api/v1/auth/token"}:
            continue  # sign-in is tried by the security tests (each try costs argon2)
        fields = _fields(dependant)
        urls = _urls(path, store.ids if fields else safe)
        for turn, (role, client) in enumerate(clients.items(), TURN[store.database]):
            # A route that starts a run from no input is only asked without the CSRF
            # token: with it, the crawl would appraise, optimise, build the board report
            # (in the service's job thread, several CPU seconds each) or sign itself out.
            csrf = "" if path in STARTS_A_RUN else _csrf(client)
            for (index, url), method in itertools.product(enumerate(urls), sorted(writes)):
                bodies = _bodies(fields, csrf)
                for body in _chosen(bodies, role, index, turn):
                    if role == "ada":
                        kinds_by_admin.setdefault((method, path), set()).add(bodies.index(body))
                    headers = {"x-csrf-token": csrf, **body.pop("headers", {})}
                    answer = client.request(
                        method, url, headers=headers, follow_redirects=False, **body
                    )
                    asked += 1
                    if answer.status_code >= 500:
                        shown = {k: str(v)[:50] for k, v in body.items()}
                        failures.append(f"{method} {url} [{role}] {shown} -> {answer.status_code}")
    assert asked > 1000
    # No write started work: the only jobs are imports of the malformed uploads (the
    # import's worker reads the file, and refuses it).
    queued = [job.kind for job in jobs.list_jobs(store.rt, limit=10_000) if job.id not in before]
    assert set(queued) <= {"import"}, queued
    every_kind = set(range(len(_bodies([], ""))))
    assert kinds_by_admin and all(k == every_kind for k in kinds_by_admin.values())
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures)


def test_the_listed_records_of_the_wrong_kind_say_what_they_are(
    clients: dict[str, InProcessClient],
) -> None:
    public = clients["public"]
    for record in ("FRN-0001", "ROB-0001", "SCN-0001", "APR-0001"):
        for url in (f"/decisions/{record}", f"/api/v1/portfolio/runs/{record}"):
            answer = public.get(url)
            assert answer.status_code in (404, 409), url
        body = public.get(f"/api/v1/portfolio/runs/{record}").json()
        assert set(body) == {"error"}
        assert record in body["error"]["message"]
        assert "not a portfolio run" in body["error"]["message"]
