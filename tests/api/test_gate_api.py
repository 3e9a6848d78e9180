"""The gate through the API: an early release needs its body, an unfreeze its reason and
its conditions; each refusal is a 409 naming the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from tests.api.conftest import Headers
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
    assert [p["field"] for p in error_of(held)["problems"]] == ["year"]
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
