"""Sessions and secrets (#12): each test here fails against the implementation it guards
against (a session that outlives sign-out, a token that never ends, a guessable cookie
key, an unlimited sign-in, a forwarded address believed from anyone).

The store-backed tests run on SQLite and PostgreSQL; they build a small store (two
accounts, no fund) so that both databases stay quick.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import itsdangerous
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.requests import Request

import pfund
from pfund.api import create_app
from pfund.api.app import SESSION_COOKIE
from pfund.api.limits import client_address
from pfund.domain.account import Permission, Principal, Role, User, permissions_of
from pfund.services import accounts
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.throttle import SigninLimits, TooManyAttempts, count_proposal
from pfund.settings import DEVELOPMENT_SECRET, Settings
from pfund.store.repositories._rows import table
from pfund.store.tables import RateLimitRow
from tests.api.conftest import PASSWORD, csrf_of, sign_in

ME = "/api/v1/me"


# -- a small store on each database -----------------------------------------------------


def settings_of(url: str, **changes: Any) -> Settings:
    return Settings(database_url=url, actor="test:setup", **changes)


@pytest.fixture
def store(database_url: str) -> Iterator[Runtime]:
    """An empty fund with an admin (ada) and an analyst (ana)."""
    rt = open_runtime(settings_of(database_url))
    accounts.add_user(rt, "ada", PASSWORD, roles=[Role.ADMIN])
    accounts.add_user(rt, "ana", PASSWORD, roles=[Role.ANALYST])
    yield rt
    rt.close()


def app_client(rt: Runtime, url: str, peer: str = "198.51.100.7", **changes: Any) -> TestClient:
    app = create_app(settings_of(url, **changes), runtime=rt)
    return TestClient(app, raise_server_exceptions=False, client=(peer, 40000))


@pytest.fixture
def web(store: Runtime, database_url: str) -> Iterator[TestClient]:
    with app_client(store, database_url) as client:
        yield client


def who(client: TestClient, headers: dict[str, str] | None = None) -> str:
    answer = client.get(ME, headers=headers or {})
    return str(answer.json()["actor"]) if answer.status_code == 200 else str(answer.status_code)


def replay(client: TestClient, cookie: str | None) -> None:
    """Send only ``cookie`` from now on, as someone who copied it would."""
    assert cookie
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)


def bearer(rt: Runtime, username: str, **kwargs: Any) -> tuple[dict[str, str], str]:
    issued = accounts.issue_token(rt, username, label="test", **kwargs)
    return {"Authorization": f"Bearer {issued.token}"}, issued.token_id


# -- CSRF -------------------------------------------------------------------------------


def test_csrf_a_wrong_token_is_refused_and_the_right_one_accepted(web: TestClient) -> None:
    sign_in(web, "ada")
    right = csrf_of(web.get("/signin").text)
    new = {"username": "newcomer", "password": PASSWORD, "roles": ["reviewer"]}
    for wrong in ("", "x", right[:-1] + ("A" if right[-1] != "A" else "B"), right + "x"):
        answer = web.post("/api/v1/users", json=new, headers={"X-CSRF-Token": wrong})
        assert answer.status_code == 403, wrong
    assert web.post("/api/v1/users", json=new).status_code == 403  # missing
    assert "newcomer" not in {u["username"] for u in web.get("/api/v1/users").json()}
    answer = web.post("/api/v1/users", json=new, headers={"X-CSRF-Token": right})
    assert answer.status_code == 201, answer.text
    # The web forms check their field the same way: a wrong token does not sign out.
    assert web.post("/signout", data={"csrf_token": right + "x"}).status_code == 403
    assert who(web) == "user:ada"
    assert (
        web.post("/signout", data={"csrf_token": right}, follow_redirects=False).status_code == 303
    )
    assert who(web) == "public"


# -- the role-permission table, written out independently -------------------------------

Y, N = True, False
# fmt: off
EXPECTED: dict[Permission, dict[Role, bool]] = {
    # columns: admin analyst reviewer compliance verifier committee public integrity
    Permission.READ_PUBLIC:    dict(zip(Role, (Y, Y, Y, Y, Y, Y, Y, Y), strict=True)),
    Permission.READ_INTERNAL:  dict(zip(Role, (Y, Y, Y, Y, Y, Y, N, Y), strict=True)),
    Permission.READ_PROTECTED: dict(zip(Role, (Y, N, N, Y, N, N, N, N), strict=True)),
    Permission.IMPORT:         dict(zip(Role, (Y, Y, N, N, N, N, N, N), strict=True)),
    Permission.APPRAISE:       dict(zip(Role, (Y, Y, N, N, N, N, N, N), strict=True)),
    Permission.OPTIMISE:       dict(zip(Role, (Y, Y, N, N, N, N, N, N), strict=True)),
    Permission.APPROVE:        dict(zip(Role, (Y, Y, N, N, N, N, N, N), strict=True)),
    Permission.SET_CONDITIONS: dict(zip(Role, (Y, Y, N, N, N, N, N, N), strict=True)),
    Permission.MOVE_MONEY:     dict(zip(Role, (Y, Y, N, N, N, N, N, N), strict=True)),
    Permission.REVIEW:         dict(zip(Role, (Y, N, Y, N, N, N, N, N), strict=True)),
    Permission.ASSIGN_REVIEWS: dict(zip(Role, (Y, Y, N, N, N, N, N, N), strict=True)),
    Permission.SCREEN:         dict(zip(Role, (Y, N, N, Y, N, N, N, N), strict=True)),
    Permission.READ_AUDIT:     dict(zip(Role, (Y, Y, N, Y, N, N, N, N), strict=True)),
    Permission.MANAGE_USERS:   dict(zip(Role, (Y, N, N, N, N, N, N, N), strict=True)),
    Permission.MANAGE_STORE:   dict(zip(Role, (Y, N, N, N, N, N, N, N), strict=True)),
    Permission.VERIFY:         dict(zip(Role, (Y, N, N, N, Y, N, N, N), strict=True)),
    # grievances: the integrity officer alone reads who reported (not even an admin)
    Permission.INVESTIGATE:    dict(zip(Role, (Y, N, N, N, N, N, N, Y), strict=True)),
    # the committee: a member votes for the seat they hold (an admin may stand in)
    Permission.VOTE:           dict(zip(Role, (Y, N, N, N, N, Y, N, N), strict=True)),
    Permission.READ_REPORTER:  dict(zip(Role, (N, N, N, N, N, N, N, Y), strict=True)),
}
# fmt: on


def test_the_role_order_of_the_table_above_is_the_enum_order() -> None:
    assert list(Role) == [
        Role.ADMIN,
        Role.ANALYST,
        Role.REVIEWER,
        Role.COMPLIANCE,
        Role.VERIFIER,
        Role.COMMITTEE_MEMBER,
        Role.PUBLIC,
        Role.INTEGRITY,
    ]
    assert set(EXPECTED) == set(Permission)  # a new permission must be decided here too


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_has_exactly_the_permissions_of_the_table(
    role: Role, permission: Permission
) -> None:
    expected = EXPECTED[permission][role]
    assert (permission in permissions_of([role])) is expected
    if role is Role.PUBLIC:
        assert Principal().can(permission) is expected
        return
    user = User(username="someone", roles=[role], created_at=datetime.now(UTC))
    assert Principal(user=user).can(permission) is expected
    inactive = user.model_copy(update={"active": False})
    assert Principal(user=inactive).can(permission) is EXPECTED[permission][Role.PUBLIC]


# -- sessions end -------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_is_refused_afterwards(
    store: Runtime, web: TestClient, database_url: str
) -> None:
    sign_in(web, "ada")
    copied = web.cookies.get(SESSION_COOKIE)
    with app_client(store, database_url) as thief:
        replay(thief, copied)
        assert who(thief) == "user:ada"  # the copy works while the session lasts
        web.post("/signout", data={"csrf_token": csrf_of(web.get("/signin").text)})
        assert who(web) == "public"
        replay(thief, copied)
        assert who(thief) == "public"
        assert thief.get("/api/v1/users").status_code == 401
    assert [e["record_id"] for e in _audit(store, "session.ended")] == ["ada"]


def test_signing_out_ends_only_that_session(store: Runtime, database_url: str) -> None:
    with app_client(store, database_url) as one, app_client(store, database_url) as two:
        sign_in(one, "ada")
        sign_in(two, "ada")
        one.post("/signout", data={"csrf_token": csrf_of(one.get("/signin").text)})
        assert who(one) == "public"
        assert who(two) == "user:ada"


def test_deactivation_ends_cookie_and_token_and_reactivation_revives_neither(
    store: Runtime, web: TestClient
) -> None:
    sign_in(web, "ana")
    cookie = web.cookies.get(SESSION_COOKIE)
    headers, _ = bearer(store, "ana")
    assert who(web) == who(web, headers) == "user:ana"
    accounts.set_roles(store, "ana", [Role.ANALYST], active=False)
    assert who(web) == "public"
    assert who(web, headers) == "401"
    accounts.set_roles(store, "ana", [Role.ANALYST], active=True)
    replay(web, cookie)
    assert who(web) == "public"
    assert who(web, headers) == "401"
    web.cookies.clear()
    sign_in(web, "ana")  # a new sign-in works again
    assert who(web) == "user:ana"
    events = _audit(store, "user.roles_set")
    assert events[-2]["details"]["sessions_ended"] == 1
    assert events[-2]["details"]["tokens_revoked"] == 1


def test_an_expired_token_is_refused(store: Runtime, web: TestClient) -> None:
    headers, token_id = bearer(store, "ana", days=1)
    assert who(web, headers) == "user:ana"
    with store.uow() as uow:
        assert uow.users.set_token_expiry(token_id, datetime.now(UTC) - timedelta(seconds=1))
        uow.commit()
    assert who(web, headers) == "401"
    (info,) = accounts.list_tokens(store, "ana")
    assert not info.valid_at(datetime.now(UTC)) and not info.revoked


def test_a_new_token_expires_after_its_days(store: Runtime) -> None:
    issued = accounts.issue_token(store, "ana", days=7)
    assert issued.expires_at is not None
    left = issued.expires_at - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)
    default = accounts.issue_token(store, "ana")
    assert default.expires_at is not None
    assert default.expires_at - datetime.now(UTC) > timedelta(days=89)


def test_a_revoked_token_is_refused_and_the_others_still_work(
    store: Runtime, web: TestClient
) -> None:
    first, first_id = bearer(store, "ana")
    second, _ = bearer(store, "ana")
    accounts.revoke_token(store, first_id)
    assert who(web, first) == "401"
    assert who(web, second) == "user:ana"
    with pytest.raises(Exception, match="no valid token"):
        accounts.revoke_token(store, first_id)
    assert accounts.revoke_user_tokens(store, "ana") == 1
    assert who(web, second) == "401"
    assert [e["details"] for e in _audit(store, "token.revoked")] == [
        {"token_id": first_id},
        {"token_id": "*", "count": 1},
    ]


def test_tokens_are_listed_and_revoked_through_the_api_by_an_admin(
    store: Runtime, web: TestClient
) -> None:
    admin, _ = bearer(store, "ada")
    target, target_id = bearer(store, "ana")
    analyst, _ = bearer(store, "ana")
    assert web.get("/api/v1/tokens", headers=analyst).status_code == 403
    listed = web.get("/api/v1/tokens?user=ana", headers=admin).json()
    assert target_id in {t["token_id"] for t in listed}
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert web.delete(f"/api/v1/tokens/{target_id}", headers=admin).status_code == 200
    assert who(web, target) == "401"


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    store: Runtime, database_url: str
) -> None:
    with app_client(store, database_url) as here, app_client(store, database_url) as there:
        sign_in(here, "ana")
        sign_in(there, "ana")
        csrf = csrf_of(here.get("/signin").text)
        change = {"current_password": PASSWORD, "new_password": "a much better passphrase"}
        wrong = change | {"current_password": "not the password"}
        assert (
            here.post("/api/v1/me/password", json=wrong, headers={"X-CSRF-Token": csrf}).status_code
            == 401
        )
        answer = here.post("/api/v1/me/password", json=change, headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 204, answer.text
        assert who(here) == "user:ana"
        assert who(there) == "public"
    with pytest.raises(Exception, match="wrong user name or password"):
        accounts.authenticate(store, "ana", PASSWORD)
    assert accounts.authenticate(store, "ana", "a much better passphrase").username == "ana"
    (event,) = _audit(store, "user.password_changed")
    assert event["details"] == {"sessions_ended": 1}
    assert "better" not in json.dumps(event)


def test_pfund_users_password_changes_it_and_ends_every_session(
    store: Runtime, web: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pfund.cli.app import app

    sign_in(web, "ana")
    monkeypatch.setenv("PFUND_NEW_PASSWORD", "another good passphrase")
    result = CliRunner().invoke(app, ["--db", database_url, "users", "password", "ana"])
    assert result.exit_code == 0, result.output
    assert "another good passphrase" not in result.output
    assert who(web) == "public"
    assert accounts.authenticate(store, "ana", "another good passphrase").username == "ana"


def test_the_cli_lists_issues_with_days_and_revokes_tokens(
    store: Runtime, database_url: str
) -> None:
    from typer.testing import CliRunner

    from pfund.cli.app import app

    def cli(*args: str) -> Any:
        result = CliRunner().invoke(app, ["--db", database_url, *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    issued = cli("users", "token", "ana", "--days", "3", "--json")
    listed = cli("users", "tokens", "ana", "--json")
    assert [t["token_id"] for t in listed] == [issued["token_id"]]
    assert issued["token"] not in json.dumps(listed)
    users = {u["username"]: u["valid_tokens"] for u in cli("users", "list", "--json")}
    assert users == {"ada": 0, "ana": 1}
    assert cli("users", "revoke", issued["token_id"], "--json")["revoked"] == [issued["token_id"]]
    assert accounts.user_for_token(store, issued["token"]) is None
    assert cli("users", "revoke", "--user", "ana", "--json")["revoked"] == 0


# -- a forged cookie --------------------------------------------------------------------


def source_strings() -> set[str]:
    """Every string literal in the package's source."""
    found: set[str] = set()
    for path in Path(pfund.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def forge(secret: str, data: dict[str, str]) -> str:
    """A session cookie as Starlette's SessionMiddleware signs one."""
    payload = base64.b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(secret).sign(payload).decode()


def actors_of_cookies(
    client: TestClient, cookies: list[str], peer: str = "198.51.100.7"
) -> list[str]:
    """``who`` for each cookie sent alone (as ``replay`` then ``who``) by ``peer`` (as
    ``app_client``'s), each request sent to the client's app directly in one event loop:
    the same middleware and routes, without the test client's hop to its own thread for
    each request, which costs a third of the CPU time of the ten thousand requests the
    forged-cookie test sends."""

    async def send_each() -> list[str]:
        transport = httpx.ASGITransport(
            app=client.app,
            raise_app_exceptions=False,
            client=(peer, 40000),
        )
        actors = []
        async with httpx.AsyncClient(transport=transport, base_url=str(client.base_url)) as to:
            for cookie in cookies:
                answer = await to.get(ME, headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
                ok = answer.status_code == 200
                actors.append(str(answer.json()["actor"]) if ok else str(answer.status_code))
        return actors

    return asyncio.run(send_each())


def test_a_cookie_signed_with_any_string_of_the_source_is_refused(
    store: Runtime, web: TestClient
) -> None:
    admin = accounts.get_user(store, "ada")
    assert admin is not None
    # Give the forger a real session id, so that only the signature stands in the way.
    data = {"user": "ada", "sid": accounts.start_session(store, admin), "csrf": "x"}
    genuine = forge(store.keys.secret_key, data)
    replay(web, genuine)
    assert who(web) == "user:ada"  # the harness can tell an accepted cookie
    candidates = sorted(source_strings() | {DEVELOPMENT_SECRET})
    assert len(candidates) > 1000
    # The same requests, sent at once: the genuine cookie first and last shows that this
    # way too tells an accepted cookie (and that the session lasted through the others).
    actors = actors_of_cookies(web, [genuine, *(forge(s, data) for s in candidates), genuine])
    assert actors[0] == actors[-1] == "user:ada"
    accepted = [
        secret for secret, actor in zip(candidates, actors[1:-1], strict=True) if actor != "public"
    ]
    assert accepted == []
    replay(web, forge(DEVELOPMENT_SECRET, data))
    new = {"username": "intruder", "password": PASSWORD, "roles": ["admin"]}
    assert web.post("/api/v1/users", json=new, headers={"X-CSRF-Token": "x"}).status_code == 401
    assert accounts.get_user(store, "intruder") is None


# -- sign-in back-off ---------------------------------------------------------------------


def _try(client: TestClient, username: str, password: str) -> int:
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return int(answer.status_code)


def test_sign_in_backs_off_per_account_across_two_apps_on_one_database(
    database_url: str, store: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    authenticate = accounts.authenticate

    def spy(rt: Runtime, username: str, password: str) -> User:
        checked.append(username)
        return authenticate(rt, username, password)

    monkeypatch.setattr(accounts, "authenticate", spy)
    # Two runtimes, two engines: as two worker processes would have.
    other = open_runtime(settings_of(database_url))
    limits = {"signin_attempts": 3, "signin_attempts_per_address": 100}
    try:
        clients = [
            app_client(rt, database_url, peer=f"203.0.113.{n}", **limits)
            for n, rt in ((1, store), (2, other))
        ]
        # A success clears the account's count: two failures, a success, two more.
        assert [_try(clients[n % 2], "ana", "wrong password!") for n in range(2)] == [401, 401]
        assert _try(clients[0], "ana", PASSWORD) == 200
        assert [_try(clients[n % 2], "ana", "wrong password!") for n in range(3)] == [401] * 3
        before = len(checked)
        fourth = clients[1].post(
            "/api/v1/auth/token", data={"username": "ana", "password": PASSWORD}
        )
        assert fourth.status_code == 429
        assert 0 < int(fourth.headers["retry-after"]) <= 30
        assert _try(clients[0], "ana", PASSWORD) == 429  # from the other app and address
        assert len(checked) == before  # refused before the password was checked
        assert _try(clients[0], "ada", PASSWORD) == 200  # another account is not held
        page = clients[1].get("/signin")
        signin = {"username": "ana", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        answer = clients[1].post("/signin", data=signin, follow_redirects=False)
        assert answer.status_code == 429 and "retry-after" in answer.headers
        assert who(clients[1]) == "public"
    finally:
        other.close()


def test_sign_in_backs_off_per_address_and_keeps_no_address(
    database_url: str, store: Runtime
) -> None:
    limits = {"signin_attempts": 100, "signin_attempts_per_address": 3}
    with (
        app_client(store, database_url, peer="192.0.2.44", **limits) as near,
        app_client(store, database_url, peer="192.0.2.45", **limits) as far,
    ):
        names = ["ana", "ada", "nobody"]
        assert [_try(near, name, "wrong password!") for name in names] == [401] * 3
        assert _try(near, "ada", PASSWORD) == 429
        assert _try(far, "ada", PASSWORD) == 200  # another address is not held
    with store.uow() as uow:
        keys = uow.session.execute(select(table(RateLimitRow).c.key)).scalars().all()
    assert keys and not any("192.0.2" in k or "ana" in k or "nobody" in k for k in keys)


def test_sign_in_back_off_doubles_and_forgets_after_success(store: Runtime) -> None:
    from pfund.services.throttle import begin_signin, signin_succeeded

    limits = SigninLimits(per_account=2, per_address=100)
    start = 1_900_000_000.0
    begin_signin(store, "ana", "a", limits, now=start)
    begin_signin(store, "ana", "a", limits, now=start)  # the 2nd failure starts a 30 s wait
    with pytest.raises(TooManyAttempts) as first:
        begin_signin(store, "ana", "a", limits, now=start + 10)
    assert first.value.retry_after == 20
    begin_signin(store, "ana", "a", limits, now=start + 30)  # 3rd: 60 s
    with pytest.raises(TooManyAttempts) as second:
        begin_signin(store, "ana", "a", limits, now=start + 31)
    assert second.value.retry_after == 59
    attempt = begin_signin(store, "ana", "a", limits, now=start + 90)
    signin_succeeded(store, attempt, now=start + 90)
    begin_signin(store, "ana", "a", limits, now=start + 91)  # counted from zero again


# -- the proposal limit in the database ---------------------------------------------------


def test_the_proposal_limit_is_shared_by_every_runtime_on_the_database(
    store: Runtime, database_url: str
) -> None:
    other = open_runtime(settings_of(database_url))
    try:
        count_proposal(store, "192.0.2.9", per_hour=2, now=1_900_000_000)
        count_proposal(other, "192.0.2.9", per_hour=2, now=1_900_000_100)
        with pytest.raises(TooManyAttempts) as refused:
            count_proposal(store, "192.0.2.9", per_hour=2, now=1_900_000_200)
        assert refused.value.retry_after == 3400
        count_proposal(other, "192.0.2.10", per_hour=2, now=1_900_000_200)
        count_proposal(other, "192.0.2.9", per_hour=2, now=1_900_003_600)  # a new hour
    finally:
        other.close()


# -- which address a request counts against -------------------------------------------------


def request_from(peer: str, forwarded: str | None, proxies: list[str]) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    app = SimpleNamespace(state=SimpleNamespace(settings=Settings(trusted_proxies=proxies)))
    scope = {"type": "http", "client": (peer, 1234), "headers": headers, "app": app}
    return Request(scope)


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("198.51.100.7", "203.0.113.9", [], "198.51.100.7"),  # no proxies configured
        ("127.0.0.1", "203.0.113.9", [], "127.0.0.1"),  # loopback is not trusted by default
        ("198.51.100.7", "203.0.113.9", ["10.0.0.0/8"], "198.51.100.7"),  # untrusted peer
        ("10.0.0.5", "203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),  # from a trusted proxy
        ("10.0.0.5", "1.2.3.4, 203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),  # spoofed left
        ("10.0.0.5", "203.0.113.9, 10.0.0.7", ["10.0.0.0/8"], "203.0.113.9"),  # proxy chain
        ("10.0.0.5", "not-an-address", ["10.0.0.0/8"], "10.0.0.5"),
        ("10.0.0.5", None, ["10.0.0.0/8"], "10.0.0.5"),
        ("::1", "2001:db8::1", ["::1"], "2001:db8::1"),
    ],
)
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    peer: str, forwarded: str | None, proxies: list[str], expected: str
) -> None:
    assert client_address(request_from(peer, forwarded, proxies)) == expected


def test_trusted_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PFUND_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    assert Settings().trusted_proxies == ["10.0.0.1", "192.168.0.0/16"]
    monkeypatch.setenv("PFUND_TRUSTED_PROXIES", "not a network")
    with pytest.raises(ValueError, match="not an address"):
        Settings()


def test_a_forwarded_address_counts_only_through_a_trusted_proxy(
    store: Runtime, database_url: str
) -> None:
    limits = {"signin_attempts": 100, "signin_attempts_per_address": 1}
    spoof = {"X-Forwarded-For": "203.0.113.1"}
    with app_client(store, database_url, peer="198.51.100.7", **limits) as direct:
        assert (
            direct.post(
                "/api/v1/auth/token", data={"username": "x", "password": "y"}, headers=spoof
            ).status_code
            == 401
        )
        other = {"X-Forwarded-For": "203.0.113.2"}
        answer = direct.post(
            "/api/v1/auth/token", data={"username": "ada", "password": PASSWORD}, headers=other
        )
        assert answer.status_code == 429  # the header changed nothing: one address
    with app_client(
        store, database_url, peer="10.0.0.5", trusted_proxies=["10.0.0.0/8"], **limits
    ) as proxied:
        assert (
            proxied.post(
                "/api/v1/auth/token", data={"username": "x", "password": "y"}, headers=spoof
            ).status_code
            == 401
        )
        other = {"X-Forwarded-For": "203.0.113.2"}
        answer = proxied.post(
            "/api/v1/auth/token", data={"username": "ada", "password": PASSWORD}, headers=other
        )
        assert answer.status_code == 200  # a different client behind the proxy
        answer = proxied.post(
            "/api/v1/auth/token", data={"username": "ada", "password": PASSWORD}, headers=spoof
        )
        assert answer.status_code == 429


def _audit(rt: Runtime, action: str) -> list[dict[str, Any]]:
    with rt.uow() as uow:
        events = uow.audit.list()
    return [e.model_dump(mode="json") for e in events if e.action == action]


# -- the installation's secret ----------------------------------------------------------


def test_pfund_init_creates_the_keys_file_readable_by_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    from typer.testing import CliRunner

    from pfund.cli.app import app

    keys = tmp_path / "conf" / "pfund.keys"
    monkeypatch.setenv("PFUND_KEYS_FILE", str(keys))
    monkeypatch.delenv("PFUND_SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'f.db'}", "init"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    secret = json.loads(keys.read_text())["secret_key"]
    assert len(secret) >= 32 and secret not in source_strings()


@pytest.mark.parametrize(
    ("secret", "host", "refused"),
    [
        ("change-me", "0.0.0.0", True),
        (DEVELOPMENT_SECRET, "192.0.2.1", True),
        ("short but not a known one", "::", True),
        ("change-me", "127.0.0.1", False),
        ("change-me", "localhost", False),
        ("change-me", "::1", False),
        ("k" * 40, "0.0.0.0", False),
        (None, "0.0.0.0", False),  # the keys file's random secret
    ],
)
def test_serve_refuses_a_placeholder_secret_except_on_loopback(
    secret: str | None,
    host: str,
    refused: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from pfund.cli.app import app

    served: list[dict[str, Any]] = []

    def never_serve(config: object) -> int:
        served.append(vars(config))
        return 0

    monkeypatch.setattr("pfund.cli.serving._run_one", never_serve)
    if secret is None:
        monkeypatch.delenv("PFUND_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("PFUND_SECRET_KEY", secret)
    db = f"sqlite:///{tmp_path / 'f.db'}"
    assert CliRunner().invoke(app, ["--db", db, "init"]).exit_code == 0  # serve needs a store
    result = CliRunner().invoke(app, ["--db", db, "serve", "--host", host])
    if refused:
        assert result.exit_code == 1
        assert "PFUND_SECRET_KEY" in result.output and not served
        assert "development mode" not in result.output
    else:
        assert result.exit_code == 0, result.output
        assert served and served[0]["proxy_headers"] is False
