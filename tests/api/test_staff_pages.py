"""The staff pages as a person uses them: lists that filter and page, actions offered
only when allowed (with the reason when not), refusals explained on a staff page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from pfund.services.runtime import Runtime
from pfund.services.tranches import list_tranches
from tests.api.conftest import csrf_of, sign_in


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="tranche-([^"]+)"', html)


def test_the_tranches_filter_by_project_status_and_year_a_page_at_a_time(
    client: TestClient, app_rt: Runtime
) -> None:
    every = list_tranches(app_rt)
    assert len(every) > 100
    sign_in(client, "ana")
    first = client.get("/staff/tranches").text
    assert len(_rows(first)) == 50
    assert f"of {len(every)}" in first
    second = client.get("/staff/tranches?page=2&per_page=25").text
    assert _rows(second) == [t.id for t in every][25:50]

    project = every[0].project_id
    year = every[0].year
    mine = [t.id for t in every if t.project_id == project and t.year == year]
    page = client.get(f"/staff/tranches?project={project.lower()}&year={year}&status=planned").text
    assert _rows(page) == mine
    none = client.get(f"/staff/tranches?project={project}&status=disbursed").text
    assert _rows(none) == [] and "No tranche matches" in none


def test_paging_links_keep_the_filters(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/tranches?status=planned&per_page=25").text
    assert 'href="/staff/tranches?status=planned&amp;page=2&amp;per_page=25"' in page


def test_release_is_offered_only_when_the_gate_allows_and_the_reason_shown_when_not(
    client: TestClient, app_rt: Runtime
) -> None:
    every = list_tranches(app_rt)
    stage0 = next(t for t in every if t.stage == 0 and t.year == min(x.year for x in every))
    stage1 = next(t for t in every if t.stage == 1)
    sign_in(client, "ana")
    page = client.get(f"/staff/tranches?project={stage0.project_id}").text
    assert f'id="release-{stage0.id}"' in page
    page = client.get(f"/staff/tranches?project={stage1.project_id}").text
    assert f'id="release-{stage1.id}"' not in page
    held = page.split(f'id="held-{stage1.id}"', 1)[1].split("</div>", 1)[0]
    assert "Cannot be released now" in held
    assert 'href="/staff/conditions#condition-' in held
    assert f'id="disburse-{stage1.id}"' not in page


def test_a_reviewer_is_not_offered_money_actions(client: TestClient) -> None:
    sign_in(client, "rev")
    page = client.get("/staff/tranches").text
    assert 'id="release-' not in page and "Your role does not move money" in page


def test_a_refused_release_is_explained_on_a_staff_page_with_links(
    client: TestClient, app_rt: Runtime
) -> None:
    held = next(t for t in list_tranches(app_rt) if t.stage == 1)
    sign_in(client, "ana")
    back = f"/staff/tranches?project={held.project_id}&status=planned"
    page = client.get(back).text
    answer = client.post(
        f"/staff/tranches/{held.id}/release",
        data={"csrf_token": csrf_of(page), "back": back},
        headers={"referer": f"http://testserver{back}"},
    )
    assert answer.status_code == 409
    text = answer.text
    assert f"Refused: Release of tranche {held.id}" in text
    assert "Nothing was changed" in text
    assert 'href="/staff/conditions#condition-' in text
    assert f'<a href="{back.replace("&", "&amp;")}" id="back">' in text
    assert "pfund " not in text.split("<footer>")[0].split("</header>")[1]  # no CLI command
    assert "Back to the fund" not in text


def test_a_refused_payment_says_what_is_missing_in_russian(
    client: TestClient, app_rt: Runtime
) -> None:
    planned = list_tranches(app_rt)[0]
    sign_in(client, "ana")
    page = client.get("/staff/tranches?lang=ru").text
    answer = client.post(
        f"/staff/tranches/{planned.id}/disburse", data={"csrf_token": csrf_of(page)}
    )
    assert answer.status_code == 409
    assert f"Отказано: Выплата транша {planned.id}" in answer.text
    assert 'href="/staff/tranches"' in answer.text
