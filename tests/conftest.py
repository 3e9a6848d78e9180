"""Database fixtures shared by every test: each store test runs on SQLite and PostgreSQL.

PostgreSQL runs when ``PFUND_TEST_POSTGRES_URL`` names a server (each test gets a fresh
``public`` schema there). Without it the PostgreSQL half is skipped on a laptop but fails
in CI (``CI`` set), so a misconfigured pipeline can never pass by skipping. Under
pytest-xdist each worker has a database of its own beside the configured one (``test``
becomes ``test_gw0``, ``test_gw1``, ...), created when missing, so that one worker's
schema reset never drops the tables of another's test.
"""

from __future__ import annotations

import os

# The suite runs the screening engine's Python modules, which tests may patch; the
# compiled engine is compared with them in tests/screening/test_compiled_engine.py.
# Set before pfund is imported (``pfund.screening.engine`` reads it once).
os.environ.setdefault("PFUND_PURE_PYTHON", "1")

import contextlib
import functools
import logging
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from pfund.services import accounts
from pfund.store import UnitOfWork, make_engine, make_session_factory, upgrade

POSTGRES_URL_VAR = "PFUND_TEST_POSTGRES_URL"

# One keys file for the whole run of this process (and the servers and commands it
# starts, which inherit the environment), so that every runtime, unit of work and CLI
# call on a test database agrees on the audit and data keys. Never the developer's own.
os.environ["PFUND_KEYS_FILE"] = str(
    Path(tempfile.mkdtemp(prefix="pfund-test-keys-")) / "pfund.keys"
)


# argon2 as a fund stores passwords (argon2-cffi's defaults: 64 MiB, 3 passes, 4 lanes) costs
# 0.18 CPU s a hash or a check, and the tests sign in, issue tokens and add accounts
# thousands of times. In this process passwords are hashed at argon2's least cost (the
# same argon2id, salt and verification; only the work factor differs, which no test's
# behaviour depends on), as ``PRODUCTION_HASHER``'s parameters are checked on their own
# (tests/services/test_password_hashing.py). Commands and servers that tests start in
# other processes keep the real cost: a hash made here is verified there, and rehashed
# there at the fund's cost (``check_needs_rehash``), as after a change of parameters.
PRODUCTION_HASHER = accounts._hasher
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
accounts._DUMMY_HASH = accounts._hasher.hash("not a password of anyone")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_INSTALL = "apt-get install -y chromium"
# ``tests/test_screening_instructions.py`` runs the instruction count under callgrind.
VALGRIND = Path("/usr/bin/valgrind")
VALGRIND_INSTALL = "apt-get install -y valgrind"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Make sure the tests have the programs they run before any test runs.

    On a fresh machine a missing chromium would otherwise surface as dozens of browser
    test errors. As root with apt-get at hand each is installed (as ``.ci/run`` does);
    otherwise the run stops at once with the one command that installs it.
    """
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller has checked already
    needed = (
        (CHROMIUM, CHROMIUM_INSTALL, "the browser tests need"),
        (VALGRIND, VALGRIND_INSTALL, "the instruction count's test needs"),
    )
    for path, install, needed_by in needed:
        problem = ensure_installed(path, install=install, needed_by=needed_by)
        if problem is not None:
            pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


def ensure_installed(
    path: Path, *, install: str = CHROMIUM_INSTALL, needed_by: str = "the browser tests need"
) -> str | None:
    """None when the program is there (or could be installed); else what to run."""
    if path.exists():
        return None
    apt = shutil.which("apt-get")
    if apt is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": False}
        done = subprocess.run([apt, *install.split()[1:]], **quiet)  # type: ignore[call-overload]
        if done.returncode != 0:
            subprocess.run([apt, "update", "-q"], **quiet)  # type: ignore[call-overload]
            subprocess.run([apt, *install.split()[1:]], **quiet)  # type: ignore[call-overload]
        if path.exists():
            return None
    return f"{needed_by} {path.name} at {path}, which is missing; install it with: {install}"


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_URL_VAR)
    if url:
        return _worker_database(url, os.environ.get("PYTEST_XDIST_WORKER"))
    message = f"set {POSTGRES_URL_VAR} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot be skipped in CI: {message}")
    pytest.skip(f"PostgreSQL tests skipped: {message}")


@functools.cache
def _worker_database(url: str, worker: str | None) -> str:
    """The configured database, or under xdist the worker's own beside it, made if missing.

    Either way its commits no longer wait for the server to flush its log to disk
    (``synchronous_commit = off``, for sessions opened from now on). That only says what
    a crash of the server would lose, which no test makes happen: what a committed
    transaction shows to others, locks and isolation are as before. On a busy disk each
    commit otherwise waits milliseconds, and the store tests commit tens of thousands of
    times.
    """
    configured = make_url(url)
    name = configured.database if worker is None else f"{configured.database}_{worker}"
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    finally:
        engine.dispose()
    if worker is None:
        return url
    return configured.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    """Drop everything a previous test left behind, so each test starts empty."""
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


# Fixtures whose database is a copy of a template built once per process (see
# ``database_from_template``): when a test uses one, ``database_url`` leaves the reset of
# the PostgreSQL schema to it, as the copy replaces the whole database anyway.
TEMPLATED_FIXTURES = (
    "engine",
    "demo_db",
    "demo_rt",
    "optimised_rt",
    "approved_rt",
    "optimised_db",
)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in tmp_path, or a clean PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pfund.db'}"
    url = _postgres_url()
    if not any(name in request.fixturenames for name in TEMPLATED_FIXTURES):
        _reset_postgres(url)
    return url


# Templates built in this process: what they were built by, and where they are (a SQLite
# file, or a PostgreSQL database beside the worker's own).
_TEMPLATES: dict[tuple[str, str], str] = {}

Build = Callable[[str], None]


def database_from_template(
    url: str, name: str, build: Build, *, base: tuple[str, Build] | None = None
) -> None:
    """Make the test's database at ``url`` a copy of template ``name``, built by ``build``.

    ``build(template_url)`` runs once per process (per xdist worker) and backend, on an
    empty database of its own, or with ``base=(name, build)`` on a copy of that other
    template (itself built once), so a state made in steps builds each step once; each
    test then gets a fresh copy of the template, so what a test changes never reaches
    another. A copy is much cheaper than running the migrations (and, for the demo,
    loading the sample fund, running and approving a portfolio) again for every test.
    SQLite: the file is copied. PostgreSQL: the test's database is dropped and created
    again from the template (``CREATE DATABASE ... TEMPLATE``), with its settings as in
    ``_worker_database``.
    """
    template = _template(url, name, build, base)
    if url.startswith("sqlite"):
        target = Path(make_url(url).database or "")
        for leftover in (target, *(Path(f"{target}{end}") for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return
    database = make_url(url).database
    with _maintenance(url) as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
        connection.execute(text(f'ALTER DATABASE "{database}" SET synchronous_commit TO off'))


@contextlib.contextmanager
def _maintenance(url: str) -> Iterator[Connection]:
    """A connection to the server's maintenance database: a database cannot be dropped,
    or copied, from inside."""
    configured = make_url(url).set(database="postgres")
    engine = make_engine(configured.render_as_string(hide_password=False))
    try:
        with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _template(url: str, name: str, build: Build, base: tuple[str, Build] | None) -> str:
    """Where template ``name`` is for the backend of ``url`` (built on first use)."""
    sqlite = url.startswith("sqlite")
    key = ("sqlite" if sqlite else url, name)
    if key in _TEMPLATES:
        return _TEMPLATES[key]
    start = None if base is None else _template(url, *base, None)
    if sqlite:
        folder = Path(tempfile.mkdtemp(prefix=f"pfund-template-{name}-"))
        template_file = folder / "pfund.db"
        if start is not None:
            shutil.copyfile(start, template_file)
        build(f"sqlite:///{template_file}")
        with contextlib.closing(sqlite3.connect(template_file)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the one file
        _TEMPLATES[key] = str(template_file)
        return _TEMPLATES[key]
    configured = make_url(url)
    template = f"{configured.database}_template_{name}"
    copy_of = "" if start is None else f' TEMPLATE "{start}"'
    with _maintenance(url) as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{template}"{copy_of}'))
        connection.execute(text(f'ALTER DATABASE "{template}" SET synchronous_commit TO off'))
    build(configured.set(database=template).render_as_string(hide_password=False))
    with _maintenance(url) as connection:  # a template copies only when unused
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": template},
        )
    _TEMPLATES[key] = template
    return template


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the latest revision (a copy of one migrated
    once per process: ``database_from_template``)."""
    database_from_template(database_url, "migrated", _migrate)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def make_uow(session_factory: sessionmaker[Session]) -> Callable[[], UnitOfWork]:
    """A factory of units of work: ``with make_uow() as uow: ...; uow.commit()``."""

    def factory() -> UnitOfWork:
        return UnitOfWork(session_factory, require_audit=False)  # repositories' own tests

    return factory


