"""The gate through the API: an early release needs its body, an unfreeze its reason and
its conditions; each refusal is a 409 naming the reason, with the gate's code and facts
and words naming the API's route (never the CLI's option). The staff page words the same
hold in the reader's language, naming no command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Headers, csrf_of, sign_in
from tests.api.test_api import error_of

OSCE = {"evidence": "OSCE monitoring report 3", "verifier": "osce_monitoring"}


def _first(client: TestClient, stage: int, year: int) -> str:
    tranches = client.get("/api/v1/tranches").json()
    return str(next(t["id"] for t in tranches if t["stage"] == stage and t["year"] == year))


def test_early_release_and_unfreeze_through_the_api(
    client: TestClient, token_for: Callable[[str], Headers], today: Callable[[date], None]
) -> None:
    headers = token_for("ana")
    today(date(2026, 12, 5))
    early = _first(client, 0, 2027)
    held = client.post(f"/api/v1/tranches/{early}/release", headers=headers)
    assert error_of(held)["status"] == 409
    [year] = error_of(held)["problems"]
    assert year["field"] == "year" and year["code"] == "year_not_begun"
    assert year["facts"] == {"tranche": early, "year": 2027, "opens": "2027-01-01"}
    assert f"POST /api/v1/tranches/{early}/release with early true and a reason" in (year["reason"])
    assert "--" not in year["reason"] and "pfund " not in year["reason"]
    body = {"early": True, "reason": "board decision of 1 December"}
    released = client.post(f"/api/v1/tranches/{early}/release", json=body, headers=headers)
    assert released.status_code == 200 and released.json()["status"] == "released"

    today(date(2030, 6, 1))
    tranche = _first(client, 1, 2029)
    met = OSCE | {"status": "met", "on": "2030-01-10"}
    assert client.put("/api/v1/conditions/ceasefire_holding", json=met, headers=headers).is_success
    assert client.post(f"/api/v1/tranches/{tranche}/release", headers=headers).is_success
    reverse = OSCE | {"status": "reversed", "on": "2030-02-10"}
    frozen = client.put("/api/v1/conditions/ceasefire_holding", json=reverse, headers=headers)
    assert tranche in frozen.json()["frozen"]
    url = f"/api/v1/tranches/{tranche}/unfreeze"
    assert error_of(client.post(url, json={"reason": "x"}, headers=headers))["status"] == 422
    still = client.post(url, json={"reason": "ceasefire holds again"}, headers=headers)
    assert [p["field"] for p in error_of(still)["problems"]] == ["conditions"]
    again = OSCE | {"status": "met", "on": "2030-03-10"}
    condition = "/api/v1/conditions/ceasefire_holding"
    assert client.put(condition, json=again, headers=headers).is_success
    back = client.post(url, json={"reason": "ceasefire holds again"}, headers=headers)
    assert back.status_code == 200 and back.json()["status"] == "released"
    assert client.get("/api/v1/ledger").json()["invariants"] == []


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Money for 2027: it may be released from 1 January 2027"),
        ("ru", "2027"),
    ],
)
def test_a_release_before_its_year_is_worded_on_the_staff_page_without_a_command(
    client: TestClient, today: Callable[[date], None], lang: str, words: str
) -> None:
    today(date(2026, 12, 5))
    early = _first(client, 0, 2027)
    sign_in(client, "ana")
    page = client.get(f"/staff/tranches?lang={lang}").text
    answer = client.post(f"/staff/tranches/{early}/release", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 409
    main = answer.text.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    assert words in main
    assert "pfund " not in main and "--" not in main
