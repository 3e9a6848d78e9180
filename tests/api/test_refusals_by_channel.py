"""A refusal said as data reaches each channel in that channel's words: the staff page
says in the reader's language what is missing and who puts it right (no command to type,
no option), the API answers a machine-readable reason with words an API client can act
on. The CLI's words are in tests/cli/test_refusals_cli.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.services.funding import reverse_contributions
from pfund.services.runtime import Runtime, open_runtime
from tests.api.conftest import Headers, csrf_of, settings_for, sign_in
from tests.language_runs import foreign_runs
from tests.services.test_imports import _project_json, mark_approved

DEARER = {"2028": {"capital": [100, 200, 250]}}


def _main(html: str) -> str:
    """The page's own content, without header and footer (the footer names pfund)."""
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def empty_fund(unapproved_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The sample fund with its run OPT-0001 chosen and the contributions' receipts
    reversed: the fund holds nothing, so approving the run is refused."""
    copy = tmp_path / "empty.db"
    shutil.copy(unapproved_template, copy)
    settings = settings_for(f"sqlite:///{copy}")
    rt = open_runtime(settings)
    reverse_contributions(rt, year=2023, receipts=True, reason="the money did not arrive")
    with TestClient(create_app(settings, runtime=rt), raise_server_exceptions=False) as client:
        yield client
    rt.close()


def _approve_on_the_page(client: TestClient, lang: str) -> str:
    page = client.get(f"/staff/runs/OPT-0001?lang={lang}").text
    answer = client.post("/staff/runs/OPT-0001/approve", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 409, answer.text
    return str(answer.text)


def test_an_approval_the_fund_cannot_cover_says_who_records_contributions(
    empty_fund: TestClient,
) -> None:
    sign_in(empty_fund, "ana")
    english = _main(_approve_on_the_page(empty_fund, "en"))
    assert "Refused: Approval of run OPT-0001" in english
    assert "No members&#39; contributions have been received yet: finance staff record them" in (
        english
    )
    assert 'href="/funding"' in english
    russian = _main(_approve_on_the_page(empty_fund, "ru"))
    assert "Взносы участников ещё не поступили: финансовые сотрудники вносят их в учёт" in russian
    assert foreign_runs(russian, "ru") == []
    for text in (english, russian):
        assert "pfund " not in text and "--" not in text


def test_the_api_answers_the_reason_as_data_and_names_its_own_route(
    empty_fund: TestClient,
) -> None:
    token = empty_fund.post(
        "/api/v1/auth/token",
        data={"username": "ana", "password": "correct horse battery staple"},
    ).json()["token"]
    answer = empty_fund.post(
        "/api/v1/portfolio/runs/OPT-0001/approve", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["reason"] == "contributions_needed"
    assert error["facts"]["run"] == "OPT-0001" and error["facts"]["held"] == "0.00"
    assert error["facts"]["year"] == 2023 and error["facts"]["currency"] == "USD"
    assert "POST /api/v1/fund/contributions with year 2023" in error["message"]
    assert "pfund " not in error["message"] and "--" not in error["message"]


def _approved_project(app_rt: Runtime, tmp_path: Path, client: TestClient) -> Path:
    """P-1 imported through the page and approved; the file that would make it dearer."""
    page = client.get("/staff/import").text
    first = _project_json(tmp_path)
    answer = client.post(
        "/staff/import",
        data={"csrf_token": csrf_of(page), "kind": "projects"},
        files={"file": ("p.json", first.read_bytes(), "application/json")},
    )
    assert answer.status_code == 200, answer.text
    mark_approved(app_rt, "P-1")
    return _project_json(tmp_path, "dearer.json", costs=DEARER)


def _import(client: TestClient, path: Path, lang: str, allow: bool = False) -> str:
    page = client.get(f"/staff/import?lang={lang}").text
    data = {"csrf_token": csrf_of(page), "kind": "projects"}
    if allow:
        data["allow_cost_changes"] = "true"
    answer = client.post(
        "/staff/import",
        data=data,
        files={"file": (path.name, path.read_bytes(), "application/json")},
    )
    assert answer.status_code == (200 if allow else 400), answer.text
    return str(answer.text)


def test_the_staff_import_offers_and_explains_allowing_cost_changes(
    client: TestClient, app_rt: Runtime, tmp_path: Path
) -> None:
    sign_in(client, "ana")
    dearer = _approved_project(app_rt, tmp_path, client)
    assert 'name="allow_cost_changes"' in client.get("/staff/import").text
    english = _main(_import(client, dearer, "en"))
    assert "Project P-1 is approved: its money is committed in tranches, so its costs" in english
    assert "send the file again with “Allow cost changes” ticked" in english
    russian = _main(_import(client, dearer, "ru"))
    assert "поэтому его затраты нельзя изменить импортом" in russian
    assert foreign_runs(russian, "ru") == []
    for text in (english, russian):
        assert "pfund " not in text and "--" not in text
    done = _import(client, dearer, "en", allow=True)
    assert "Imported 1 project from dearer.json" in done
    with app_rt.uow() as uow:
        event = uow.audit.list(record_id="P-1")[-1]
    assert event.action == "project.updated" and event.actor == "user:ana"
    assert event.details["cost_changes_allowed"] is True and "costs" in event.details["changes"]


def test_the_api_import_answers_the_code_and_takes_allow_cost_changes(
    client: TestClient, app_rt: Runtime, tmp_path: Path, token_for: Callable[[str], Headers]
) -> None:
    headers = token_for("ana")
    first = _project_json(tmp_path)
    upload = {"file": ("p.json", first.read_bytes(), "application/json")}
    assert client.post("/api/v1/imports/projects", headers=headers, files=upload).status_code == 200
    mark_approved(app_rt, "P-1")
    dearer = _project_json(tmp_path, "dearer.json", costs=DEARER)
    upload = {"file": ("dearer.json", dearer.read_bytes(), "application/json")}
    refused = client.post("/api/v1/imports/projects", headers=headers, files=upload)
    assert refused.status_code == 400
    problem = refused.json()["error"]["problems"][0]
    assert problem["code"] == "cost_change_not_allowed" and problem["field"] == "costs"
    assert problem["facts"] == {"project": "P-1", "status": "approved", "field": "costs"}
    assert "allow_cost_changes=true" in problem["reason"] and "--" not in problem["reason"]
    allowed = client.post(
        "/api/v1/imports/projects?allow_cost_changes=true", headers=headers, files=upload
    )
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["updated"] == ["P-1"]
    with app_rt.uow() as uow:
        event = uow.audit.list(record_id="P-1")[-1]
    assert event.actor == "user:ana" and event.details["cost_changes_allowed"] is True
    people = client.post(
        "/api/v1/imports/people?allow_cost_changes=true", headers=headers, files=upload
    )
    assert people.status_code == 400 and "cannot allow cost changes" in people.text
