"""Compliance on the web: load a watchlist, screen everyone, review the hits."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from fastapi.testclient import TestClient

from tests.api.conftest import Headers, csrf_of, sign_in

SAMPLE = files("pfund.data") / "rpf" / "watchlists" / "sample.ftm.json"


def test_compliance_loads_screens_and_dismisses_a_hit_from_the_pages(client: TestClient) -> None:
    sign_in(client, "comp")
    page = client.get("/staff/screening").text
    loaded = client.post(
        "/staff/screening/watchlists",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("sample.ftm.json", SAMPLE.read_bytes(), "application/json")},
    )
    assert loaded.status_code == 200
    assert "10 entities" in loaded.text
    queue = client.get("/staff/screening").text
    if "Volga Free Press" not in queue:
        queue = client.post("/staff/screening/run", data={"csrf_token": csrf_of(queue)}).text
    assert "Volga Free Press" in queue and "Wolga Free Press" in queue
    hit = queue.split('id="dismiss-', 1)[1].split('"', 1)[0]
    done = client.post(
        f"/staff/screening/hits/{hit}",
        data={
            "csrf_token": csrf_of(queue),
            "decision": "dismiss",
            "reason": "Latvian registry: a different newsroom",
        },
    )
    assert done.status_code == 200
    assert f"hit {hit}: dismissed" in done.text


def test_only_compliance_reads_the_review_queue(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    assert client.get("/api/v1/screening/hits").status_code == 401
    assert client.get("/api/v1/screening/hits", headers=token_for("ana")).status_code == 403
    assert client.get("/api/v1/screening/hits", headers=token_for("comp")).status_code == 200
    sign_in(client, "ana")
    assert client.get("/staff/screening").status_code == 403


def test_an_import_after_a_load_is_screened_and_says_so(client: TestClient) -> None:
    sign_in(client, "comp")
    page = client.get("/staff/screening").text
    client.post(
        "/staff/screening/watchlists",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("sample.ftm.json", SAMPLE.read_bytes(), "application/json")},
    )
    client.post("/signout", data={"csrf_token": csrf_of(client.get("/staff").text)})
    sign_in(client, "ana")
    form = client.get("/staff/import").text
    orgs = (
        b"id,name,kind,country,areas,company.russia_status\n"
        b"C-9,Fantomstroy LLC,company,RU,energy,digging_in\n"
    )
    done = client.post(
        "/staff/import",
        data={"csrf_token": csrf_of(form), "kind": "organisations"},
        files={"file": ("orgs.csv", orgs, "text/csv")},
    )
    assert done.status_code == 200
    assert "Imported 1 organisation from orgs.csv." in done.text
    assert "raised 1 new hit: review it" in done.text and 'href="/staff/screening"' in done.text
