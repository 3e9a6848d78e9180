"""A web service over a copy of the sample fund, with one account for each role.

The sample fund is loaded, appraised, optimised and approved once per test session
(about 20 s); each test gets its own copy of that SQLite file, so tests can change it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.domain import Contributor
from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo import load_demo
from pfund.services.funding import record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.tranches import approve
from pfund.settings import Settings
from tests.api.inprocess import InProcessClient

PASSWORD = "correct horse battery staple"
ROLES = {
    "ada": [Role.ADMIN],
    "ana": [Role.ANALYST],
    "rev": [Role.REVIEWER],
    "rev2": [Role.REVIEWER],
    "comp": [Role.COMPLIANCE],
}


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, actor="test:setup")


@pytest.fixture(scope="session")
def unapproved_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample fund with accounts, contributions received and one portfolio run."""
    path = tmp_path_factory.mktemp("unapproved") / "pfund.db"
    rt = open_runtime(settings_for(f"sqlite:///{path}"))
    try:
        load_demo(rt)
        for name, roles in ROLES.items():
            accounts.add_user(rt, name, PASSWORD, roles=roles, display_name=name.title())
        year = max(c.year for c in _contributors(rt))
        record_contributions(rt, year=year, received=True)
        run_portfolio(rt, appraise_pipeline(load_inputs(rt)), time_limit=20)
    finally:
        rt.close()
    return path


@pytest.fixture(scope="session")
def demo_template(unapproved_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same with its run (OPT-0001) approved, so money is committed."""
    path = tmp_path_factory.mktemp("approved") / "pfund.db"
    shutil.copy(unapproved_template, path)
    rt = open_runtime(settings_for(f"sqlite:///{path}"))
    try:
        with pytest.MonkeyPatch.context() as patch:  # approved directly: see committee_gate
            patch.setattr("pfund.services.tranches.approving_committee", lambda _rt: None)
            approve(rt, "OPT-0001")
    finally:
        rt.close()
    return path


def _contributors(rt: Runtime) -> list[Contributor]:
    with rt.uow() as uow:
        return uow.reference.contributors()


@pytest.fixture
def db_url(demo_template: Path, tmp_path: Path) -> str:
    copy = tmp_path / "pfund.db"
    shutil.copy(demo_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app_rt(db_url: str) -> Iterator[Runtime]:
    rt = open_runtime(settings_for(db_url))
    yield rt
    rt.close()


@pytest.fixture
def client(db_url: str, app_rt: Runtime) -> Iterator[TestClient]:
    app = create_app(settings_for(db_url), runtime=app_rt)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def unapproved_client(unapproved_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A service over the sample fund whose portfolio run is not approved yet."""
    copy = tmp_path / "unapproved.db"
    shutil.copy(unapproved_template, copy)
    settings = settings_for(f"sqlite:///{copy}")
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


Headers = dict[str, str]


@pytest.fixture
def token_for(client: TestClient) -> Callable[[str], Headers]:
    def issue(username: str) -> Headers:
        answer = client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    return issue


def sign_in(client: TestClient | InProcessClient, username: str) -> None:
    """Sign in through the page, as a browser would (CSRF token from the form)."""
    page = client.get("/signin")
    token = csrf_of(page.text)
    answer = client.post(
        "/signin",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/staff"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def csrf_of(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
