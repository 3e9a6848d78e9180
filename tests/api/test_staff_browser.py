"""The staff pages in a real browser, in English and Russian, on a desk and a phone:
the tranches list with its filters, pager and reasons, a refused release, the compare
view, the reviews page, the screening queue, the password page and the import form.
Screenshots go to test-artifacts/staff; no page scrolls sideways at 390 px."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from pfund.services.runtime import open_runtime
from tests.api.browsing import serving
from tests.api.conftest import PASSWORD, settings_for
from tests.api.test_browser import browser  # noqa: F401 (fixture)
from tests.api.test_staff_pages import SAMPLE, _second_run

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "staff"
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def approved_server(demo_template: Path, tmp_path: Path) -> Iterator[str]:
    """The service over a copy of the approved sample fund, with a second run to compare."""
    copy = tmp_path / "staff.db"
    shutil.copy(demo_template, copy)
    rt = open_runtime(settings_for(f"sqlite:///{copy}"))
    try:
        _second_run(rt)
    finally:
        rt.close()
    with serving(copy) as base:
        yield base


def _signed_in(browser: Browser, base: str, user: str, phone: bool = False) -> Page:  # noqa: F811
    context = browser.new_context(
        java_script_enabled=False, locale="en-GB", viewport=PHONE if phone else None
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/signin")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/staff")
    return page


def _look(page: Page, base: str, path: str, name: str) -> None:
    """Visit ``path`` in both languages, keep a screenshot of each, and check that a
    phone-sized page does not scroll sideways."""
    for lang in ("en", "ru"):
        glue = "&" if "?" in path else "?"
        page.goto(f"{base}{path}{glue}lang={lang}")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"] if page.viewport_size else 0
        suffix = "-390" if width == PHONE["width"] else ""
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}{suffix}.png"), full_page=True)
        if suffix:
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= PHONE["width"], f"{path} ({lang}) is {overflow} px wide"


def _tranche_card(page: Page, base: str, phone: bool) -> None:
    """On a phone a tranche is a card without the column heads: its stage says it is one
    and a dot parts it from the status, so "2 planned" does not read as a count (ui17);
    on a desk the heads say it and the cells hold the bare values."""
    for lang, stage in (("en", "Stage"), ("ru", "Этап")):
        page.goto(f"{base}/staff/tranches?status=planned&lang={lang}")
        row = page.locator("table.tranches tbody tr").first
        label = row.locator("td", has=page.locator(".card-label")).nth(1).locator(".card-label")
        status = row.locator("td.status")
        dot = status.evaluate("td => getComputedStyle(td, '::before').content")
        if phone:
            expect(label).to_be_visible()
            expect(label).to_have_text(f"{stage} ")
            assert dot == '"· "', dot
        else:
            expect(label).to_be_hidden()
            assert dot in ("none", "normal"), dot


def test_staff_pages_in_both_languages_on_a_desk_and_a_phone(
    browser: Browser,  # noqa: F811
    approved_server: str,
) -> None:
    base = approved_server
    for phone in (False, True):
        page = _signed_in(browser, base, "ana", phone)
        _look(page, base, "/staff", "01-dashboard-analyst")
        _look(page, base, "/staff/tranches", "02-tranches")
        _tranche_card(page, base, phone)
        _look(page, base, "/staff/tranches?status=planned&year=2030&page=2", "03-tranches-filtered")
        _look(page, base, "/staff/compare?a=OPT-0001&b=OPT-0900", "04-compare")
        _look(page, base, "/staff/reviews", "05-reviews-analyst")
        _look(page, base, "/staff/password", "10-password")
        _look(page, base, "/staff/import", "11-import")
        page.context.close()

    page = _signed_in(browser, base, "ana")
    page.goto(f"{base}/staff/tranches?status=planned&lang=en")
    held = page.locator("div.held").first
    tranche = (held.get_attribute("id") or "").removeprefix("held-")
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        f"{base}/staff/tranches/{tranche}/release",
        form={"csrf_token": csrf or "", "back": "/staff/tranches?status=planned"},
        headers={"referer": f"{base}/staff/tranches?status=planned"},
    )
    assert answer.status == 409
    page.set_content(answer.text())  # what the browser shows after the refused form
    page.screenshot(path=str(ARTIFACTS / "06-refused-release-en.png"), full_page=True)
    page.goto(f"{base}/staff/reviews?lang=en")
    assign = page.locator("form[method=post][action='/staff/reviews']")
    assign.locator("input[name=project_id]").fill("GOV-MED-01")
    assign.locator("input[name=reviewer]").fill("rev")
    page.click('button:text-is("Assign")')
    expect(page.locator(".notice")).to_contain_text("rev assigned")
    page.context.close()

    for phone in (False, True):
        page = _signed_in(browser, base, "comp", phone)
        page.goto(f"{base}/staff/screening")
        page.set_input_files("input[name=file]", str(SAMPLE))
        page.click('button:text-is("Load")')
        page.click("text=Screen every counterparty")
        _look(page, base, "/staff/screening", "07-screening")
        page.context.close()
        page = _signed_in(browser, base, "rev", phone)
        _look(page, base, "/staff", "08-dashboard-reviewer")
        _look(page, base, "/staff/reviews", "09-reviews-reviewer")
        if not phone:
            box = page.locator("label.choice").first.bounding_box()
            radio = page.locator("label.choice input[type=radio]").first.bounding_box()
            assert box and radio and abs(radio["y"] - box["y"]) < box["height"] / 2  # beside
        page.context.close()
