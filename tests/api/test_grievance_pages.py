"""The grievance channel through the pages and the API: the form in both languages, its
token and limits (a refusal stores nothing), the code-only status page, the integrity
role's queue and moves, and the public statistics."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image

from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts
from tests.api.conftest import PASSWORD, Headers, csrf_of, sign_in

CODE = re.compile(r'id="tracking-code">([A-Z0-9-]+)<')


def _counts(rt: Runtime) -> dict[str, int]:
    """Rows per table, less the rate limit's counter (every attempt counts, by design)."""
    with rt.uow() as uow:
        return {k: n for k, n in table_counts(uow.session).items() if k != "rate_limits"}


def _fields(csrf: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "category": "retaliation",
        "subject_id": "",
        "description": "Мастера участка уволили после того, как он пожаловался на приписки.",
        "anonymous": "1",
        "name": "",
        "contact": "",
    } | changes


def _file(client: TestClient, lang: str = "en", **changes: str) -> str:
    page = client.get("/grievances/new", headers={"accept-language": lang})
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    answer = client.post(
        "/grievances/new",
        data=_fields(csrf_of(page.text), **changes),
        files={"evidence": ("photo.png", png.getvalue(), "image/png")},
        headers={"accept-language": lang},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    found = CODE.search(answer.text)
    assert found
    return found.group(1)


def test_every_portal_page_links_to_the_form_which_works_in_both_languages(
    client: TestClient,
) -> None:
    for path in ("/", "/projects", "/results"):
        assert 'href="/grievances/new"' in client.get(path).text
    assert "Сообщить о нарушении" in client.get("/", headers={"accept-language": "ru"}).text
    page = client.get("/grievances/new", headers={"accept-language": "ru"})
    assert "Преследование того, кто сообщил о нарушении" in page.text
    code = _file(client, "ru")
    csrf = csrf_of(client.get("/grievances/status").text)
    shown = client.post(
        "/grievances/status",
        data={"csrf_token": csrf, "code": code},
        headers={"accept-language": "ru"},
    )
    assert "получено" in shown.text and code not in shown.url.path
    added = client.post(
        "/grievances/status",
        data={"csrf_token": csrf, "code": code, "action": "add", "text": "Ещё два свидетеля."},
        headers={"accept-language": "ru"},
    )
    assert "Вы дополнили сообщение" in added.text and "Ещё два свидетеля." in added.text
    wrong = client.post("/grievances/status", data={"csrf_token": csrf, "code": "NOPE-NOPE"})
    assert wrong.status_code == 404 and "no grievance with this code" in wrong.text


def test_a_form_without_its_token_over_its_limits_or_with_an_unknown_category_stores_nothing(
    client: TestClient, app_rt: Runtime
) -> None:
    csrf = csrf_of(client.get("/grievances/new").text)
    before = _counts(app_rt)
    no_token = client.post("/grievances/new", data=_fields(""))
    assert no_token.status_code == 403
    unknown = client.post("/grievances/new", data=_fields(csrf, category="gossip"))
    assert unknown.status_code == 400 and "unknown category" in unknown.text
    too_long = client.post("/grievances/new", data=_fields(csrf, description="x" * 5001))
    assert too_long.status_code == 400 and 'id="description-error"' in too_long.text
    not_a_file = client.post(
        "/grievances/new",
        data=_fields(csrf),
        files={"evidence": ("tool.exe", b"MZ\x90\x00 not an image", "application/octet-stream")},
    )
    assert not_a_file.status_code == 400 and "tool.exe" in not_a_file.text
    assert _counts(app_rt) == before
    # the refused forms counted too (3 of them past the token): one more may pass
    client.app.state.settings.proposals_per_hour = 4  # type: ignore[attr-defined]
    _file(client)
    limited = client.post("/grievances/new", data=_fields(csrf))
    assert limited.status_code == 429 and "retry-after" in limited.headers


def test_the_integrity_role_triages_and_the_reporter_reads_the_step(
    client: TestClient, app_rt: Runtime, token_for: Callable[[str], Headers]
) -> None:
    accounts.add_user(app_rt, "integ", PASSWORD, roles=[Role.INTEGRITY])
    code = _file(client, contact="+7 900 000-00-00", name="Пётр", anonymous="")
    assert client.get("/api/v1/grievances").status_code == 401
    assert client.get("/api/v1/grievances", headers=token_for("ana")).status_code == 403
    integ = token_for("integ")
    (line,) = client.get("/api/v1/grievances", headers=integ).json()
    shown = client.get(f"/api/v1/grievances/{line['id']}", headers=integ).json()
    assert shown["reporter"]["contact"] == "+7 900 000-00-00"
    admin = client.get(f"/api/v1/grievances/{line['id']}", headers=token_for("ada")).json()
    assert admin["reporter"] is None
    moved = client.post(
        f"/api/v1/grievances/{line['id']}/triage",
        json={"to": "acknowledged", "reason": "Получено, проверяем."},
        headers=integ,
    )
    assert moved.status_code == 200, moved.text
    wrong = client.post(
        f"/api/v1/grievances/{line['id']}/decide",
        json={"to": "substantiated", "reason": "too early"},
        headers=integ,
    )
    assert wrong.status_code == 409
    view = client.post("/api/v1/grievances/status", json={"code": code}).json()
    assert view["status"] == "acknowledged"
    assert "Получено, проверяем." in [s["reason"] for s in view["steps"]]
    sign_in(client, "integ")
    page = client.get(f"/staff/grievances/{line['id']}")
    assert "+7 900 000-00-00" in page.text and "audit" in page.text


def test_the_statistics_page_and_api_in_both_languages(client: TestClient) -> None:
    for _ in range(3):
        _file(client)
    data = client.get("/api/v1/grievances/statistics").json()
    (quarter,) = data["quarters"]
    assert quarter["received"] == 3 and quarter["by_category"]["retaliation"] == 3
    assert quarter["by_category"]["fraud"] == 0
    english = client.get("/grievances/statistics").text
    russian = client.get("/grievances/statistics", headers={"accept-language": "ru"}).text
    assert "Share substantiated" in english and "Доля подтверждённых" in russian
