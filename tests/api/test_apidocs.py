"""The API reference is served by the service itself and works with no other host.

Swagger UI (``/docs``) names only paths of this service, each of which answers; in a
real browser under the service's Content-Security-Policy, with every request to another
host refused, it lists the API's operations and nothing is blocked. The screenshot is
kept in test-artifacts/apidocs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, Page, Route

from pfund.api import create_app
from pfund.api.apidocs import DOCS_URL
from tests.api.browsing import ARTIFACTS, DESKTOP, chromium, serving
from tests.api.conftest import settings_for

# Every address the page names: src= and href= attributes, and the document's URL.
LINKED = re.compile(r'\b(?:src|href|data-openapi)="([^"]*)"')
SHOTS = ARTIFACTS / "apidocs"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings_for(f"sqlite:///{tmp_path / 'pfund.db'}")))


def test_the_reference_page_names_only_paths_of_this_service_and_each_answers(
    client: TestClient,
) -> None:
    answer = client.get(DOCS_URL)
    assert answer.status_code == 200
    linked = LINKED.findall(answer.text)
    assert len(linked) >= 3, linked  # the document, the bundle, the favicon at least
    for address in linked:
        assert address.startswith("/") and not address.startswith("//"), address
        assert client.get(address).status_code == 200, address
    assert "http://" not in answer.text and "https://" not in answer.text


def test_the_start_script_is_a_script_of_this_origin_and_asks_no_validator(
    client: TestClient,
) -> None:
    answer = client.get(f"{DOCS_URL}/start.js")
    assert answer.headers["content-type"].startswith("text/javascript")
    assert "validatorUrl: null" in answer.text
    csp = client.get(DOCS_URL).headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src" not in csp  # no inline script


def _offline(page: Page, base: str) -> tuple[list[str], list[str]]:
    """Refuse every request to another host; collect those and the console's errors."""
    elsewhere: list[str] = []
    errors: list[str] = []

    def route(r: Route) -> None:
        if r.request.url.startswith(base):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.route("**/*", route)
    page.on("console", console)
    return elsewhere, errors


def test_swagger_ui_works_in_a_browser_with_no_other_host(tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serving(tmp_path / "pfund.db") as base, chromium() as browser:
        page = browser.new_page(viewport=DESKTOP)
        elsewhere, errors = _offline(page, base)
        page.goto(f"{base}{DOCS_URL}")
        page.wait_for_selector(".opblock-summary-path")  # the operations are listed
        assert page.locator(".opblock").count() > 50
        page.locator(".opblock-summary").first.click()  # an operation opens
        page.wait_for_selector(".opblock-body")
        page.screenshot(path=str(SHOTS / "swagger.png"), full_page=False)
        assert not elsewhere, f"requests to other hosts: {elsewhere}"
        assert not errors, f"console errors (a CSP refusal shows here): {errors}"
