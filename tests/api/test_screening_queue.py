"""The screening queue at scale: a page of it costs the same few statements however
many hits wait, on SQLite and PostgreSQL alike, and its filters ignore case."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from pfund.api import create_app
from pfund.domain.account import Role
from pfund.services import accounts, hit_review
from pfund.services.filters import HitFilter
from pfund.services.imports import import_organisations
from pfund.services.runtime import Runtime
from pfund.services.screening import load_watchlist
from pfund.services.setup import init_fund
from pfund.settings import Settings
from tests.api.conftest import PASSWORD

SAMPLE = Path(str(files("pfund.data") / "rpf" / "watchlists" / "sample.ftm.json"))
PAGE = 25


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs, in order."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def add_newsrooms(rt: Runtime, folder: Path, first: int, count: int) -> None:
    """``count`` organisations named like the sample watchlist's Wolga Free Press, each
    one hit once the watchlist is loaded (or, when it is, on import)."""
    rows = [f"N-{n:04d},Volga Free Press,ngo,RU,governance" for n in range(first, first + count)]
    path = folder / f"newsrooms-{first}.csv"
    path.write_text("id,name,kind,country,areas\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_organisations(rt, path)


@pytest.fixture
def compliance(
    database_url: str, engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[tuple[TestClient, Runtime]]:
    """A service over a fund with 30 newsrooms and the sample watchlist, signed in as
    compliance."""
    rt = Runtime(engine=engine, sessions=session_factory, actor="test:setup")
    init_fund(rt)
    add_newsrooms(rt, tmp_path, 0, 30)
    load_watchlist(rt, SAMPLE)
    accounts.add_user(rt, "comp", PASSWORD, roles=[Role.COMPLIANCE])
    app = create_app(Settings(database_url=database_url), runtime=rt)
    with TestClient(app, raise_server_exceptions=False) as client:
        form = client.get("/signin").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed = {"username": "comp", "password": PASSWORD, "csrf_token": token}
        assert client.post("/signin", data=signed, follow_redirects=False).status_code == 303
        yield client, rt


def rows_of(page: str) -> int:
    return page.count('<tr id="hit-')


def measured(client: TestClient, engine: Engine, url: str) -> tuple[str, list[str]]:
    """The page at ``url`` and the statements it cost, once the caches a write empties
    (the audit head in the footer, the session) are warm again."""
    client.get(url)
    with statements(engine) as sent:
        page = client.get(url).text
    return page, sent


def test_a_page_of_the_queue_costs_the_same_statements_for_30_or_300_hits(
    compliance: tuple[TestClient, Runtime], engine: Engine, tmp_path: Path
) -> None:
    client, rt = compliance
    page, few = measured(client, engine, f"/staff/screening?per_page={PAGE}")
    assert rows_of(page) == PAGE and "Showing 1–25 of 30" in page
    assert len(few) < PAGE  # fewer statements than rows: none is sent per hit

    add_newsrooms(rt, tmp_path, 30, 270)  # screened on import: 270 more hits
    total, _ = hit_review.review_page(rt, limit=0)
    assert total == 300
    for number in (1, 7):
        page, many = measured(client, engine, f"/staff/screening?per_page={PAGE}&page={number}")
        assert rows_of(page) == PAGE and f"of {total}" in page
        assert len(many) == len(few), "\n".join(many)


def test_the_queue_with_decisions_reads_them_in_one_statement_per_page(
    compliance: tuple[TestClient, Runtime], engine: Engine, tmp_path: Path
) -> None:
    _, rt = compliance
    for item in hit_review.review_queue(rt)[:10]:
        hit_review.decide(rt, item.hit, "dismiss", "another newsroom")
    with statements(engine) as few:
        total, items = hit_review.review_page(rt, everything=True, limit=PAGE)
    assert len(items) == PAGE and sum(1 for i in items if i.decisions) == 10
    add_newsrooms(rt, tmp_path, 30, 120)
    with statements(engine) as many:
        more, items = hit_review.review_page(rt, everything=True, limit=PAGE, offset=PAGE)
    assert more == total + 120 and len(items) == PAGE
    assert len(many) == len(few) <= 6


def test_the_queue_filters_ignore_case_and_page_in_the_store(
    compliance: tuple[TestClient, Runtime],
) -> None:
    client, rt = compliance
    total, _ = hit_review.review_page(rt, filters=HitFilter.of(" SAMPLE ", "Organisation"), limit=0)
    assert total == 30
    page = client.get("/staff/screening?watchlist=Sample&kind=ORGANISATION&per_page=25&page=2")
    assert rows_of(page.text) == 5 and "Showing 26–30 of 30" in page.text
    assert 'value="sample" selected' in page.text
    assert 'href="/staff/screening?watchlist=Sample&amp;kind=ORGANISATION&amp;page=1' in page.text
    none, _ = hit_review.review_page(rt, filters=HitFilter.of("other"), limit=0)
    assert none == 0
    past = client.get("/staff/screening?per_page=25&page=99").text
    assert "Showing 26–30 of 30" in past  # a page past the end is the last
