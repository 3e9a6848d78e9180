"""The pages pass axe-core (the engine behind most accessibility audits) with no serious
or critical violation, and every form control has a label: every public page and the
main staff pages, in English and Russian, on a phone (390 px, where wide tables scroll)
and on a desktop screen.

axe-core ships inside ``axe-playwright-python``; it runs in the page, so nothing is
fetched from the network. Moderate and minor findings are left to review by eye.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page

from tests.api import browsing
from tests.api.browsing import DESKTOP, PHONE, sign_in

# The fixtures: one server over a busy store and one chromium for this module.
browser = browsing.browser
busy_site = browsing.busy_site
PUBLIC = [
    "/",
    "/projects",
    "/projects?area=health",
    "/projects/TRN-M11-03",
    "/funding",
    "/results",
    "/conditions",
    "/scorecard",
    "/map",
    "/decisions",
    "/decisions/OPT-0001",
    "/data",
    "/propose",
    "/signin",
    "/projects/NO-SUCH-PROJECT",  # the error page
    "/report?t=no-such-link",  # the partner's report form, its link not valid
]
STAFF = [
    "/staff",
    "/staff/import",
    "/staff/compare?a=OPT-0001&b=OPT-0001",
    "/staff/tranches",
    "/staff/conditions",
    "/staff/scorecard",
    "/staff/reviews",
    "/staff/screening",
    "/staff/runs/OPT-0001",
    "/staff/results/late",
    "/staff/proposals/TRN-M11-03",  # a project's staff page, with its indicators
]
SERIOUS = {"serious", "critical"}
# Form controls with neither a <label> of their own nor an aria-label: axe accepts a
# placeholder, or a label that belongs to another control, as a name; a person does not.
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.type !== "hidden" && !["submit", "button", "reset"].includes(el.type))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
    && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML.slice(0, 100))"""
LANGS = ("en", "ru")


def serious(axe: Axe, page: Page, url: str) -> list[str]:
    """The serious and critical violations on the page, each with where it is."""
    results: dict[str, Any] = axe.run(page).response
    found = []
    for v in results["violations"]:
        if v["impact"] in SERIOUS:
            targets = ", ".join(str(n["target"][0]) for n in v["nodes"][:3])
            found.append(f"{url}: {v['id']} ({v['impact']}) {v['help']} at {targets}")
    return found


def audit(page: Page, base: str, urls: list[str]) -> list[str]:
    axe = Axe()
    problems: list[str] = []
    for lang in LANGS:
        for url in urls:
            page.goto(f"{base}{url}{'&' if '?' in url else '?'}lang={lang}")
            problems += serious(axe, page, f"{url} [{lang}]")
            problems += [f"{url} [{lang}]: no label for {c}" for c in page.evaluate(UNLABELLED)]
    return problems


def test_public_pages_have_no_serious_accessibility_violation(
    browser: Browser, busy_site: str
) -> None:
    # On a phone: the same pages as on a desktop, plus tables that scroll sideways.
    context = browser.new_context(viewport=PHONE)
    try:
        problems = audit(context.new_page(), busy_site, PUBLIC)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


# The admin sees every staff page; a reviewer sees the forms of the review assigned to
# them (declaration, then scores), which nobody else does.
@pytest.mark.parametrize(
    ("role", "pages"),
    [("ada", STAFF), ("rev", ["/staff", "/staff/reviews"])],
    ids=["admin", "reviewer"],
)
def test_staff_pages_have_no_serious_accessibility_violation(
    browser: Browser, busy_site: str, role: str, pages: list[str]
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, busy_site, role)
        problems = audit(page, busy_site, pages)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