@pytest.fixture
def uow(make_uow: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    """The same factory as ``make_uow``, under the shorter name."""
    return make_uow


# The day the money gate sees unless a test sets another (``today(date(...))``): after
# every date the shipped tests use for conditions and tranche years, so no test depends
# on the day it runs.
GATE_TODAY = date(2030, 6, 1)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """Fix the gate's clock (``pfund.services.gate.today``); call the fixture to move it."""

    def set_today(day: date) -> None:
        monkeypatch.setattr("pfund.services.gate.today", lambda: day)

    set_today(GATE_TODAY)
    return set_today


@pytest.fixture(autouse=True)
def committee_gate(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample fund has its joint committee approve portfolio runs (``fund.yaml``,
    ``approves_portfolio: true``). Tests about approval itself (money, tranches, races,
    pages) approve runs directly, as a fund with that switch off does; tests of the gate
    and of the demo keep the sample's policy with ``@pytest.mark.committee_gate``. (A
    ``pfund`` run in a subprocess keeps the policy: pass the committee first there.)"""
    if request.node.get_closest_marker("committee_gate") is None:
        monkeypatch.setattr("pfund.services.tranches.approving_committee", lambda _rt: None)


# Loggers that ``pfund serve``'s logging configuration sets (``pfund.api.logs``):
# building a uvicorn ``Config`` in a test applies it to the whole process (``pfund``
# stops propagating to the root), which a later test of what reaches the log would see.
_CONFIGURED_LOGGERS = ("", "pfund", "uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """Put the loggers a test reconfigured back as they were."""
    saved = [
        (logger, list(logger.handlers), list(logger.filters), logger.level, logger.propagate)
        for logger in map(logging.getLogger, _CONFIGURED_LOGGERS)
    ]
    yield
    for logger, handlers, filters, level, propagate in saved:
        logger.handlers[:] = handlers
        logger.filters[:] = filters
        logger.setLevel(level)
        logger.propagate = propagate
