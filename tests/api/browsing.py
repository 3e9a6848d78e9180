"""What the browser tests of whole pages share: the service on a loopback port over a
copy of the approved sample fund, the system chromium, signing in, and a check for a
page wider than a phone's screen that names the element responsible."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from pfund.api import create_app
from pfund.services import reviews, screening
from pfund.services.runtime import open_runtime
from tests.api.conftest import PASSWORD, settings_for
from tests.api.test_browser import CHROMIUM, FLAGS, listening_socket

WATCHLIST = Path(str(files("pfund.data") / "rpf" / "watchlists" / "sample.ftm.json"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE: ViewportSize = {"width": 390, "height": 844}
NARROW: ViewportSize = {"width": 360, "height": 780}  # the narrowest phones in common use
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def busy_copy(template: Path, folder: Path) -> Path:
    """A copy of the approved sample fund with work in every staff queue: screening hits
    to review (a watchlist loaded and every counterparty screened) and a review assigned
    to ``rev``, so the pages show their forms and tables, not their empty states."""
    copy = folder / "busy.db"
    shutil.copy(template, copy)
    rt = open_runtime(settings_for(f"sqlite:///{copy}"))
    try:
        screening.load_watchlist(rt, WATCHLIST)
        screening.screen_all(rt)
        with rt.uow() as uow:
            first = uow.projects.list()[0].id
        reviews.assign(rt, first, "rev")
    finally:
        rt.close()
    return copy


def proper_names(template: Path) -> frozenset[str]:
    """Names the data gives in one form only, so a page in either language shows them as
    given: organisations' public names and the names of the listed watchlist entities."""
    rt = open_runtime(settings_for(f"sqlite:///{template}"))
    try:
        with rt.uow() as uow:
            names = {o.public_name() for o in uow.organisations.list()}
    finally:
        rt.close()
    for line in WATCHLIST.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entity = json.loads(line)
            names.update(entity.get("properties", {}).get("name", []))
    return frozenset(names)


@contextmanager
def serving(store: Path | str) -> Iterator[str]:
    """The real service over ``store`` (a SQLite file or a database URL) on a loopback
    socket, until the block ends; yields its address. Requests run on its thread pool."""
    url = store if isinstance(store, str) else f"sqlite:///{store}"
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(settings_for(url)), log_level="warning", access_log=False)
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(400):
        if served.started:
            break
        time.sleep(0.05)
    assert served.started, "the service did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless; a clear failure when it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def sign_in(page: Page, base: str, username: str) -> None:
    """Through the sign-in page, as a person would; the workspace opens."""
    page.goto(f"{base}/signin")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff")


_OVERFLOW = (Path(__file__).parent / "overflow.js").read_text(encoding="utf-8")


def overflow(page: Page) -> list[str]:
    """Empty when the page fits the screen; otherwise how wide it is and what is to blame
    (see overflow.js)."""
    found: list[str] = page.evaluate(_OVERFLOW)
    return found


# Fixtures for the modules that browse the busy copy; each module that imports them gets
# its own server (module scope), so tests in different modules never share a store.
@pytest.fixture(scope="module")
def busy_site(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over a busy copy of the approved sample fund; its address."""
    with serving(busy_copy(demo_template, tmp_path_factory.mktemp("busy"))) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
