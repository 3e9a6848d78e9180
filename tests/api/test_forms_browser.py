"""The money side's staff forms in a real browser (Debian's chromium, headless, no
JavaScript): an analyst draws up an agreement for an approved project and records its
signature; a company list with an unknown status is refused on the page, row by row.
The three pages, in English and Russian, on a desk and a phone, are kept as
screenshots (test-artifacts/forms) and none scrolls sideways at 390 px."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.browsing import DESKTOP, PHONE, serving
from tests.api.conftest import PASSWORD
from tests.api.test_browser import browser  # noqa: F401 (fixture)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "forms"
PAGES = {
    "agreements": "/staff/agreements",
    "loans": "/staff/loans",
    "companies": "/staff/companies",
}
BAD_LIST = "Company,Status,Country\nNova Ferries AS,exited,Norway\nOrca AB,gone,Sweden\n"


@pytest.fixture
def server(demo_template: Path, tmp_path: Path) -> Iterator[str]:
    copy = tmp_path / "forms.db"
    shutil.copy(demo_template, copy)
    with serving(copy) as base:
        yield base


def _analyst(browser: Browser, base: str, phone: bool) -> Page:  # noqa: F811
    context = browser.new_context(
        java_script_enabled=False, locale="en-GB", viewport=PHONE if phone else DESKTOP
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/signin")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/staff")
    return page


def _shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width == PHONE["width"]:
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide"


def test_an_agreement_is_drawn_up_and_signed_in_the_browser(
    browser: Browser,  # noqa: F811
    server: str,
) -> None:
    page = _analyst(browser, server, phone=True)
    page.goto(f"{server}/staff/agreements?lang=en")
    project = page.locator("select[name=project_id] option").first.get_attribute("value")
    page.select_option("select[name=project_id]", project)
    page.fill("#draw-up input[name=ends_on]", "2031-12-31")
    page.fill("#draw-up input[name=reporting_duties]", "Six-monthly progress reports")
    page.click("#draw-up button")
    expect(page.locator("p.notice")).to_contain_text(f"AGR-0001 drawn up for {project}")
    page.fill("#sign-AGR-0001 input[name=signed_on]", "2027-01-20")
    page.click("#sign-AGR-0001 button")
    expect(page.locator("p.notice")).to_contain_text("AGR-0001 changed: version 2")
    expect(page.locator("#agreement-AGR-0001")).to_contain_text("signed")
    page.goto(f"{server}/staff/agreements?lang=ru")
    expect(page.locator("#extend-AGR-0001 button")).to_have_text("Продлить")


def test_a_refused_list_and_the_three_pages_in_both_languages_and_widths(
    browser: Browser,  # noqa: F811
    server: str,
    tmp_path: Path,
) -> None:
    bad = tmp_path / "kse.csv"
    bad.write_text(BAD_LIST)
    for phone in (False, True):
        page = _analyst(browser, server, phone)
        size = "390" if phone else "desktop"
        for lang in ("en", "ru"):
            for name, path in PAGES.items():
                page.goto(f"{server}{path}?lang={lang}")
                _shoot(page, f"{name}-{lang}-{size}")
            page.select_option("#upload select[name=tracker]", "kse")
            page.set_input_files("#upload input[name=file]", str(bad))
            page.fill("#upload input[name=source]", "KSE Institute")
            page.click("#upload button")
            alert = page.locator("#upload .errors")
            expect(alert).to_contain_text("3")
            expect(alert).to_contain_text(
                "неизвестный статус" if lang == "ru" else "unknown status"
            )
            _shoot(page, f"companies-refused-{lang}-{size}")
