"""The licence register over the API: compliance records and revokes, staff read, the
public reads nothing; a refused payment names the route that clears it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from pfund.api.refusals import api_error
from pfund.conditions.licences import licence_cover
from pfund.domain.licence import SanctionsPolicy
from pfund.services.gate import GateRefused
from pfund.services.runtime import Runtime
from tests.api.conftest import csrf_of, sign_in
from tests.factories import make_organisation

ONE = {
    "id": "LIC-0301",
    "authority": "US Department of the Treasury, OFAC",
    "reference": "RUSSIA-EO14024-2027-301",
    "counterparties": ["ORG-0010"],
    "areas": ["health"],
    "max_amount": "1000000.00",
    "valid_from": "2027-01-01",
    "valid_until": "2027-12-31",
}

Headers = dict[str, str]


def test_the_register_follows_roles(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    assert client.get("/api/v1/licences").status_code == 401
    reviewer = token_for("rev")
    listed = client.get("/api/v1/licences?on=2026-12-06", headers=reviewer).json()
    states = {line["licence"]["id"]: line["state"] for line in listed}
    assert states == {
        "LIC-0001": "in_force",
        "LIC-0002": "expiring",
        "LIC-0003": "not_yet",
        "LIC-0004": "in_force",
        "LIC-0005": "ended",
    }
    assert client.post("/api/v1/licences", json=ONE, headers=reviewer).status_code == 403
    compliance = token_for("comp")
    made = client.post("/api/v1/licences", json=ONE, headers=compliance)
    assert made.status_code == 201, made.text
    again = client.post("/api/v1/licences", json=ONE, headers=compliance)
    assert again.status_code == 400
    fields = {(p["field"], p["reason"]) for p in again.json()["error"]["problems"]}
    assert ("id", "licence LIC-0301 is already recorded") in fields
    bad = client.post(
        "/api/v1/licences",
        json=ONE | {"id": "LIC-0302", "counterparties": ["ORG-NONE"]},
        headers=compliance,
    )
    assert bad.status_code == 400 and "ORG-NONE" in bad.text
    short = client.post(
        "/api/v1/licences/LIC-0301/revoke", json={"reason": "short"}, headers=compliance
    )
    assert short.status_code == 422
    revoked = client.post(
        "/api/v1/licences/LIC-0301/revoke",
        json={"reason": "the authority withdrew it", "effective": "2027-03-01"},
        headers=compliance,
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_on"] == "2027-03-01"
    assert (
        client.post(
            "/api/v1/licences/LIC-0301/revoke",
            json={"reason": "the authority withdrew it"},
            headers=compliance,
        ).status_code
        == 409
    )


def test_revoking_the_licences_leaves_a_tranche_uncovered(
    client: TestClient, app_rt: Runtime, token_for: Callable[[str], Headers]
) -> None:
    """Revoke every licence: the check of a tranche to a Russian counterparty says why
    it could not be paid, licence by licence."""
    with app_rt.uow() as uow:
        russian = {o.id for o in uow.organisations.list() if o.country == "RU"}
        projects = {p.id: p for p in uow.projects.list()}
        to_russia = [
            t
            for t in uow.tranches.list()
            if {projects[t.project_id].proponent, *projects[t.project_id].partners} & russian
        ]
    assert to_russia, "the sample fund has a tranche to a Russian counterparty"
    tranche = to_russia[0]
    staff, compliance = token_for("ana"), token_for("comp")
    url = f"/api/v1/tranches/{tranche.id}/licences?on=2027-03-01"
    assert client.get(url, headers=staff).json()["used"] != {}
    for line in client.get("/api/v1/licences", headers=staff).json():
        if line["licence"]["revoked_on"] is None:
            answer = client.post(
                f"/api/v1/licences/{line['licence']['id']}/revoke",
                json={"reason": "withdrawn for the test", "effective": "2027-01-01"},
                headers=compliance,
            )
            assert answer.status_code == 200, answer.text
    check = client.get(url, headers=staff).json()
    assert check["used"] == {} and "was revoked on 2027-01-01" in check["reasons"][0]


def test_the_api_names_the_route_that_clears_a_licence_hold() -> None:
    holds = licence_cover(
        [make_organisation("ORG-R01", country="RU")],
        area="health",
        amount=Decimal(1),
        day=date(2027, 1, 1),
        licences=[],
        paid={},
        policy=SanctionsPolicy(jurisdictions=["RU"]),
    ).holds
    body = api_error(GateRefused("tranche T cannot be paid: no licence", holds))
    [problem] = body["problems"]
    assert problem["code"] == "licence_missing"
    assert "POST /api/v1/licences" in problem["reason"]
    assert "GET /api/v1/licences lists those naming ORG-R01" in problem["reason"]


def test_the_staff_page_lists_licences_in_both_languages_and_compliance_revokes(
    client: TestClient, today: Callable[[date], None]
) -> None:
    today(date(2026, 12, 6))  # BAFA's authorisation (LIC-0002) ends on 31 December
    assert client.get("/staff/licences", follow_redirects=False).status_code in {302, 303}
    sign_in(client, "comp")
    english = client.get("/staff/licences", headers={"accept-language": "en"})
    assert english.status_code == 200
    assert "LIC-0002" in english.text and "ask Bundesamt" in english.text
    russian = client.get("/staff/licences", headers={"accept-language": "ru"}).text
    assert "Санкционные лицензии" in russian and "запросите продление" in russian
    token = csrf_of(english.text)
    done = client.post(
        "/staff/licences/LIC-0004/revoke",
        data={"reason": "the exemption was narrowed", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"], headers={"accept-language": "ru"}).text
    assert "LIC-0004 отозвана" in after and "the exemption was narrowed" in after


def test_a_reviewer_sees_the_register_but_cannot_revoke(client: TestClient) -> None:
    sign_in(client, "rev")
    page = client.get("/staff/licences")
    assert page.status_code == 200 and "/staff/licences/LIC-0001/revoke" not in page.text
    refused = client.post(
        "/staff/licences/LIC-0001/revoke",
        data={"reason": "not mine to revoke", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 403
