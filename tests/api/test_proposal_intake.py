"""Proposal intake through the pages and the API, and publication in every public output.

A proposer sends a proposal and follows it with its code alone; staff read it on its
own page (the contact only with read_protected, each view audited), question, return,
reject or take it in; a project is public only once published, in the portal pages, the
public API, the open data and the IATI file alike.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from pfund.services import proposals
from pfund.services.opendata import iati_xml
from pfund.services.runtime import Runtime
from tests.api.conftest import Headers, csrf_of, sign_in
from tests.api.test_pages import proposal

CODE = re.compile(r'id="reference-code">([A-Z0-9-]+)<')


def send(client: TestClient, lang: str = "en", **changes: str) -> tuple[str, str]:
    """Send the form; the new proposal's id and its reference code."""
    form_page = client.get(f"/propose?lang={lang}")
    answer = client.post("/propose", data=proposal(csrf_of(form_page.text), **changes))
    assert answer.status_code == 200, answer.text
    found = CODE.search(answer.text)
    assert found is not None, "the proposed page shows the reference code"
    project_id = re.search(r"WEB-[0-9A-F]{6}", answer.text)
    assert project_id is not None
    return project_id.group(0), found.group(1)


def status(client: TestClient, code: str, **extra: str) -> tuple[int, str]:
    csrf = csrf_of(client.get("/proposals/status").text)
    answer = client.post("/proposals/status", data={"csrf_token": csrf, "code": code} | extra)
    return answer.status_code, answer.text


def test_errors_of_the_form_and_of_the_importer_come_in_one_round(client: TestClient) -> None:
    csrf = csrf_of(client.get("/propose").text)
    bad = proposal(csrf, area="astrology", regions="RU-XXX", contact_email="not-an-email")
    answer = client.post("/propose", data=bad)
    assert answer.status_code == 400
    for field in ("area", "regions", "contact_email"):
        assert f'id="{field}-error"' in answer.text, field


def test_the_contact_fields_come_back_filled_after_a_failed_submit(client: TestClient) -> None:
    csrf = csrf_of(client.get("/propose").text)
    answer = client.post("/propose", data=proposal(csrf, cost_likely="-5"))
    assert answer.status_code == 400
    assert 'value="Anna Secretova"' in answer.text
    assert 'value="anna.secretova@example.org"' in answer.text
    assert 'value="Tverskaya Voda Initiative"' in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_the_proposer_checks_the_status_with_the_code_alone(client: TestClient) -> None:
    _, code = send(client, lang="ru")
    assert len(code.replace("-", "")) >= 12
    fresh = TestClient(client.app)  # another browser: no session, no cookie
    code_status, page = status(fresh, code.lower())
    assert code_status == 200
    assert 'id="proposal-status"' in page and "Clean water for Tver villages" in page
    assert "Anna Secretova" not in page and "anna.secretova" not in page


def test_a_wrong_code_reveals_nothing(client: TestClient) -> None:
    send(client)
    pages = set()
    for wrong in ("AAAA-BBBB-CCCC-DDDD", "WEB-000000", "x"):
        code_status, page = status(client, wrong)
        assert code_status == 404
        assert "no proposal with this code" in page
        assert "Clean water" not in page
        pages.add(re.sub(r'value="[^"]*"', "", page))
    assert len(pages) == 1  # the same page, whatever the wrong code


def test_status_checks_are_rate_limited(client: TestClient) -> None:
    client.app.state.settings.status_checks_per_hour = 2  # type: ignore[attr-defined]
    answers = [status(client, "AAAA-BBBB-CCCC-DDDD")[0] for _ in range(3)]
    assert answers == [404, 404, 429]


def test_staff_question_reaches_the_proposer_who_answers_and_can_withdraw(
    client: TestClient,
) -> None:
    project_id, code = send(client)
    sign_in(client, "ana")
    page = client.get(f"/staff/proposals/{project_id}")
    moved = client.post(
        f"/staff/proposals/{project_id}/ask",
        data={"csrf_token": csrf_of(page.text), "text": "Which villages exactly?"},
    )
    assert moved.status_code == 200 and "question sent" in moved.text
    proposer = TestClient(client.app)
    _, seen = status(proposer, code)
    assert "Which villages exactly?" in seen
    _, answered = status(proposer, code, action="answer", text="The Rzhev district.")
    assert "The Rzhev district." in answered
    _, withdrawn = status(proposer, code, action="withdraw")
    assert "withdrawn" in withdrawn
    staff_view = client.get(f"/staff/proposals/{project_id}").text
    assert "The Rzhev district." in staff_view and "withdrawn by the proposer" in staff_view


