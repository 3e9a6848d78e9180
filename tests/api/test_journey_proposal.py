"""A proposal's journey in a real browser, in Russian, from the form to the public page.

The proposer sends a proposal in Russian and checks its status with the code alone; an
analyst reads its page and assigns a reviewer; the reviewer opens it from their reviews,
declares no conflict and scores it; compliance clears any screening hit; the analyst
takes it in (it stays off the portal) and publishes it; the public then reads it in
Russian on a phone-sized page. Then the analyst optimises, the board approves, finance
releases and pays its first tranche, and the public sees it in progress, paid, on the
phone. Each step is photographed into test-artifacts/journey.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.api.test_browser import browser, server, sign_in  # noqa: F401 (fixtures)

JOURNEY = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"
WATCHLIST = str(files("pfund") / "data" / "rpf" / "watchlists" / "sample.ftm.json")
TITLE_RU = "Чистая вода для сёл Тверской области"


@pytest.fixture
def russian(browser: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    context = browser.new_context(locale="ru-RU", viewport={"width": 1100, "height": 900})
    yield context
    context.close()


def shot(page: Page, name: str) -> None:
    JOURNEY.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEY / f"{name}.png"), full_page=True)


def new_page(context: BrowserContext) -> Page:
    opened = context.new_page()
    opened.set_default_timeout(60_000)
    return opened


def sign_out(page: Page) -> None:
    page.click("form[action='/signout'] button")


def test_a_proposal_from_the_russian_form_to_the_public_page(
    russian: BrowserContext,
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
) -> None:
    proposer = new_page(russian)
    proposer.goto(f"{server}/propose?lang=ru")
    proposer.fill("input[name=title]", "Clean water for villages of the Tver region")
    proposer.fill("input[name=title_ru]", TITLE_RU)
    proposer.fill(
        "textarea[name=description]", "Двенадцать скважин для сёл без чистой питьевой воды."
    )
    proposer.select_option("select[name=area]", "health")
    proposer.select_option("select[name=regions]", "RU-TVE")
    proposer.fill("input[name=first_year]", "2030")
    proposer.fill("input[name=years]", "2")
    proposer.fill("input[name=cost_low]", "400000")
    proposer.fill("input[name=cost_likely]", "500000")
    proposer.fill("input[name=cost_high]", "700000")
    proposer.fill("input[name=people_reached]", "9000")
    proposer.fill("input[name=organisation]", "Тверская вода")
    proposer.fill("input[name=contact_name]", "Зинаида Небывалова")  # on the sample list
    proposer.fill("input[name=contact_email]", "olga@example.org")
    proposer.click("button[type=submit]")
    code = proposer.locator("#reference-code").inner_text()
    expect(proposer.locator("h1")).to_contain_text("Спасибо")
    shot(proposer, "01-proposer-sent-ru")
    project_id = next(
        w.rstrip(".") for w in proposer.locator("main").inner_text().split() if w.startswith("WEB-")
    )

    proposer.goto(f"{server}/proposals/status")
    proposer.fill("input[name=code]", code)
    proposer.click("button[type=submit]")
    expect(proposer.locator("#proposal-status")).to_have_text("подано")
    expect(proposer.locator("main")).to_contain_text("Сотрудники фонда изучают")
    shot(proposer, "02-proposer-status-ru")

    staff = new_page(russian)
    sign_in(staff, server, "comp")  # the fund's watchlist, as compliance keeps it
    staff.goto(f"{server}/staff/screening")
    staff.set_input_files("form[action='/staff/screening/watchlists'] input[type=file]", WATCHLIST)
    staff.click("form[action='/staff/screening/watchlists'] button")
    expect(staff.locator(".notice")).to_be_visible()
    sign_out(staff)

    sign_in(staff, server, "ana")
    staff.click(f"a[href='/staff/proposals/{project_id}']")
    expect(staff.locator("main")).to_contain_text("Двенадцать скважин")
    expect(staff.locator("main")).to_contain_text("Тверская область")
    expect(staff.locator("main")).not_to_contain_text("Зинаида")  # analysts: no contact
    staff.select_option("select[name=reviewer]", "rev")
    staff.click("#assign")
    expect(staff.locator(".notice")).to_have_text("назначен рецензент")
    shot(staff, "03-analyst-reads-and-assigns-ru")
    sign_out(staff)

    sign_in(staff, server, "rev")
    staff.goto(f"{server}/staff/reviews")
    staff.click(f"a[href='/staff/proposals/{project_id}']")
    expect(staff.locator("h1")).to_have_text(TITLE_RU)
    staff.click("#declare")
    for field in staff.locator("input[name^=score_]").all():
        field.fill("7")
    staff.fill("textarea[name=comment]", "Нужная работа, разумная смета.")
    shot(staff, "04-reviewer-scores-ru")
    staff.click("#submit-scores")
    expect(staff.locator("main")).to_contain_text("Нужная работа")
    sign_out(staff)

    sign_in(staff, server, "ana")
    staff.goto(f"{server}/staff/proposals/{project_id}")
    staff.click("#accept")
    expect(staff.locator("#status")).to_have_text("предложено")
    expect(staff.locator("#published")).to_contain_text("не опубликовано")
    shot(staff, "05-analyst-took-it-in-ru")
    hits = [h.get_attribute("data-hit") for h in staff.locator("#screening li").all()]
    sign_out(staff)

    if hits:  # compliance decides every hit on the proposer before it goes further
        sign_in(staff, server, "comp")
        staff.goto(f"{server}/staff/proposals/{project_id}")
        expect(staff.locator("main")).to_contain_text("olga@example.org")  # may read it
        shot(staff, "06-compliance-reads-contact-ru")
        for hit in hits:
            staff.goto(f"{server}/staff/screening")
            form = staff.locator(f"form[action='/staff/screening/hits/{hit}']")
            form.locator("[name=reason]").fill("другой человек: другая дата рождения")
            staff.click(f"#dismiss-{hit}")
        staff.goto(f"{server}/staff/proposals/{project_id}")
        expect(staff.locator("#screening")).not_to_contain_text("решить")
        expect(staff.locator("#screening")).to_contain_text("снято")
        shot(staff, "07-compliance-cleared-ru")
        sign_out(staff)

    public = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    try:
        reader = new_page(public)
        answer = reader.goto(f"{server}/projects/{project_id}?lang=ru")
        assert answer is not None and answer.status == 404  # taken in, not published
        sign_in(staff, server, "ana")
        staff.goto(f"{server}/staff/proposals/{project_id}")
        staff.click("#publish")
        expect(staff.locator("#published")).to_contain_text("опубликовано")
        shot(staff, "08-analyst-published-ru")
        reader.goto(f"{server}/projects/{project_id}?lang=ru")
        expect(reader.locator("h1")).to_have_text(TITLE_RU)
        shot(reader, "09-public-project-ru-390")

        # The analyst optimises the portfolio; the board approves it; finance releases
        # and pays the project's first tranche, all from the pages, in Russian.
        staff.goto(f"{server}/staff")
        staff.fill("input[name=time_limit]", "15")
        staff.click("form[action='/staff/optimise'] button")
        staff.wait_for_selector("#result", timeout=180_000)  # the page refreshes itself
        staff.click("#result")
        expect(staff.locator("main")).to_contain_text(TITLE_RU)  # chosen, by its title
        shot(staff, "10-analyst-optimised-ru")
        staff.click("#approve")
        expect(staff.locator(".notice")).to_be_visible()
        shot(staff, "11-board-approved-ru")
        staff.goto(f"{server}/staff/tranches?project={project_id}")
        release = staff.locator(f"button[id^=release-{project_id}]").first
        tranche = (release.get_attribute("id") or "").removeprefix("release-")
        release.click()
        expect(staff.locator(f"#disburse-{tranche}")).to_be_visible()
        staff.click(f"#disburse-{tranche}")
        expect(staff.locator(f"#tranche-{tranche}")).to_contain_text("выплачено")
        shot(staff, "12-finance-paid-ru")

        reader.goto(f"{server}/projects/{project_id}?lang=ru")
        expect(reader.locator("main")).to_contain_text("выполняется")  # in progress
        expect(reader.locator("main")).to_contain_text("500 000")  # the paid tranche
        assert reader.evaluate("document.documentElement.scrollWidth <= innerWidth")
        shot(reader, "13-public-sees-it-paid-ru-390")
    finally:
        public.close()
