"""The portal and the workspace as a browser without JavaScript sees them."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from pfund.services import proposals
from pfund.services.jobs import get_job
from pfund.services.runtime import Runtime
from tests.api.conftest import csrf_of, sign_in

PUBLIC_PAGES = (
    "/",
    "/projects",
    "/funding",
    "/results",
    "/conditions",
    "/scorecard",
    "/map",
    "/decisions",
    "/data",
    "/propose",
    "/signin",
)


def proposal(csrf: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "title": "Clean water for Tver villages",
        "description": "Drill and equip twelve wells for villages without safe water.",
        "area": "health",
        "regions": "RU-TVE",
        "first_year": "2030",
        "years": "2",
        "cost_low": "400000",
        "cost_likely": "500000",
        "cost_high": "700000",
        "people_reached": "9000",
        "organisation": "Tverskaya Voda Initiative",
        "contact_name": "Anna Secretova",
        "contact_email": "anna.secretova@example.org",
    }
    return form | changes


def test_every_public_page_renders_in_english_and_russian(client: TestClient) -> None:
    for path in PUBLIC_PAGES:
        english = client.get(path, headers={"accept-language": "en"})
        russian = client.get(path, headers={"accept-language": "ru-RU,ru;q=0.9"})
        assert english.status_code == russian.status_code == 200, path
        assert english.headers["content-language"] == "en"
        assert russian.headers["content-language"] == "ru"
        assert '<html lang="ru">' in russian.text
        assert english.text != russian.text, path
        assert "<script" not in english.text  # readable without JavaScript


def test_the_language_switch_wins_over_the_browser_and_sticks(client: TestClient) -> None:
    page = client.get("/?lang=ru", headers={"accept-language": "en"})
    assert "Проекты" in page.text
    assert (
        client.get("/funding", headers={"accept-language": "en"}).headers["content-language"]
        == "ru"
    )


def test_money_is_written_the_way_each_language_writes_it(client: TestClient) -> None:
    english = client.get("/funding?lang=en").text
    russian = client.get("/funding?lang=ru").text
    assert "$" in english and "," in english
    assert "\xa0$" in russian or "\u202f" in russian or "\xa0" in russian


def test_the_map_shades_regions_and_credits_openstreetmap(client: TestClient) -> None:
    page = client.get("/map").text
    assert page.count("<path") > 70
    assert "OpenStreetMap" in page
    assert len(page) < 400_000


def test_every_asset_is_served_locally(client: TestClient) -> None:
    page = client.get("/").text
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert client.get("/static/style.css").status_code == 200


def test_a_proposal_reaches_the_staff_queue_unpublished(
    client: TestClient, app_rt: Runtime
) -> None:
    form_page = client.get("/propose?lang=ru")
    answer = client.post("/propose", data=proposal(csrf_of(form_page.text)))
    assert answer.status_code == 200, answer.text
    waiting = proposals.submitted(app_rt)
    assert len(waiting) == 1
    project_id = waiting[0]
    assert project_id in answer.text
    assert client.get(f"/projects/{project_id}").status_code == 404
    assert project_id not in client.get("/api/v1/projects").text
    assert "Secretova" not in client.get("/api/v1/projects").text
    sign_in(client, "ana")
    assert project_id in client.get("/staff").text


def test_a_bad_proposal_names_the_fields_stores_nothing_and_keeps_no_contact(
    client: TestClient, app_rt: Runtime
) -> None:
    form_page = client.get("/propose")
    bad = proposal(
        csrf_of(form_page.text), area="astrology", cost_likely="-5", contact_email="not-an-email"
    )
    answer = client.post("/propose", data=bad)
    assert answer.status_code == 400
    assert 'id="contact_email-error"' in answer.text
    assert 'id="cost_likely-error"' in answer.text
    # The sender gets back what they typed (the contact too), and nothing is kept.
    assert 'value="not-an-email"' in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert proposals.submitted(app_rt) == []


def test_a_proposal_without_the_form_token_is_refused(client: TestClient, app_rt: Runtime) -> None:
    client.get("/propose")
    answer = client.post("/propose", data=proposal("forged"))
    assert answer.status_code == 403
    assert proposals.submitted(app_rt) == []


def test_too_many_proposals_from_one_address_are_slowed_and_not_stored(
    client: TestClient, app_rt: Runtime
) -> None:
    client.app.state.settings.proposals_per_hour = 2  # type: ignore[attr-defined]
    before = len(proposals.submitted(app_rt))
    csrf = csrf_of(client.get("/propose").text)
    answers = [client.post("/propose", data=proposal(csrf)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["retry-after"]) > 0
    assert len(proposals.submitted(app_rt)) == before + 2  # the refused one is not stored


def test_the_workspace_needs_a_signed_in_user(client: TestClient) -> None:
    answer = client.get("/staff", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin")


def test_an_analyst_optimises_and_approves_from_the_pages(unapproved_client: TestClient) -> None:
    client = unapproved_client
    sign_in(client, "ana")
    dashboard = client.get("/staff").text
    started = client.post(
        "/staff/optimise",
        data={"csrf_token": csrf_of(dashboard), "time_limit": "10"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    job_url = started.headers["location"]
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    job = get_job(rt, job_url.rsplit("/", 1)[1])
    for _ in range(1800):  # up to three minutes on a loaded machine
        job = get_job(rt, job.id)
        if job.done:
            break
        job_page = client.get(job_url).text
        # a page asked for while the job runs refreshes itself (unless it ended meanwhile)
        assert 'http-equiv="refresh"' in job_page or get_job(rt, job.id).done
        time.sleep(0.1)
    assert job.error is None, job.error
    assert job.state.value == "done"
    assert f"/staff/runs/{job.result}" in client.get(job_url).text
    run_page = client.get(f"/staff/runs/{job.result}").text
    approved = client.post(
        f"/staff/runs/{job.result}/approve",
        data={"csrf_token": csrf_of(run_page)},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert "approved" in client.get(approved.headers["location"]).text
    assert job.result in client.get("/decisions").text


def test_a_reviewer_cannot_approve(client: TestClient) -> None:
    sign_in(client, "rev")
    page = client.get("/staff").text
    answer = client.post("/staff/runs/OPT-0001/approve", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 403


def test_approving_a_run_with_nothing_new_is_refused(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/runs/OPT-0001").text
    assert 'id="approve"' not in page  # already approved: no button
    answer = client.post("/staff/runs/OPT-0001/approve", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 409
    assert "already approved" in answer.text


def test_a_reviewer_declares_a_conflict_and_cannot_score_then_the_other_scores(
    client: TestClient,
) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/reviews").text
    for name in ("rev", "rev2"):
        assigned = client.post(
            "/staff/reviews",
            data={"csrf_token": csrf_of(page), "project_id": "GOV-MED-01", "reviewer": name},
        )
        assert assigned.status_code == 200
    client.post("/signout", data={"csrf_token": csrf_of(page)})
    sign_in(client, "rev")
    page = client.get("/staff/reviews").text
    review_id = page.split('action="/staff/reviews/', 1)[1].split("/", 1)[0]
    declared = client.post(
        f"/staff/reviews/{review_id}/declaration",
        data={"csrf_token": csrf_of(page), "conflict": "true", "reason": "I advised the proponent"},
    )
    assert "recused" in declared.text
    refused = client.post(
        f"/staff/reviews/{review_id}/scores",
        data={"csrf_token": csrf_of(page), "score_democratic_governance": "9"},
    )
    assert refused.status_code == 409
    assert (
        client.get("/api/v1/projects/GOV-MED-01").json()["scores"].get("democratic_governance") != 9
    )


def test_the_proposal_form_offers_regions_by_name_and_keeps_the_choice(
    client: TestClient,
) -> None:
    """Before, regions were typed as ISO codes into a text field."""
    page = client.get("/propose?lang=ru").text
    assert '<option value="RU-TVE" >Тверская область</option>' in page
    assert "ISO" not in page
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    again = client.post(
        "/propose",
        data={"csrf_token": token, "title": "x", "regions": ["RU-TVE", "RU-SAM"]},
    ).text
    assert '<option value="RU-TVE" selected>' in again
    assert '<option value="RU-SAM" selected>' in again