def test_the_proposal_page_shows_everything_sent_and_the_contact_only_to_protected_readers(
    client: TestClient, app_rt: Runtime
) -> None:
    project_id, _ = send(client)
    sign_in(client, "ana")
    analyst = client.get(f"/staff/proposals/{project_id}").text
    for sent in ("Clean water for Tver villages", "Drill and equip twelve wells", "Tver"):
        assert sent in analyst
    assert "Anna Secretova" not in analyst and "Tverskaya Voda" not in analyst
    client.post("/signout", data={"csrf_token": csrf_of(analyst)})
    sign_in(client, "comp")
    compliance = client.get(f"/staff/proposals/{project_id}").text
    assert "Anna Secretova" in compliance and "anna.secretova@example.org" in compliance
    with app_rt.uow() as uow:
        viewed = [
            e for e in uow.audit.list(record_id=f"PER-{project_id}") if e.action == "person.viewed"
        ]
    assert [e.actor for e in viewed] == ["user:comp"]


def test_a_reviewer_opens_only_the_proposals_assigned_to_them(client: TestClient) -> None:
    project_id, _ = send(client)
    sign_in(client, "rev")
    assert client.get(f"/staff/proposals/{project_id}").status_code == 403
    reviews_page = client.get("/staff/reviews").text
    client.post("/signout", data={"csrf_token": csrf_of(reviews_page)})
    sign_in(client, "ana")
    page = client.get(f"/staff/proposals/{project_id}").text
    assert '<option value="rev">' in page
    client.post(
        f"/staff/proposals/{project_id}/reviewers",
        data={"csrf_token": csrf_of(page), "reviewer": "rev"},
    )
    client.post("/signout", data={"csrf_token": csrf_of(page)})
    sign_in(client, "rev")
    mine = client.get(f"/staff/proposals/{project_id}")
    assert mine.status_code == 200 and "Anna Secretova" not in mine.text
    assert f'href="/staff/proposals/{project_id}"' in client.get("/staff/reviews").text


def test_the_dashboard_lists_waiting_proposals_by_title_with_a_link(client: TestClient) -> None:
    project_id, _ = send(client)
    sign_in(client, "ana")
    dashboard = client.get("/staff").text
    assert f'<a href="/staff/proposals/{project_id}">Clean water for Tver villages</a>' in dashboard
    listed = client.get("/staff/proposals?status=submitted").text
    assert project_id in listed
    assert project_id not in client.get("/staff/proposals?status=rejected").text


def test_taking_in_does_not_publish_and_publishing_shows_it_everywhere(
    client: TestClient,
) -> None:
    project_id, _ = send(client)
    sign_in(client, "ana")
    page = client.get(f"/staff/proposals/{project_id}").text
    client.post(f"/staff/proposals/{project_id}/accept", data={"csrf_token": csrf_of(page)})
    assert 'id="published">not published' in client.get(f"/staff/proposals/{project_id}").text
    anonymous = TestClient(client.app)
    assert anonymous.get(f"/projects/{project_id}").status_code == 404
    assert project_id not in anonymous.get("/api/v1/projects").text
    assert project_id not in anonymous.get("/api/v1/open-data/projects.csv").text
    client.post(f"/staff/proposals/{project_id}/publish", data={"csrf_token": csrf_of(page)})
    assert anonymous.get(f"/projects/{project_id}").status_code == 200
    assert project_id in anonymous.get("/api/v1/projects").text
    assert project_id in anonymous.get("/api/v1/open-data/projects.csv").text


