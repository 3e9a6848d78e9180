"""Grant agreements over the API and the staff page: an analyst draws up, signs, amends
and cancels; a stale version is a 409, an amendment under what is owed and a refund
above what was paid are 400s that store nothing; a reviewer reads but changes nothing;
the public reads nothing; the page speaks English and Russian."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient

from pfund.domain import ProjectStatus
from pfund.services.runtime import Runtime
from tests.api.conftest import csrf_of, sign_in

Headers = dict[str, str]
API = "/api/v1/agreements"


def _approved(rt: Runtime) -> list[str]:
    with rt.uow() as uow:
        return sorted(p.id for p in uow.projects.list() if p.status is ProjectStatus.APPROVED)


def _ledger(client: TestClient, headers: Headers) -> dict[str, str]:
    answer = client.get("/api/v1/ledger", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["balances"])


def test_an_agreement_is_drawn_up_signed_amended_and_cancelled_over_the_api(
    client: TestClient, app_rt: Runtime, token_for: Callable[[str], Headers]
) -> None:
    project = _approved(app_rt)[0]
    assert client.get(API).status_code == 401
    ana, rev = token_for("ana"), token_for("rev")
    body = {"project": project, "reporting_duties": "Six-monthly reports"}
    assert client.post(API, json=body, headers=rev).status_code == 403
    made = client.post(API, json=body, headers=ana)
    assert made.status_code == 201, made.text
    aid = made.json()["id"]
    amount = Decimal(made.json()["amount"])
    signed = client.post(f"{API}/{aid}/sign", json={"signed_on": "2027-01-10"}, headers=ana)
    assert signed.status_code == 200 and signed.json()["agreement"]["status"] == "signed"
    before = client.get(f"{API}/{aid}", headers=rev).json()
    under = client.post(
        f"{API}/{aid}/amend",
        json={"version": 2, "reason": "Budget cut by the board", "amount": str(amount - 1)},
        headers=ana,
    )
    assert under.status_code == 400
    assert "is below the USD" in under.json()["error"]["problems"][0]["reason"]
    refund = client.post(
        f"{API}/{aid}/refund",
        json={"amount": "10.00", "reason": "Unspent money returned"},
        headers=ana,
    )
    assert refund.status_code == 400
    assert "above the USD 0.00 paid" in refund.json()["error"]["problems"][0]["reason"]
    assert client.get(f"{API}/{aid}", headers=rev).json() == before
    up = client.post(
        f"{API}/{aid}/amend",
        json={"version": 2, "reason": "A second site added", "amount": str(amount + 1000)},
        headers=ana,
    )
    assert up.status_code == 200 and up.json()["agreement"]["version"] == 3
    stale = client.post(
        f"{API}/{aid}/cancel", json={"reason": "Read before the amendment", "version": 2},
        headers=ana,
    )  # fmt: skip
    assert stale.status_code == 409 and "not 2" in stale.json()["error"]["message"]
    fund_before = Decimal(_ledger(client, ana)["fund_balance"])
    gone = client.post(
        f"{API}/{aid}/cancel", json={"reason": "The partner withdrew", "version": 3}, headers=ana
    )
    assert gone.status_code == 200, gone.text
    assert Decimal(gone.json()["decommitted"]) == amount
    assert Decimal(_ledger(client, ana)["fund_balance"]) == fund_before + amount
    line = client.get(f"{API}/{aid}", headers=rev).json()
    assert [v["kind"] for v in line["versions"]] == [
        "drawn_up",
        "signed",
        "amended",
        "cancelled",
    ]
    assert Decimal(line["money"]["unpaid"]) == 0
    assert client.get(f"{API}/AGR-9999", headers=rev).status_code == 404


def test_the_staff_page_in_both_languages_and_who_may_change_what(
    client: TestClient, app_rt: Runtime, token_for: Callable[[str], Headers]
) -> None:
    ana = token_for("ana")
    first, second = _approved(app_rt)[:2]
    for project in (first, second):
        aid = client.post(API, json={"project": project}, headers=ana).json()["id"]
        client.post(f"{API}/{aid}/sign", json={"signed_on": "2027-01-10"}, headers=ana)
    assert client.get("/staff/agreements", follow_redirects=False).status_code in {302, 303}
    sign_in(client, "rev")
    page = client.get("/staff/agreements")
    assert page.status_code == 200 and "AGR-0002" in page.text
    assert "/staff/agreements/AGR-0001/cancel" not in page.text
    refused = client.post(
        "/staff/agreements/AGR-0001/cancel",
        data={"reason": "not mine to cancel", "version": "2", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    client.cookies.clear()
    sign_in(client, "ana")
    english = client.get("/staff/agreements", headers={"accept-language": "en"})
    assert (
        "Grant agreements" in english.text and "/staff/agreements/AGR-0001/cancel" in english.text
    )
    done = client.post(
        "/staff/agreements/AGR-0001/cancel",
        data={
            "reason": "The partner withdrew",
            "version": "2",
            "csrf_token": csrf_of(english.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    russian = client.get(done.headers["location"], headers={"accept-language": "ru"}).text
    assert "Соглашения о грантах" in russian and "AGR-0001 изменено: версия 3" in russian
    assert "расторг" in russian.lower() or "отмен" in russian.lower()
    assert 'href="/staff/agreements"' in client.get("/staff").text
