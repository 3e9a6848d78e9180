"""Donor agreements over the API and the pages: the public reads each donor's money,
staff read the register, only a role that moves money books a receipt; the pages and
the donor's report read in English and in Russian."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.conftest import csrf_of, sign_in
from tests.language_runs import foreign_runs

Headers = dict[str, str]
RECEIPT = {"day": "2026-11-02", "amount": "30000000.00", "currency": "USD"}


def test_roles_on_the_donor_routes(client: TestClient, token_for: Callable[[str], Headers]) -> None:
    public = client.get("/api/v1/donors")
    assert public.status_code == 200
    assert [d["contributor"] for d in public.json()] == ["DEU", "GBR"]
    assert client.get("/api/v1/donors/agreements").status_code == 401
    assert client.get("/api/v1/donors/GBR/report").status_code == 401
    reviewer = token_for("rev")
    listed = client.get("/api/v1/donors/agreements?on=2026-12-06", headers=reviewer).json()
    assert [(v["agreement"]["id"], v["late"]) for v in listed] == [("DA-0001", 1), ("DA-0002", 2)]
    path = "/api/v1/donors/agreements/DA-0002/receipts"
    assert client.post(path, json=RECEIPT, headers=reviewer).status_code == 403
    assert client.post(path, json=RECEIPT, headers=token_for("comp")).status_code == 403
    booked = client.post(path, json=RECEIPT, headers=token_for("ana"))
    assert booked.status_code == 201, booked.text
    assert booked.json()["receipt"]["agreement_amount"] == "28024287.72"
    # USD 30,000,000 = EUR 28,024,287.72 (at 1 / 1.0705) goes to the oldest instalment
    # (EUR 50,000,000 due 2026-04-30), which stays part-paid; the others are open
    got = client.get("/api/v1/donors/agreements/DA-0002?on=2026-12-06", headers=reviewer).json()
    assert [i["status"] for i in got["instalments"]] == ["part_paid", "open", "open"]
    assert got["received"] == "28024287.72"


def test_bad_receipts_are_refused_and_book_nothing(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    analyst = token_for("ana")
    path = "/api/v1/donors/agreements/DA-0001/receipts"
    too_much = client.post(path, json=RECEIPT | {"amount": "1e9"}, headers=analyst)
    assert too_much.status_code in (400, 422)
    early = client.post(path, json=RECEIPT | {"day": "2026-01-01"}, headers=analyst)
    assert early.status_code == 400
    assert early.json()["error"]["problems"][0]["field"] == "day"
    assert client.get("/api/v1/donors/agreements/DA-0009", headers=analyst).status_code == 404
    assert client.get("/api/v1/donors/agreements/DA-0001", headers=analyst).json()["receipts"] == []


def test_the_pages_and_the_report_read_in_both_languages(client: TestClient) -> None:
    for lang in ("en", "ru"):
        page = client.get(f"/donors?lang={lang}")
        assert page.status_code == 200
        assert ("Donors" if lang == "en" else "Доноры") in page.text
        assert not foreign_runs(page.text, lang)
    sign_in(client, "ana")
    staff = client.get("/staff/donors?lang=ru")
    assert staff.status_code == 200 and "Соглашения с донорами" in staff.text
    assert not foreign_runs(staff.text, "ru")
    booked = client.post(
        "/staff/donors/DA-0001/receipts",
        data={
            "day": "2026-12-01",
            "amount": "10000000.00",
            "currency": "GBP",
            "csrf_token": csrf_of(staff.text),
            "idempotency_key": "k-1",
        },
        follow_redirects=False,
    )
    assert booked.status_code == 303, booked.text
    assert "receipt%201%20booked" in booked.headers["location"]
    report = client.get("/staff/donors/GBR/report?lang=ru")
    assert report.status_code == 200
    assert "Отчёт донору" in report.text and "просрочка 1 день" in report.text
    assert "<script" not in report.text and '<link rel="stylesheet"' not in report.text
    english = client.get("/staff/donors/GBR/report?lang=en").text
    assert "1 day late" in english and "12,647,983" in english


def test_a_receipt_is_reversed_over_the_api_and_on_the_page(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    analyst = token_for("ana")
    booked = client.post(
        "/api/v1/donors/agreements/DA-0002/receipts", json=RECEIPT, headers=analyst
    )
    receipt = f"DA-0002-{booked.json()['receipt']['number']}"
    path = f"/api/v1/donors/receipts/{receipt}/reverse"
    body = {"reason": "wrong amount", "on": "2026-11-03"}
    assert client.post(path, json=body, headers=token_for("rev")).status_code == 403
    assert client.post(path, json={"reason": ""}, headers=analyst).status_code == 422
    early = client.post(path, json=body | {"on": "2026-11-01"}, headers=analyst)
    assert early.status_code == 400 and "before its receipt" in early.json()["error"]["message"]
    keyed = analyst | {"Idempotency-Key": "rev-1"}
    done = client.post(path, json=body, headers=keyed)
    assert done.status_code == 200, done.text
    assert done.json()["receipt"]["status"] == "reversed" and done.json()["on"] == "2026-11-03"
    assert [i["status"] for i in done.json()["instalments"]] == ["open", "open", "open"]
    replay = client.post(path, json=body, headers=keyed)
    assert replay.status_code == 200 and replay.json() == done.json()
    again = client.post(path, json=body, headers=analyst)
    assert again.status_code == 409 and "already reversed" in again.json()["error"]["message"]
    got = client.get("/api/v1/donors/agreements/DA-0002", headers=analyst).json()
    assert got["received"] == "0" or float(got["received"]) == 0
    public = client.get("/api/v1/donors").json()
    shown = [r for d in public for v in d["agreements"] for r in v["receipts"]]
    assert [r["status"] for r in shown] == ["reversed"] and shown[0]["reversed_by"] == ""
    # the page: a form on each booked receipt, the reversed one shown with who and why
    sign_in(client, "ana")
    client.post("/api/v1/donors/agreements/DA-0002/receipts", json=RECEIPT, headers=analyst)
    staff = client.get("/staff/donors")
    assert "/staff/donors/receipts/DA-0002-2/reverse" in staff.text
    assert "/staff/donors/receipts/DA-0002-1/reverse" not in staff.text
    assert "wrong amount" in staff.text and 'name="on" value="' in staff.text
    # a value date before the receipt's day: refused, the field named by its label
    for lang, words in (("en", "<strong>Date</strong>"), ("ru", "<strong>Дата</strong>")):
        early = client.post(
            f"/staff/donors/receipts/DA-0002-2/reverse?lang={lang}",
            data={"reason": "bounced", "on": "2026-11-01", "csrf_token": csrf_of(staff.text)},
            follow_redirects=False,
        )
        assert early.status_code == 400 and words in early.text
        assert "<strong>on</strong>" not in early.text
        assert not foreign_runs(early.text, lang) if lang == "ru" else True
    posted = client.post(
        "/staff/donors/receipts/DA-0002-2/reverse",
        data={"reason": "bounced transfer", "csrf_token": csrf_of(staff.text)},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    assert "receipt%20reversed" in posted.headers["location"]
    ru = client.get("/staff/donors?lang=ru").text
    assert "поступление сторнировано" in ru and "bounced transfer" in ru
    assert '<span lang="en">bounced transfer</span>' in ru and "(в оригинале" in ru
    assert "as written" not in client.get("/staff/donors?lang=en").text
    assert not foreign_runs(ru, "ru")
    report = client.get("/staff/donors/DEU/report?lang=ru").text
    assert report.count("поступление сторнировано") == 2