def test_an_unpublished_project_leaves_every_public_output(
    client: TestClient, app_rt: Runtime, token_for: Headers
) -> None:
    xml = iati_xml(app_rt).decode()
    assert client.get("/api/v1/open-data/tranches.csv").text.count("\n") > 2
    chosen = re.search(r"<iati-identifier>[^<]*-([A-Z]{3}-[A-Z0-9-]+)</iati-identifier>", xml)
    assert chosen is not None
    project_id = chosen.group(1)
    assert client.get(f"/projects/{project_id}").status_code == 200
    headers = token_for("ana")  # type: ignore[operator]
    answer = client.post(f"/api/v1/proposals/{project_id}/unpublish", headers=headers)
    assert answer.status_code == 200, answer.text
    assert client.get(f"/projects/{project_id}").status_code == 404
    assert project_id not in client.get("/projects").text
    assert client.get(f"/api/v1/projects/{project_id}").status_code == 404
    assert project_id not in client.get("/api/v1/projects").text
    for name in ("projects", "tranches", "ledger"):
        for fmt in ("csv", "json"):
            dataset = client.get(f"/api/v1/open-data/{name}.{fmt}")
            assert dataset.status_code == 200 and project_id not in dataset.text, name
    assert project_id not in iati_xml(app_rt).decode()
    assert client.get(f"/api/v1/projects/{project_id}", headers=headers).status_code == 200


def test_the_api_moves_proposals_with_the_right_permission_only(
    client: TestClient, token_for: Headers
) -> None:
    project_id, code = send(client)
    reviewer, analyst = token_for("rev"), token_for("ana")  # type: ignore[operator]
    refused = client.post(
        f"/api/v1/proposals/{project_id}/reject", json={"text": "spam"}, headers=reviewer
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/proposals/{project_id}", headers=reviewer).status_code == 403
    shown = client.get(f"/api/v1/proposals/{project_id}", headers=analyst).json()
    assert shown["contacts"] is None and shown["project"]["title"].startswith("Clean water")
    listed = client.get("/api/v1/proposals?status=submitted", headers=analyst).json()
    assert project_id in [p["id"] for p in listed["items"]]
    moved = client.post(
        f"/api/v1/proposals/{project_id}/reject", json={"text": "spam"}, headers=analyst
    )
    assert moved.json()["status"] == "rejected"
    again = client.post(
        f"/api/v1/proposals/{project_id}/reject", json={"text": "spam"}, headers=analyst
    )
    assert again.status_code == 409
    seen = client.post("/api/v1/proposal-status", json={"code": code}).json()
    assert seen["status"] == "rejected" and seen["messages"][-1]["body"] == "spam"
    wrong = client.post("/api/v1/proposal-status", json={"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 404


def test_proposals_stay_out_of_the_public_counts(client: TestClient, app_rt: Runtime) -> None:
    before = client.get("/api/v1/fund").json()["projects"]
    send(client)
    assert client.get("/api/v1/fund").json()["projects"] == before
    assert len(proposals.submitted(app_rt)) == 1


def test_the_proposal_list_pages_with_the_shared_pager_keeping_its_filter(
    client: TestClient, app_rt: Runtime
) -> None:
    for n in range(proposals.PAGE_SIZE + 1):
        proposals.submit(app_rt, proposals.parse_form(_form_values(n)))
    sign_in(client, "ana")
    first = client.get("/staff/proposals?status=submitted").text
    assert f"Showing 1–{proposals.PAGE_SIZE} of {proposals.PAGE_SIZE + 1}" in first
    assert 'href="/staff/proposals?status=submitted&amp;page=2" rel="next"' in first
    second = client.get("/staff/proposals?status=submitted&page=2").text
    assert f"Showing {proposals.PAGE_SIZE + 1}–{proposals.PAGE_SIZE + 1}" in second
    # The same pager as every staff list: a per-page choice, any case in the filter,
    # and a page past the end showing the last.
    small = client.get("/staff/proposals?status=Submitted&per_page=25&page=3").text
    assert f"Showing 51–{proposals.PAGE_SIZE + 1}" in small and "<strong aria-current" in small
    assert 'href="/staff/proposals?status=Submitted&amp;page=2&amp;per_page=25"' in small
    past = client.get("/staff/proposals?status=submitted&page=99").text
    assert f"Showing {proposals.PAGE_SIZE + 1}–{proposals.PAGE_SIZE + 1}" in past


def _form_values(n: int) -> dict[str, object]:
    values: dict[str, object] = dict(proposal("", title=f"Clean water, village {n}"))
    del values["csrf_token"]
    values["regions"] = ["RU-TVE"]
    return values
