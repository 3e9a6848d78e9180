"""Changing one's own password on a staff page: the current one asked again, the new one
twice, errors on the page in the reader's language, other sessions ended, audited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.services import accounts
from pfund.services.runtime import Runtime
from tests.api.conftest import PASSWORD, csrf_of, settings_for, sign_in
from tests.language_runs import foreign_runs

NEW = "a much longer new passphrase"


def _change(client: TestClient, current: str, new: str, again: str, lang: str = "en") -> str:
    page = client.get(f"/staff/password?lang={lang}")
    assert page.status_code == 200
    answer = client.post(
        "/staff/password",
        data={
            "csrf_token": csrf_of(page.text),
            "current_password": current,
            "new_password": new,
            "new_password_again": again,
        },
    )
    return str(answer.text)


def _signs_in(client: TestClient, password: str) -> bool:
    page = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"username": "rev", "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    return bool(answer.status_code == 303)


def test_any_signed_in_user_changes_their_password_and_other_sessions_end(
    client: TestClient, db_url: str, app_rt: Runtime
) -> None:
    other = TestClient(create_app(settings_for(db_url), runtime=app_rt))
    sign_in(other, "rev")
    sign_in(client, "rev")  # a reviewer: the page is for every account, not one role
    assert 'href="/staff/password"' in client.get("/staff").text
    done = _change(client, PASSWORD, NEW, NEW)
    assert "Your password has been changed." in done and "1 other session was signed out" in done
    assert client.get("/staff", follow_redirects=False).status_code == 200  # this one stays
    assert other.get("/staff", follow_redirects=False).status_code == 303  # the other ended
    with app_rt.uow() as uow:
        event = uow.audit.list(record_id="rev")[-1]
    assert event.action == "user.password_changed" and event.actor == "user:rev"
    fresh = TestClient(create_app(settings_for(db_url), runtime=app_rt))
    assert not _signs_in(fresh, PASSWORD)  # the old password no longer signs in
    assert _signs_in(fresh, NEW)


def test_a_wrong_current_password_or_a_mismatch_changes_nothing(client: TestClient) -> None:
    sign_in(client, "rev")
    wrong = _change(client, "not the password at all", NEW, NEW)
    assert "The password was not changed." in wrong
    assert "The current password is not right." in wrong
    differ = _change(client, PASSWORD, NEW, NEW + "!")
    assert "The new password and its repetition differ" in differ
    short = _change(client, PASSWORD, "short", "short")
    assert f"A new password needs at least {accounts.MIN_PASSWORD} characters." in short
    fresh = TestClient(client.app)
    assert _signs_in(fresh, PASSWORD) and not _signs_in(fresh, NEW)


def test_the_password_page_and_its_errors_read_in_russian(client: TestClient) -> None:
    sign_in(client, "rev")
    page = client.get("/staff/password?lang=ru").text
    assert "Смена пароля" in page and '<label for="new_password_again">' in page
    assert foreign_runs(page, "ru") == []
    for args in ((PASSWORD, NEW, NEW + "!"), ("not the password at all", NEW, NEW)):
        answer = _change(client, *args, lang="ru")
        assert "Пароль не изменён." in answer
        assert foreign_runs(answer, "ru") == []
    done = _change(client, PASSWORD, NEW, NEW, lang="ru")
    assert "Пароль изменён." in done and foreign_runs(done, "ru") == []


def test_the_change_is_said_once_and_not_by_an_address(client: TestClient) -> None:
    sign_in(client, "rev")
    assert "Your password has been changed." in _change(client, PASSWORD, NEW, NEW)
    assert "Your password has been changed." not in client.get("/staff/password").text
    assert "has been changed" not in client.get("/staff/password?ended=3").text
