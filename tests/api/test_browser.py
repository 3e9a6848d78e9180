"""The whole service in a real browser (Debian's chromium, driven by Playwright).

A staff member signs in, imports proposals, optimises, approves and releases and pays a
tranche; then, signed out, the public sees the result in English and Russian and
downloads the IATI file, which validates; a proposal sent through the public form
reaches the staff queue. Screenshots of each step are kept in test-artifacts/browser.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from lxml import etree
from playwright.sync_api import Browser, Page, expect, sync_playwright

from pfund.api import create_app
from pfund.io.iati import activities_schema
from tests.api.conftest import PASSWORD, settings_for

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CASES = Path(__file__).resolve().parents[1] / "cases"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def listening_socket() -> socket.socket:
    """A loopback socket on a port the system chose, already listening.

    The server is handed the socket itself rather than its port number, so no other
    process (another pytest-xdist worker, say) can take the port in between.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.fixture
def server(unapproved_template: Path, tmp_path: Path) -> Iterator[str]:
    """The service on a loopback port, over a copy of the unapproved sample fund."""
    copy = tmp_path / "browser.db"
    shutil.copy(unapproved_template, copy)
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(settings_for(f"sqlite:///{copy}")),
        log_level="warning",
        access_log=False,
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if served.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(60_000)
    yield opened
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/staff")


def test_staff_import_optimise_approve_pay_then_the_public_sees_it(page: Page, server: str) -> None:
    sign_in(page, server, "ana")
    shot(page, "01-workspace")
    page.goto(f"{server}/staff/import")
    page.select_option("select[name=kind]", "projects")
    page.set_input_files("input[name=file]", str(CASES / "browser_projects.csv"))
    page.click("button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("Imported 2 projects")
    shot(page, "02-imported")

    page.goto(f"{server}/staff")
    page.fill("input[name=time_limit]", "15")
    page.click("text=Optimise the portfolio")
    page.wait_for_selector("#result", timeout=180_000)  # the page refreshes itself
    shot(page, "03-optimised")
    page.click("#result")
    page.click("#approve")
    expect(page.locator(".notice")).to_contain_text("approved")
    shot(page, "04-approved")

    page.goto(f"{server}/staff/tranches?project=EDU-WEB-01")
    release = page.locator("button[id^=release-EDU-WEB-01]").first
    tranche = (release.get_attribute("id") or "").removeprefix("release-")
    release.click()
    expect(page.locator(".notice")).to_contain_text(f"{tranche} released")
    page.click(f"#disburse-{tranche}")
    expect(page.locator(".notice")).to_contain_text(f"{tranche} disbursed")
    shot(page, "05-paid")
    page.click("text=Sign out")

    page.goto(f"{server}/projects/EDU-WEB-01?lang=en")
    expect(page.locator("dl.facts")).to_contain_text("$1,000,000")  # paid: the first tranche
    shot(page, "06-public-project-en")
    page.goto(f"{server}/projects/EDU-WEB-01?lang=ru")
    expect(page.locator("h1")).to_have_text("Обмен учителями со школами Финляндии")
    shot(page, "07-public-project-ru")
    page.goto(f"{server}/decisions")
    expect(page.locator("table")).to_contain_text("да")  # approved, and still in Russian
    page.goto(f"{server}/?lang=en")
    shot(page, "08-home-en")

    answer = page.request.get(f"{server}/api/v1/iati.xml")
    assert answer.ok
    document = etree.fromstring(answer.body())
    activities_schema().assertValid(document)
    assert any(i.text and i.text.endswith("EDU-WEB-01") for i in document.iter("iati-identifier"))


def test_a_proposal_sent_in_russian_reaches_the_staff_queue(page: Page, server: str) -> None:
    page.goto(f"{server}/propose?lang=ru")
    page.fill("input[name=title]", "Чистая вода для Кимр")
    page.fill("textarea[name=description]", "Двенадцать скважин для сёл без чистой питьевой воды.")
    page.select_option("select[name=area]", "health")
    page.select_option("select[name=regions]", "RU-TVE")
    page.fill("input[name=first_year]", "2030")
    page.fill("input[name=years]", "2")
    page.fill("input[name=cost_low]", "400000")
    page.fill("input[name=cost_likely]", "500000")
    page.fill("input[name=cost_high]", "700000")
    page.fill("input[name=contact_name]", "Ольга Тестова")
    page.fill("input[name=contact_email]", "olga@example.org")
    shot(page, "10-proposal-form-ru")
    page.click("button[type=submit]")
    thanks = page.locator("main p").first.inner_text()
    reference = next(word.rstrip(".") for word in thanks.split() if word.startswith("WEB-"))
    shot(page, "11-proposal-sent-ru")
    sign_in(page, server, "ana")
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).not_to_contain_text("Ольга")
    shot(page, "12-staff-queue")
