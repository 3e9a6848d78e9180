"""The scorecard over HTTP: public page and API, evaluation and proposals by role, and a
proposal confirmed from the staff workspace."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient

from pfund.domain import ConditionStatus, TrancheStatus
from pfund.services.runtime import Runtime
from tests.api.conftest import csrf_of, sign_in

Headers = dict[str, str]
PASSING = (
    "area,indicator,year,value,category,source,licence\n"
    "RU,v2x_polyarchy,2031,0.5,,Test release,CC0\n"
    "RU,freedom_status,2031,,Partly Free,Test release,CC0\n"
    "RU,wgi_cc_percentile,2031,25,,Test release,CC0\n"
)
OPEN = {TrancheStatus.PLANNED, TrancheStatus.FROZEN, TrancheStatus.RELEASED}


def test_the_public_scorecard_shows_each_indicator_and_the_money_behind_it(
    client: TestClient, app_rt: Runtime
) -> None:
    card = client.get("/api/v1/scorecard").json()
    with app_rt.uow() as uow:  # free_elections is a stage 3 condition
        waiting = sum(
            (t.amount for t in uow.tranches.list() if t.stage >= 3 and t.status in OPEN),
            Decimal(0),
        )
    assert waiting > 0
    assert [Decimal(line["money"]) for line in card["lines"]] == [waiting] * 3
    assert card["lines"][0]["conditions"][0]["code"] == "free_elections"
    english = client.get("/scorecard", headers={"accept-language": "en"}).text
    russian = client.get("/scorecard", headers={"accept-language": "ru"}).text
    assert "Illustrative: not taken from a named public release." in english
    assert "Иллюстративные данные" in russian and "не выполнено" in russian
    assert "0.09" in english and "2019: 0.26" in english


def test_evaluation_and_proposals_follow_roles_and_staff_confirm_one(
    client: TestClient, app_rt: Runtime, token_for: Callable[[str], Headers]
) -> None:
    assert client.post("/api/v1/conditions/evaluate").status_code == 401
    reviewer = token_for("rev")
    dry = client.post("/api/v1/conditions/evaluate", headers=reviewer)
    assert dry.status_code == 200 and dry.json()["rules"][0]["passed"] is False
    assert (
        client.post("/api/v1/conditions/evaluate?apply=true", headers=reviewer).status_code == 403
    )
    files = {"file": ("passing.csv", PASSING.encode(), "text/csv")}
    assert client.post("/api/v1/indicator-sets", files=files, headers=reviewer).status_code == 403
    analyst = token_for("ana")
    stored = client.post("/api/v1/indicator-sets", files=files, headers=analyst)
    assert stored.status_code == 200 and stored.json()["version"] == 1
    applied = client.post("/api/v1/conditions/evaluate?apply=true", headers=analyst).json()
    rule = applied["rules"][0]
    assert (rule["proposed"], rule["action"]) == ("met", "pending")
    (pending,) = client.get("/api/v1/conditions/proposals?status=pending", headers=analyst).json()
    assert pending["values"][0] == {
        "indicator": "v2x_polyarchy",
        "area": "RU",
        "year": "2031",
        "value": "0.5",
        "data_set": f"passing@{stored.json()['sha256']}",
        "passed": "true",
    }
    sign_in(client, "ana")
    page = client.get("/staff/scorecard").text
    assert f'action="/staff/scorecard/proposals/{pending["id"]}"' in page
    key = page.split('name="idempotency_key" value="', 2)[2].split('"', 1)[0]
    sent = {"csrf_token": csrf_of(page), "idempotency_key": key, "decision": "confirm"}
    done = client.post(f"/staff/scorecard/proposals/{pending['id']}", data=sent)
    assert done.status_code == 200 and "confirmed" in done.text
    with app_rt.uow() as uow:
        condition = uow.conditions.get("free_elections")
        assert condition is not None and condition.status is ConditionStatus.MET
    again = client.post(
        f"/api/v1/conditions/proposals/{pending['id']}/reject",
        json={"reason": "too late, it was confirmed"},
        headers=analyst,
    )
    assert again.status_code == 409
