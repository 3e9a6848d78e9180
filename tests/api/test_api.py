"""The API: roles decide what each caller may do, and every error has one shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts
from tests.api.conftest import Headers, sign_in


def counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def error_of(answer: Response) -> dict[str, Any]:
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message", "problems"}
    assert body["error"]["status"] == answer.status_code
    return body["error"]  # type: ignore[no-any-return]


def test_openapi_documents_every_subject(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/projects",
        "/api/v1/portfolio/runs",
        "/api/v1/conditions",
        "/api/v1/tranches",
        "/api/v1/ledger",
        "/api/v1/audit",
        "/api/v1/reviews",
        "/api/v1/appraisals",
        "/api/v1/organisations",
    ):
        assert path in paths


def test_public_reads_need_no_account(client: TestClient) -> None:
    projects = client.get("/api/v1/projects").json()
    assert len(projects) > 100
    assert all("notes" not in p and "contacts" not in p for p in projects)
    assert client.get("/api/v1/conditions").json()["conditions"]


def test_staff_see_internal_fields_the_public_does_not(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    public = client.get("/api/v1/projects/TRN-M11-03").json()
    staff = client.get("/api/v1/projects/TRN-M11-03", headers=token_for("ana")).json()
    assert "notes" not in public
    assert "notes" in staff
    assert "contacts" not in staff  # protected: not even staff get it here


def test_anonymous_cannot_optimise_and_a_reviewer_may_not_either(
    client: TestClient, token_for: Callable[[str], Headers], app_rt: Runtime
) -> None:
    headers = token_for("rev")
    before = counts(app_rt)
    assert error_of(client.post("/api/v1/portfolio/runs", json={}))["status"] == 401
    answer = client.post("/api/v1/portfolio/runs", json={}, headers=headers)
    assert error_of(answer)["status"] == 403
    assert counts(app_rt) == before


def test_an_analyst_optimises_and_the_run_is_recorded(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    headers = token_for("ana")
    answer = client.post("/api/v1/portfolio/runs", json={"time_limit": 10}, headers=headers)
    assert answer.status_code == 200, answer.text
    run = answer.json()
    assert run["selected"] and run["status"] in {"optimal", "feasible"}
    assert (
        client.get(f"/api/v1/portfolio/runs/{run['record_id']}").json()["selected"]
        == run["selected"]
    )
    runs = client.get("/api/v1/runs", headers=headers).json()
    mine = next(r for r in runs if r["id"] == run["record_id"])
    assert mine["actor"] == "user:ana"
    public = next(r for r in client.get("/api/v1/runs").json() if r["id"] == run["record_id"])
    assert public["actor"] is None


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient) -> None:
    wrong = client.post("/api/v1/auth/token", data={"username": "ana", "password": "x" * 12})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong)["message"] == error_of(unknown)["message"]


def test_a_revoked_or_made_up_token_is_refused(client: TestClient) -> None:
    answer = client.get("/api/v1/me", headers={"Authorization": "Bearer pft_made_up"})
    assert error_of(answer)["status"] == 401


def test_cookie_writes_to_the_api_need_the_csrf_header(client: TestClient) -> None:
    sign_in(client, "ana")
    answer = client.post("/api/v1/appraisals")
    assert error_of(answer)["status"] == 403
    me = client.get("/api/v1/me").json()
    assert me["actor"] == "user:ana"


def test_malformed_json_wrong_types_and_unknown_ids_are_4xx_in_one_shape(
    client: TestClient, token_for: Callable[[str], Headers], app_rt: Runtime
) -> None:
    headers = token_for("ana") | {"content-type": "application/json"}
    before = counts(app_rt)
    bad_json = client.put("/api/v1/conditions/ceasefire", content=b"{not json", headers=headers)
    assert error_of(bad_json)["status"] == 422
    wrong_type = client.post("/api/v1/portfolio/runs", json={"time_limit": "soon"}, headers=headers)
    problems = error_of(wrong_type)["problems"]
    assert any(p["field"] == "body.time_limit" for p in problems)
    assert error_of(client.get("/api/v1/projects/NOPE-1"))["status"] == 404
    assert error_of(client.post("/api/v1/tranches/NOPE/release", headers=headers))["status"] == 404
    assert counts(app_rt) == before


def test_an_oversized_upload_is_refused_before_it_is_read(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    big = b"id,title\n" + b"X" * 3_000_000
    answer = client.post(
        "/api/v1/imports/projects",
        files={"file": ("big.csv", big, "text/csv")},
        headers=token_for("ana"),
    )
    assert error_of(answer)["status"] == 413


def test_an_import_with_a_bad_row_names_it_and_stores_nothing(
    client: TestClient, token_for: Callable[[str], Headers], app_rt: Runtime
) -> None:
    headers = token_for("ana")
    before = counts(app_rt)
    csv = (
        b"id,title,area,costs.2030.capital\n"
        b"NEW-1,A good project,transport,1000000\nNEW-2,Bad,nowhere,5\n"
    )
    answer = client.post(
        "/api/v1/imports/projects", files={"file": ("new.csv", csv, "text/csv")}, headers=headers
    )
    error = error_of(answer)
    assert answer.status_code == 400
    assert any(p["row"] and p["field"] for p in error["problems"])
    assert counts(app_rt) == before


def test_users_are_managed_by_admins_only(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    new = {"username": "newbie", "password": "a long enough password", "roles": ["reviewer"]}
    assert client.post("/api/v1/users", json=new, headers=token_for("ana")).status_code == 403
    answer = client.post("/api/v1/users", json=new, headers=token_for("ada"))
    assert answer.status_code == 201, answer.text
    assert "password" not in answer.text
    assert client.post("/api/v1/users", json=new, headers=token_for("ada")).status_code == 409
