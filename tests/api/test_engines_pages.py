"""Money where people look: released-not-paid on home, project and funding pages, stage 0
in words, and cost per outcome on the project page."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from pfund.services.runtime import Runtime
from pfund.services.tranches import list_tranches, release_tranche
from tests.api.conftest import sign_in

MEANING = "Released money not yet paid is on its way"


def test_released_not_paid_money_is_shown_where_people_look(
    client: TestClient, app_rt: Runtime
) -> None:
    tranche = next(t for t in list_tranches(app_rt) if t.stage == 0)
    release_tranche(app_rt, tranche.id, early=True, reason="board decision of 1 December")
    amount = f"${round(Decimal(tranche.amount)):,}"
    project = client.get(f"/projects/{tranche.project_id}?lang=en").text
    assert "Released, not yet paid" in project and amount in project and MEANING in project
    assert "Funded" in project or "funded" in project
    funding = client.get("/funding?lang=en").text
    assert "Released, not yet paid" in funding and MEANING in funding
    home = client.get("/?lang=en").text
    assert "released to projects, not yet paid" in home and MEANING in home
    russian = client.get(f"/projects/{tranche.project_id}?lang=ru").text
    assert "Открыто, не выплачено" in russian


def test_stage_0_is_described_in_words_without_an_empty_table(client: TestClient) -> None:
    page = client.get("/conditions?lang=en").text
    stage0 = page[page.index("Stage 0") : page.index("Stage 1")]
    assert "Stage 0 needs no conditions: its projects can start at once" in stage0
    assert "<table>" not in stage0 and "Waiting for this stage" not in stage0


def test_the_project_page_shows_cost_per_outcome(client: TestClient) -> None:
    page = client.get("/projects/TRN-M11-03?lang=en").text
    assert "Cost per outcome" in page
    section = page[page.index("Cost per outcome") :]
    assert "people served: $" in section
    assert "Стоимость единицы результата" in client.get("/projects/TRN-M11-03?lang=ru").text


def test_the_staff_run_page_lists_cost_per_outcome_of_the_chosen_projects(
    client: TestClient,
) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/runs/OPT-0001?lang=en").text
    section = page[page.index("<summary>Cost per outcome</summary>") : page.index("</details>")]
    assert section.count('<td class="num">$') > 10  # names, not keys: spaces, no underscores
    names = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td>", section)
    assert names and not [n for n in names if "_" in n]
    russian = client.get("/staff/runs/OPT-0001?lang=ru").text
    assert "Стоимость единицы" in russian
    sign_in(client, "rev")
    assert client.get("/staff/runs/OPT-0001").status_code == 200
