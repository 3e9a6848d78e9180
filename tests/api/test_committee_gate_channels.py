"""A run the joint committee has not passed is refused in each channel's words: the staff
page says in the reader's language what is missing and links the committee's page, the
API answers ``committee_decision_needed`` and names the committee's routes (the CLI's
words are in tests/cli/test_committee_gate_cli.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.services.runtime import open_runtime
from tests.api.conftest import csrf_of, settings_for, sign_in
from tests.language_runs import foreign_runs

pytestmark = pytest.mark.committee_gate


@pytest.fixture
def undecided(unapproved_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The sample fund with run OPT-0001 chosen and paid for, and no committee decision."""
    copy = tmp_path / "undecided.db"
    shutil.copy(unapproved_template, copy)
    settings = settings_for(f"sqlite:///{copy}")
    rt = open_runtime(settings)
    with TestClient(create_app(settings, runtime=rt), raise_server_exceptions=False) as client:
        yield client
    rt.close()


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def test_the_page_says_the_committee_must_pass_the_run_in_both_languages(
    undecided: TestClient,
) -> None:
    sign_in(undecided, "ana")
    said = {}
    for lang in ("en", "ru"):
        page = undecided.get(f"/staff/runs/OPT-0001?lang={lang}").text
        answer = undecided.post("/staff/runs/OPT-0001/approve", data={"csrf_token": csrf_of(page)})
        assert answer.status_code == 409, answer.text
        said[lang] = _main(answer.text)
    assert "Run OPT-0001 has no decision of the committee, so it cannot be approved." in said["en"]
    assert "По расчёту OPT-0001 нет решения комитета" in said["ru"]
    assert foreign_runs(said["ru"], "ru") == []
    for text in said.values():
        assert 'href="/staff/committee"' in text
        assert "pfund " not in text and "--" not in text


def test_the_api_answers_the_reason_and_the_committees_routes(undecided: TestClient) -> None:
    token = undecided.post(
        "/api/v1/auth/token",
        data={"username": "ana", "password": "correct horse battery staple"},
    ).json()["token"]
    answer = undecided.post(
        "/api/v1/portfolio/runs/OPT-0001/approve", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["reason"] == "committee_decision_needed"
    assert error["facts"] == {"run": "OPT-0001", "committee": "joint", "state": "none"}
    assert "POST /api/v1/committee/items" in error["message"]
    assert "pfund " not in error["message"]
