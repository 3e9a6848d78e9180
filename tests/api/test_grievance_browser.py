"""A grievance filed in Russian on a phone, in a real browser (Debian's chromium), and
followed up with its tracking code: the reporter finds the form from the portal's
footer, files it anonymously with a photo, adds to it with the code, and reads the
integrity officer's acknowledgement. Every page fits a 390 px screen. Screenshots are
kept in test-artifacts/grievances."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.runtime import open_runtime
from tests.api.browsing import ARTIFACTS, DESKTOP, PHONE, browser, overflow, serving, sign_in
from tests.api.conftest import PASSWORD, settings_for

__all__ = ["browser"]  # the module-scoped chromium fixture
SHOTS = ARTIFACTS / "grievances"


@pytest.fixture(scope="module")
def site(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    copy = tmp_path_factory.mktemp("grievances") / "pfund.db"
    shutil.copy(demo_template, copy)
    rt = open_runtime(settings_for(f"sqlite:///{copy}"))
    try:
        accounts.add_user(rt, "integ", PASSWORD, roles=[Role.INTEGRITY])
    finally:
        rt.close()
    with serving(copy) as base:
        yield base


def _fits(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert overflow(page) == [], name


def test_a_grievance_filed_in_russian_is_followed_up_with_its_code(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    photo = tmp_path / "фото.jpg"
    Image.new("RGB", (32, 24), "red").save(photo, format="JPEG")
    reporter = browser.new_context(viewport=PHONE, locale="ru-RU")
    page = reporter.new_page()
    page.goto(f"{site}/")
    page.get_by_role("link", name="Сообщить о нарушении").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Сообщить о нарушении")
    _fits(page, "form-ru")
    page.get_by_label("Преследование того, кто сообщил о нарушении").check()
    page.fill(
        "textarea[name=description]",
        "После жалобы на приписки прораба перевели в ночную смену и пригрозили увольнением.",
    )
    page.set_input_files("input[name=evidence]", str(photo))
    page.click("#send-grievance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Спасибо: ваше сообщение получено")
    code = page.locator("#tracking-code").inner_text()
    assert len(code.replace("-", "")) == 20
    _fits(page, "filed-ru")

    page.goto(f"{site}/grievances/status")
    page.get_by_label("Код отслеживания").fill(code.lower())
    page.click("#show-status")
    expect(page.locator("#grievance-status")).to_have_text("получено")
    assert code not in page.url
    page.fill("textarea[name=text]", "Свидетелей двое, оба готовы говорить.")
    page.click("#add-information")
    expect(page.locator("#added")).to_be_visible()
    expect(page.get_by_text("Вы дополнили сообщение")).to_be_visible()
    _fits(page, "status-ru")

    staff = browser.new_context(viewport=DESKTOP)
    officer = staff.new_page()
    sign_in(officer, site, "integ")
    officer.goto(f"{site}/staff/grievances")
    officer.locator("tbody tr").first.get_by_role("link").click()
    expect(officer.locator("#grievance-status")).to_have_text("received")
    expect(officer.get_by_text("anonymous", exact=True)).to_be_visible()
    officer.fill("textarea[name=reason]", "Получено; поговорим со свидетелями.")
    officer.click("#move")
    expect(officer.locator("#grievance-status")).to_have_text("acknowledged")
    staff.close()

    page.goto(f"{site}/grievances/status")
    page.get_by_label("Код отслеживания").fill(code)
    page.click("#show-status")
    expect(page.locator("#grievance-status")).to_have_text("получение подтверждено")
    expect(page.get_by_text("Получено; поговорим со свидетелями.")).to_be_visible()
    _fits(page, "acknowledged-ru")
    for path in ("/grievances/statistics", "/grievances/new?lang=en"):
        page.goto(f"{site}{path}")
        _fits(page, path.strip("/").replace("/", "-").replace("?lang=", "-"))
    reporter.close()


def test_the_english_form_fits_a_phone(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{site}/grievances/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report wrongdoing")
    _fits(page, "form-en")
    page.goto(f"{site}/grievances/statistics")
    _fits(page, "statistics-en")
    context.close()
