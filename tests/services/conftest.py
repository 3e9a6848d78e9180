"""A runtime over each test database, initialised with the bundled fund."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo import load_demo
from pfund.services.funding import record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime
from pfund.services.setup import init_fund
from pfund.services.tranches import approve
from pfund.store import make_engine, make_session_factory, upgrade
from tests.conftest import GATE_TODAY, database_from_template

ACTOR = "test:analyst"


@pytest.fixture
def rt(engine: Engine, session_factory: sessionmaker[Session]) -> Runtime:
    runtime = Runtime(engine=engine, sessions=session_factory, actor=ACTOR)
    init_fund(runtime)
    return runtime


def _sample_fund(url: str) -> None:
    """What ``rt`` followed by ``load_demo(rt)`` makes, on an empty database (on the
    gate's usual day, whichever test happens to build the template)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        runtime = Runtime(engine=engine, sessions=make_session_factory(engine), actor=ACTOR)
        init_fund(runtime)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("pfund.services.gate.today", lambda: GATE_TODAY)
            load_demo(runtime)
    finally:
        engine.dispose()


def _approved_fund(url: str) -> None:
    """On a copy of the sample fund: 2023's contributions received, a portfolio run (20 s
    time limit; the solver proves the sample's optimum in well under a second) and its
    approval, as tests that approve directly do (no committee: see ``committee_gate``),
    on the gate's usual day, whichever test happens to build the template."""
    engine = make_engine(url)
    try:
        runtime = Runtime(engine=engine, sessions=make_session_factory(engine), actor=ACTOR)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("pfund.services.tranches.approving_committee", lambda _rt: None)
            patch.setattr("pfund.services.gate.today", lambda: GATE_TODAY)
            record_contributions(runtime, year=2023, received=True)
            pa = appraise_pipeline(load_inputs(runtime))
            report, _ = run_portfolio(runtime, pa, time_limit=20)
            approve(runtime, report.record_id)
    finally:
        engine.dispose()


def _sample_run(url: str) -> None:
    """On a copy of the sample fund: one portfolio run (OPT-0001, 10 s time limit), not
    approved, on the gate's usual day, whichever test happens to build the template."""
    engine = make_engine(url)
    try:
        runtime = Runtime(engine=engine, sessions=make_session_factory(engine), actor=ACTOR)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("pfund.services.gate.today", lambda: GATE_TODAY)
            run_portfolio(runtime, appraise_pipeline(load_inputs(runtime)), time_limit=10)
    finally:
        engine.dispose()


def _runtime(request: pytest.FixtureRequest, url: str) -> Iterator[Runtime]:
    if "engine" in request.fixturenames:
        raise pytest.UsageError(f"{request.fixturename} makes the test's database: no engine/rt")
    engine = make_engine(url)
    yield Runtime(engine=engine, sessions=make_session_factory(engine), actor=ACTOR)
    engine.dispose()


@pytest.fixture
def demo_rt(request: pytest.FixtureRequest, database_url: str) -> Iterator[Runtime]:
    """``rt`` with the sample fund loaded (``load_demo``): a copy of a database loaded
    once per process (``database_from_template``), not loaded again for every test."""
    database_from_template(database_url, "sample_fund", _sample_fund)
    yield from _runtime(request, database_url)


@pytest.fixture
def optimised_rt(request: pytest.FixtureRequest, database_url: str) -> Iterator[Runtime]:
    """``demo_rt`` with one portfolio run, not approved (``_sample_run``): a copy of a
    database made so once per process."""
    sample = ("sample_fund", _sample_fund)
    database_from_template(database_url, "sample_run", _sample_run, base=sample)
    yield from _runtime(request, database_url)


@pytest.fixture
def approved_rt(request: pytest.FixtureRequest, database_url: str) -> Iterator[Runtime]:
    """``demo_rt`` with contributions received and a portfolio run approved
    (``_approved_fund``): a copy of a database made so once per process."""
    sample = ("sample_fund", _sample_fund)
    database_from_template(database_url, "approved_fund", _approved_fund, base=sample)
    yield from _runtime(request, database_url)
