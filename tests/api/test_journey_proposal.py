"""A proposal's journey in a real browser, in Russian and in English, from the form to
the public page.

The proposer sends a proposal in the run's language and checks its status with the code alone; an
analyst reads its page and assigns a reviewer; the reviewer opens it from their reviews,
declares no conflict and scores it; compliance clears any screening hit; the analyst
takes it in (it stays off the portal) and publishes it; the public then reads it in
that language on a phone-sized page. Then the analyst optimises, the board approves, finance
releases and pays its first tranche, and the public sees it in progress, paid, on the
phone. Each step is photographed into test-artifacts/journey, named with its language.

The interface texts the run looks for come from the catalog (``say``: the English
message, in Russian through the same catalog the pages use); what the people type, and
names the data gives, from a small table per language. Both runs share one browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from pfund.web import i18n
from tests.api.test_browser import browser, server, sign_in  # noqa: F401 (fixtures)

JOURNEY = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"
WATCHLIST = str(files("pfund") / "data" / "rpf" / "watchlists" / "sample.ftm.json")
TITLE_EN = "Clean water for villages of the Tver region"
# What people type and what the data names, per language; interface texts come from
# the catalog through ``say``.
WORDS = {
    "ru": {
        "locale": "ru-RU",
        "title": "Чистая вода для сёл Тверской области",
        "description": "Двенадцать скважин для сёл без чистой питьевой воды.",
        "organisation": "Тверская вода",
        "region": "Тверская область",  # regions.csv
        "comment": "Нужная работа, разумная смета.",
        "reason": "другой человек: другая дата рождения",
        "paid": "500 000",
    },
    "en": {
        "locale": "en-GB",
        "title": TITLE_EN,
        "description": "Twelve boreholes for villages without clean drinking water.",
        "organisation": "Tver Water",
        "region": "Tver Oblast",
        "comment": "Needed work, a sensible budget.",
        "reason": "another person: another date of birth",
        "paid": "500,000",
    },
}


def say(lang: str, message: str) -> str:
    """An interface text as the pages in ``lang`` show it: the catalog's translation."""
    return i18n.translations(lang).gettext(message)


@pytest.fixture
def staff_context(browser: Browser, lang: str) -> Iterator[BrowserContext]:  # noqa: F811
    context = browser.new_context(
        locale=WORDS[lang]["locale"], viewport={"width": 1100, "height": 900}
    )
    yield context
    context.close()


def shot(page: Page, name: str, lang: str) -> None:
    JOURNEY.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEY / f"{name}-{lang}.png"), full_page=True)


def new_page(context: BrowserContext) -> Page:
    opened = context.new_page()
    opened.set_default_timeout(60_000)
    return opened


