"""Every page reads in one language: no run of three English words on a Russian page,
no run of three Russian words on an English one.

The pages are found from the app's route table (as the crawl finds them), so a new page
is checked without anyone listing it, and asked by the public and by each staff role on
the approved sample fund, with real records in their paths and with ids that name
nothing (the error pages). Form errors are asked too: a proposal with every field wrong
and an import with problems. What may stay foreign is the short list below: proper
names that have no translation. Everything else is translated, in the catalog or in the
fund's own data (the ``_ru`` fields).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.services.runtime import open_runtime
from tests.api.conftest import ROLES, csrf_of, settings_for, sign_in
from tests.api.test_crawl import PARAM, _all_routes, _fill, _ids
from tests.language_runs import foreign_runs

# Proper names that are the same in both languages: reviewed, keep it short (today
# none is needed beyond the organisations' and people's names, which the data set gives
# in one form).
ALLOWED: dict[str, set[str]] = {"ru": set(), "en": set()}
LANGS = ("en", "ru")
ROLES_ASKED = ["public", *[name for name in ROLES if name != "rev2"]]


@pytest.fixture(scope="module")
def app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    copy = tmp_path_factory.mktemp("language") / "pfund.db"
    shutil.copy(demo_template, copy)
    url = f"sqlite:///{copy}"
    rt = open_runtime(settings_for(url))
    _fill(rt)
    app = create_app(settings_for(url), runtime=rt)
    app.state.ids = _ids(rt)
    with rt.uow() as uow:
        # Organisations' names are proper names the data set gives in one form only.
        # So are people's names: compliance reads a counterparty's name beside a hit.
        app.state.names = frozenset(o.public_name() for o in uow.organisations.list()) | {
            p.name for p in uow.people.list()
        }
    yield app
    rt.close()


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    found: dict[str, TestClient] = {}
    with TestClient(app, raise_server_exceptions=False) as anonymous:
        found["public"] = anonymous
        for username in ROLES_ASKED[1:]:
            client = TestClient(app, raise_server_exceptions=False)
            sign_in(client, username)
            found[username] = client
        yield found


def _pages(app: FastAPI) -> list[str]:
    """Every page address: each path with real ids, and once with an id that names
    nothing (its error page)."""
    ids: dict[str, list[str]] = app.state.ids
    found: list[str] = []
    for path, methods, _ in _all_routes(app):
        if "GET" not in methods or path.startswith(("/api/", "/static", "/docs", "/redoc")):
            continue
        names = PARAM.findall(path)
        if not names:
            found.append(path)
            continue
        for values in (
            [ids.get(n, ["x"])[i % len(ids.get(n, ["x"]))] for n in names] for i in range(2)
        ):
            chosen = dict(zip(names, values, strict=True))
            found.append(PARAM.sub(lambda m, c=chosen: c[m.group(1)], path))  # type: ignore[misc]
        found.append(PARAM.sub("NOPE-9999", path))
    return list(dict.fromkeys(found))


def _leftovers(html: str, lang: str, names: frozenset[str] = frozenset()) -> list[str]:
    """Foreign runs, less the reviewed proper names and the organisations' names."""
    return [
        run
        for run in foreign_runs(html, lang)
        if run not in ALLOWED[lang] and not any(run in name for name in names)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_reads_in_its_language(
    app: FastAPI, clients: dict[str, TestClient], lang: str
) -> None:
    failures: dict[str, list[str]] = {}
    asked = 0
    for url in _pages(app):
        for role in ROLES_ASKED:
            answer = clients[role].get(
                url, headers={"accept-language": lang}, follow_redirects=True
            )
            if "text/html" not in answer.headers.get("content-type", ""):
                continue
            asked += 1
            for run in _leftovers(answer.text, lang, app.state.names):
                failures.setdefault(run, []).append(f"{url} [{role}]")
    assert asked > 100
    shown = [f"{run!r}: {', '.join(sorted(set(where))[:3])}" for run, where in failures.items()]
    assert not failures, f"{len(failures)} runs in the wrong language:\n" + "\n".join(shown)


@pytest.mark.parametrize("lang", LANGS)
def test_form_errors_read_in_its_language(clients: dict[str, TestClient], lang: str) -> None:
    public = clients["public"]
    page = public.get("/propose", headers={"accept-language": lang})
    marker = 'name="csrf_token" value="'
    token = page.text.split(marker, 1)[1].split('"', 1)[0] if marker in page.text else ""
    answer = public.post(
        "/propose",
        headers={"accept-language": lang},
        data={
            "csrf_token": token,
            "title": "x",
            "area": "no_such_area",
            "description": "short",
            "regions": "XX-NOWHERE",
            "first_year": "soon",
            "years": "0",
            "cost_low": "5",
            "cost_likely": "lots",
            "cost_high": "1",
            "people_reached": "-3",
            "contact_name": "",
            "contact_email": "not an address",
        },
    )
    assert answer.status_code in (200, 400, 422)
    assert _leftovers(answer.text, lang) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_release_and_an_import_with_problems_read_in_its_language(
    app: FastAPI, clients: dict[str, TestClient], lang: str
) -> None:
    """The gate's refusal (conditions, year) and an import's problems, as staff see them."""
    admin = clients["ada"]
    token = csrf_of(admin.get("/staff/import").text)
    tranche = app.state.ids["tranche_id"][0]
    refused = admin.post(
        f"/staff/tranches/{tranche}/release",
        headers={"accept-language": lang},
        data={"csrf_token": token, "reason": ""},
    )
    assert refused.status_code == 409, refused.text
    assert _leftovers(refused.text, lang) == []
    bad = b"id,title,area,regions,costs\nBAD,x,nowhere,XX-1,\n"
    answer = admin.post(
        "/staff/import",
        headers={"accept-language": lang},
        data={"csrf_token": token, "kind": "projects"},
        files={"file": ("bad.csv", bad, "text/csv")},
    )
    assert answer.status_code == 400
    assert _leftovers(answer.text, lang) == []
