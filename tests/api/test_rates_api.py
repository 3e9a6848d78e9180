"""Exchange rates over the API and on the staff page: staff read, analysts import (all or
nothing), the public reads nothing; a conversion states its rate and day."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.api.conftest import sign_in

Headers = dict[str, str]


def _upload(text: str, name: str = "rates.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, text.encode(), "text/csv")}


def test_rates_follow_roles(client: TestClient, token_for: Callable[[str], Headers]) -> None:
    assert client.get("/api/v1/rates").status_code == 401
    assert client.get("/api/v1/rates/EUR").status_code == 401
    good = _upload("Date,USD,GBP,\n2024-07-01,1.0756,0.8472,\n")
    assert client.post("/api/v1/rates/import", files=good).status_code == 401
    reviewer = token_for("rev")
    listed = client.get("/api/v1/rates?currency=USD", headers=reviewer)
    assert listed.status_code == 200
    assert [(r["day"], r["rate"]) for r in listed.json()] == [
        ("2024-06-28", "1.0705"),
        ("2023-12-08", "1.0777"),
    ]
    refused = client.post("/api/v1/rates/import", files=good, headers=reviewer)
    assert refused.status_code == 403
    analyst = token_for("ana")
    done = client.post("/api/v1/rates/import", files=good, headers=analyst)
    assert done.status_code == 200, done.text
    assert (done.json()["added"], done.json()["currencies"]) == (2, ["GBP", "USD"])
    again = client.post("/api/v1/rates/import", files=good, headers=analyst).json()
    assert (again["added"], again["unchanged"]) == (0, 2)
    day = client.get("/api/v1/rates?since=2024-07-01", headers=reviewer).json()
    assert {(r["quote"], r["rate"]) for r in day} == {("USD", "1.0756"), ("GBP", "0.8472")}


def test_a_bad_file_names_row_and_field_and_stores_nothing(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    analyst = token_for("ana")
    bad = _upload("Date,USD,GBP,\n2024-07-01,1.0756,-0.8472,\n2024-07-02,,0.8480,\n")
    answer = client.post("/api/v1/rates/import", files=bad, headers=analyst)
    assert answer.status_code == 400
    problems = {(p["row"], p["field"]) for p in answer.json()["error"]["problems"]}
    assert problems == {(2, "GBP"), (3, "USD")}
    assert "nothing was stored" in answer.json()["error"]["message"]
    stored = client.get("/api/v1/rates?since=2024-07-01", headers=analyst).json()
    assert stored == []
    # a rate that contradicts one stored: refused, the rest of the file with it
    clash = _upload("Date,USD,GBP,\n2024-07-03,1.0800,0.8500,\n2024-06-28,1.0706,0.84638,\n")
    refused = client.post("/api/v1/rates/import", files=clash, headers=analyst)
    assert refused.status_code == 400 and "1.0705 is stored" in refused.text
    assert client.get("/api/v1/rates?since=2024-07-01", headers=analyst).json() == []


def test_a_conversion_states_its_rate_and_day(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    """Worked by hand from the sample file's 28 June 2024 (EUR 1 = USD 1.0705 = GBP 0.84638):
    GBP 1 = USD 1.0705 / 0.84638 = 1.26479831754... -> 1.2647983175 (10 places, half to
    even); GBP 250,000 x 1.2647983175 = USD 316,199.579375 -> 316,199.58 (cents)."""
    reviewer = token_for("rev")
    answer = client.get("/api/v1/rates/gbp?on=2024-06-30&amount=250000", headers=reviewer)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["rate"]["rate"] == "1.2647983175"
    assert (body["rate"]["day"], body["rate"]["asked"]) == ("2024-06-28", "2024-06-30")
    assert Decimal(body["converted"]) == Decimal("316199.58")
    assert body["stated"].startswith("GBP 1 = USD 1.2647983175 (")
    assert "the latest published before 2024-06-30" in body["stated"]
    euro = client.get("/api/v1/rates/EUR?on=2024-06-28&amount=1000", headers=reviewer).json()
    assert Decimal(euro["converted"]) == Decimal("1070.50")
    missing = client.get("/api/v1/rates/EUR?on=2020-01-01", headers=reviewer)
    assert missing.status_code == 400
    assert missing.json()["error"]["problems"][0]["code"] == "rate_missing"
    assert client.get("/api/v1/rates/EUR?amount=-1", headers=reviewer).status_code == 422
    assert client.get("/api/v1/rates/EURO", headers=reviewer).status_code == 422


def test_the_staff_page_in_both_languages(client: TestClient) -> None:
    assert client.get("/staff/rates", follow_redirects=False).status_code in {302, 303}
    sign_in(client, "rev")
    english = client.get("/staff/rates", headers={"accept-language": "en"})
    assert english.status_code == 200
    text = english.text
    assert "Exchange rates" in text and "3650 days" in text
    assert "ENV-FIRE-01" in text and "EUR 1 = USD 1.0705, the rate published on" in text
    assert "JPY 1 = USD 0.0062260091" in text  # 1.0705 / 171.94, 10 places
    assert "<small>ECB euro foreign exchange reference rates" in text
    assert 'href="/staff/rates"' in client.get("/staff").text
    russian = client.get("/staff/rates", headers={"accept-language": "ru"}).text
    assert "Курсы валют" in russian and "3650 дней" in russian
    assert "EUR 1 = USD 1,0705, курс, опубликованный" in russian
    assert "<small>Справочные курсы евро ЕЦБ" in russian and "ECB euro" not in russian
    assert "Проекты с бюджетом в другой валюте" in russian


def test_a_file_that_is_no_csv_is_refused_not_a_server_error(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    """Found by the schema fuzzer: a carriage return inside a line made csv raise."""
    broken = {"file": ("x.csv", b"Date,USD\r\n2024-07-01,1\r\x002\r\n", "text/csv")}
    answer = client.post("/api/v1/rates/import", files=broken, headers=token_for("ana"))
    assert answer.status_code == 400, answer.text
    assert "x.csv" in answer.json()["error"]["message"]