def sign_out(page: Page) -> None:
    page.click("form[action='/signout'] button")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_proposal_from_the_form_to_the_public_page(
    lang: str,
    staff_context: BrowserContext,
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
) -> None:
    words = WORDS[lang]
    title = words["title"]
    proposer = new_page(staff_context)
    proposer.goto(f"{server}/propose?lang={lang}")
    proposer.fill("input[name=title]", TITLE_EN)
    if lang == "ru":
        proposer.fill("input[name=title_ru]", title)
    proposer.fill("textarea[name=description]", words["description"])
    proposer.select_option("select[name=area]", "health")
    proposer.select_option("select[name=regions]", "RU-TVE")
    proposer.fill("input[name=first_year]", "2030")
    proposer.fill("input[name=years]", "2")
    proposer.fill("input[name=cost_low]", "400000")
    proposer.fill("input[name=cost_likely]", "500000")
    proposer.fill("input[name=cost_high]", "700000")
    proposer.fill("input[name=people_reached]", "9000")
    proposer.fill("input[name=organisation]", words["organisation"])
    proposer.fill("input[name=contact_name]", "Зинаида Небывалова")  # on the sample list
    proposer.fill("input[name=contact_email]", "olga@example.org")
    proposer.click("button[type=submit]")
    code = proposer.locator("#reference-code").inner_text()
    expect(proposer.locator("h1")).to_contain_text(say(lang, "Thank you"))
    shot(proposer, "01-proposer-sent", lang)
    project_id = next(
        w.rstrip(".") for w in proposer.locator("main").inner_text().split() if w.startswith("WEB-")
    )

    proposer.goto(f"{server}/proposals/status")
    proposer.fill("input[name=code]", code)
    proposer.click("button[type=submit]")
    expect(proposer.locator("#proposal-status")).to_have_text(say(lang, "submitted"))
    expect(proposer.locator("main")).to_contain_text(
        say(lang, "The fund's staff are reading your proposal.")
    )
    shot(proposer, "02-proposer-status", lang)

    staff = new_page(staff_context)
    sign_in(staff, server, "comp")  # the fund's watchlist, as compliance keeps it
    staff.goto(f"{server}/staff/screening")
    staff.set_input_files("form[action='/staff/screening/watchlists'] input[type=file]", WATCHLIST)
    staff.click("form[action='/staff/screening/watchlists'] button")
    expect(staff.locator(".notice")).to_be_visible()
    sign_out(staff)

    sign_in(staff, server, "ana")
    staff.click(f"a[href='/staff/proposals/{project_id}']")
    expect(staff.locator("main")).to_contain_text(words["description"])
    expect(staff.locator("main")).to_contain_text(words["region"])
    expect(staff.locator("main")).not_to_contain_text("Зинаида")  # analysts: no contact
    staff.select_option("select[name=reviewer]", "rev")
    staff.click("#assign")
    expect(staff.locator(".notice")).to_have_text(say(lang, "reviewer assigned"))
    shot(staff, "03-analyst-reads-and-assigns", lang)
    sign_out(staff)

    sign_in(staff, server, "rev")
    staff.goto(f"{server}/staff/reviews")
    staff.click(f"a[href='/staff/proposals/{project_id}']")
    expect(staff.locator("h1")).to_have_text(title)
    staff.click("#declare")
    for field in staff.locator("input[name^=score_]").all():
        field.fill("7")
    staff.fill("textarea[name=comment]", words["comment"])
    shot(staff, "04-reviewer-scores", lang)
    staff.click("#submit-scores")
    expect(staff.locator("main")).to_contain_text(words["comment"])
    sign_out(staff)

    sign_in(staff, server, "ana")
    staff.goto(f"{server}/staff/proposals/{project_id}")
    staff.click("#accept")
    expect(staff.locator("#status")).to_have_text(say(lang, "proposed"))
    expect(staff.locator("#published")).to_contain_text(say(lang, "not published"))
    shot(staff, "05-analyst-took-it-in", lang)
    hits = [h.get_attribute("data-hit") for h in staff.locator("#screening li").all()]
    sign_out(staff)

    if hits:  # compliance decides every hit on the proposer before it goes further
        sign_in(staff, server, "comp")
        staff.goto(f"{server}/staff/proposals/{project_id}")
        expect(staff.locator("main")).to_contain_text("olga@example.org")  # may read it
        shot(staff, "06-compliance-reads-contact", lang)
        for hit in hits:
            staff.goto(f"{server}/staff/screening")
            form = staff.locator(f"form[action='/staff/screening/hits/{hit}']")
            form.locator("[name=reason]").fill(words["reason"])
            staff.click(f"#dismiss-{hit}")
        staff.goto(f"{server}/staff/proposals/{project_id}")
        expect(staff.locator("#screening")).not_to_contain_text(say(lang, "open, to decide"))
        expect(staff.locator("#screening")).to_contain_text(say(lang, "dismissed"))
        shot(staff, "07-compliance-cleared", lang)
        sign_out(staff)

    public = browser.new_context(locale=words["locale"], viewport={"width": 390, "height": 844})
    try:
        reader = new_page(public)
        answer = reader.goto(f"{server}/projects/{project_id}?lang={lang}")
        assert answer is not None and answer.status == 404  # taken in, not published
        sign_in(staff, server, "ana")
        staff.goto(f"{server}/staff/proposals/{project_id}")
        staff.click("#publish")
        expect(staff.locator("#published")).to_contain_text(say(lang, "published"))
        expect(staff.locator("#published")).not_to_contain_text(say(lang, "not published"))
        shot(staff, "08-analyst-published", lang)
        reader.goto(f"{server}/projects/{project_id}?lang={lang}")
        expect(reader.locator("h1")).to_have_text(title)
        shot(reader, "09-public-project-390", lang)

        # The analyst optimises the portfolio; the board approves it; finance releases
        # and pays the project's first tranche, all from the pages, in the run's language.
        staff.goto(f"{server}/staff")
        staff.fill("input[name=time_limit]", "15")
        staff.click("form[action='/staff/optimise'] button")
        staff.wait_for_selector("#result", timeout=180_000)  # the page refreshes itself
        staff.click("#result")
        expect(staff.locator("main")).to_contain_text(title)  # chosen, by its title
        shot(staff, "10-analyst-optimised", lang)
        staff.click("#approve")
        expect(staff.locator(".notice")).to_be_visible()
        shot(staff, "11-board-approved", lang)
        staff.goto(f"{server}/staff/tranches?project={project_id}")
        release = staff.locator(f"button[id^=release-{project_id}]").first
        tranche = (release.get_attribute("id") or "").removeprefix("release-")
        release.click()
        expect(staff.locator(f"#disburse-{tranche}")).to_be_visible()
        staff.click(f"#disburse-{tranche}")
        expect(staff.locator(f"#tranche-{tranche}")).to_contain_text(say(lang, "disbursed"))
        shot(staff, "12-finance-paid", lang)

        reader.goto(f"{server}/projects/{project_id}?lang={lang}")
        expect(reader.locator("main")).to_contain_text(say(lang, "in progress"))
        expect(reader.locator("main")).to_contain_text(words["paid"])  # the paid tranche
        assert reader.evaluate("document.documentElement.scrollWidth <= innerWidth")
        shot(reader, "13-public-sees-it-paid-390", lang)
    finally:
        public.close()
