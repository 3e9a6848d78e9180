"""A runtime over each test database, initialised with the bundled fund."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pfund.services.demo import load_demo
from pfund.services.runtime import Runtime
from pfund.services.setup import init_fund
from pfund.store import make_engine, make_session_factory, upgrade
from tests.conftest import database_from_template

ACTOR = "test:analyst"


@pytest.fixture
def rt(engine: Engine, session_factory: sessionmaker[Session]) -> Runtime:
    runtime = Runtime(engine=engine, sessions=session_factory, actor=ACTOR)
    init_fund(runtime)
    return runtime


def _sample_fund(url: str) -> None:
    """What ``rt`` followed by ``load_demo(rt)`` makes, on an empty database."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        runtime = Runtime(engine=engine, sessions=make_session_factory(engine), actor=ACTOR)
        init_fund(runtime)
        load_demo(runtime)
    finally:
        engine.dispose()


@pytest.fixture
def demo_rt(request: pytest.FixtureRequest, database_url: str) -> Iterator[Runtime]:
    """``rt`` with the sample fund loaded (``load_demo``): a copy of a database loaded
    once per process (``database_from_template``), not loaded again for every test."""
    if "engine" in request.fixturenames:
        raise pytest.UsageError("demo_rt makes the test's database: use it without engine/rt")
    database_from_template(database_url, "sample_fund", _sample_fund)
    engine = make_engine(database_url)
    yield Runtime(engine=engine, sessions=make_session_factory(engine), actor=ACTOR)
    engine.dispose()
