"""The companies' return over the API and the pages: the public reads the phases, staff
read the pipeline, an analyst imports and moves; a list with an unknown status is a 400
naming row and field, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from pfund.services.conditions import set_condition
from pfund.services.runtime import Runtime
from tests.api.conftest import csrf_of, sign_in
from tests.services.test_company_returns import DAY, PHASE_ONE

Headers = dict[str, str]


def test_the_public_reads_the_phases_and_nothing_else(client: TestClient) -> None:
    phases = client.get("/api/v1/companies/phases")
    assert phases.status_code == 200
    assert [(p["phase"], p["stage"], p["total"], p["open"]) for p in phases.json()] == [
        (1, 2, 20, False),
        (2, 3, 5, False),
    ]
    assert phases.json()[0]["by_stage"] == {
        "withdrawn": 16,
        "in_contact": 2,
        "conditions_agreed": 2,
        "returning": 0,
        "returned": 0,
    }
    for path in ("/api/v1/companies", "/api/v1/companies/lists", "/api/v1/companies/matches"):
        assert client.get(path).status_code == 401, path
    assert (
        client.post("/api/v1/companies/ORG-0050/stage", json={"stage": "returning"}).status_code
        == 401
    )


def test_staff_read_the_pipeline_and_an_analyst_moves_a_company(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    reviewer = token_for("rev")
    lines = client.get("/api/v1/companies?stage=conditions_agreed", headers=reviewer).json()
    assert [x["company"]["organisation_id"] for x in lines] == ["ORG-0050", "ORG-0051"]
    assert lines[0]["phase"] == 1 and "sanctions relief phase 1" in lines[0]["blocked"]
    move = {"stage": "conditions_agreed", "on": "2026-12-01"}
    assert (
        client.post("/api/v1/companies/ORG-0052/stage", json=move, headers=reviewer).status_code
        == 403
    )
    analyst = token_for("ana")
    moved = client.post("/api/v1/companies/ORG-0052/stage", json=move, headers=analyst)
    assert moved.status_code == 200, moved.text
    assert moved.json()["conditions_agreed_on"] == "2026-12-01"
    held = client.post(
        "/api/v1/companies/ORG-0050/stage", json={"stage": "returning"}, headers=analyst
    )
    assert held.status_code == 409
    assert "sanctions relief phase 1" in held.json()["error"]["message"]
    lists = client.get("/api/v1/companies/lists", headers=reviewer).json()
    assert [x["tracker"] for x in lists] == ["yale", "kse"]


def test_an_import_with_an_unknown_status_is_a_400_and_stores_nothing(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    analyst = token_for("ana")
    form = {"tracker": "kse", "source": "KSE Institute", "as_of": "2026-12-01"}
    bad = b"Company,Status,Country\nNova Ferries AS,exited,Norway\nOrca AB,left,Sweden\n"
    refused = client.post(
        "/api/v1/companies/import",
        data=form,
        files={"file": ("kse.csv", bad, "text/csv")},
        headers=analyst,
    )
    assert refused.status_code == 400
    [problem] = refused.json()["error"]["problems"]
    assert (problem["file"], problem["row"], problem["field"]) == ("kse.csv", 3, "status")
    assert len(client.get("/api/v1/companies/lists", headers=analyst).json()) == 2
    good = b"Company,Status,Country\nNova Ferries AS,exited,Norway\n"
    done = client.post(
        "/api/v1/companies/import",
        data=form | {"url": "https://leave-russia.org"},
        files={"file": ("kse.csv", good, "text/csv")},
        headers=analyst,
    )
    assert done.status_code == 200, done.text
    assert done.json()["listing"]["url"] == "https://leave-russia.org"
    assert done.json()["new_organisations"] == ["ORG-0080"]


def test_the_portal_page_shows_the_phases_in_both_languages(client: TestClient) -> None:
    english = client.get("/companies")
    assert english.status_code == 200
    assert (
        "Sanctions relief, phase 1" in english.text
        and "Returns this phase unlocks: 20." in english.text
    )
    russian = client.get("/companies?lang=ru")
    assert "Смягчение санкций, этап 1" in russian.text
    assert "Возвращений, которые открывает этот этап: 20." in russian.text
    assert 'href="/companies"' in client.get("/conditions").text


def test_the_staff_page_moves_a_company_and_words_a_refusal(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/companies")
    assert page.status_code == 200 and 'id="company-ORG-0050"' in page.text
    token = csrf_of(page.text)
    moved = client.post(
        "/staff/companies/ORG-0053/stage",
        data={"stage": "in_contact", "on": "2026-12-01", "csrf_token": token},
        follow_redirects=True,
    )
    assert "ORG-0053 moved to: in contact." in moved.text
    refused = client.post(
        "/staff/companies/ORG-0050/stage?lang=ru",
        data={"stage": "returning", "csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    shown = client.get(refused.headers["location"] + "&lang=ru")
    assert "её возвращение ждёт своего этапа смягчения санкций" in shown.text


def test_once_phase_one_opens_a_company_returns_and_the_matcher_ranks_its_projects(
    client: TestClient, app_rt: Runtime, token_for: Callable[[str], Headers]
) -> None:
    for code, verifier in PHASE_ONE.items():
        set_condition(
            app_rt, code, "met", evidence="published act 1/2026", verifier=verifier, on=DAY
        )
    analyst = token_for("ana")
    moved = client.post(
        "/api/v1/companies/ORG-0050/stage",
        json={"stage": "returning", "on": "2026-12-02"},
        headers=analyst,
    )
    assert moved.status_code == 200, moved.text
    phases = client.get("/api/v1/companies/phases").json()
    assert phases[0]["open"] and phases[0]["by_stage"]["returning"] == 1
    matches = client.get("/api/v1/companies/matches?limit=2", headers=analyst).json()
    assert list(matches) == ["ORG-0050"] and len(matches["ORG-0050"]) == 2
    sign_in(client, "ana")
    page = client.get("/staff/companies?lang=ru")
    assert "Проекты для возвращающихся компаний" in page.text
    assert f'href="/staff/proposals/{matches["ORG-0050"][0]["project"]}"' in page.text
