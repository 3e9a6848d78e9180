"""A runtime over each test database, initialised with the bundled fund."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pfund.services.runtime import Runtime
from pfund.services.setup import init_fund


@pytest.fixture
def rt(engine: Engine, session_factory: sessionmaker[Session]) -> Runtime:
    runtime = Runtime(engine=engine, sessions=session_factory, actor="test:analyst")
    init_fund(runtime)
    return runtime
