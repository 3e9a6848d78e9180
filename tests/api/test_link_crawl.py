"""Every link a person can follow, for every role, in both languages, on a phone.

Signed in as each role (and as nobody), a real browser on a phone (390 px wide; 360
for the public pages) follows every same-site link reachable from the home page or the
workspace, GET only. It fails on any answer of 5xx and on any broken link (404), on any
page wider than the screen (naming the element that sticks out), and on any run of
English words on a Russian page (``tests/language_runs.py``; organisations' and listed
names are proper names, shown as the data gives them).

Kept to a minute or two: one chromium, one page per role reused throughout, and links
grouped by their shape (``/projects/{id}``, ``/projects?region=``) with only the first
few of each shape followed, since the rest render from the same template and code.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.api import browsing
from tests.api.browsing import ARTIFACTS, NARROW, PHONE, overflow, proper_names, sign_in
from tests.language_runs import foreign_runs

# The fixtures: one server over a busy store and one chromium for this module.
browser = browsing.browser
busy_site = browsing.busy_site
ROLES = {"public": None, "reviewer": "rev", "analyst": "ana", "compliance": "comp", "admin": "ada"}
LANGS = ("en", "ru")
PER_SHAPE = 2  # links of one shape followed per role and language
MAX_PAGES = 80  # per role and language: a bound, should a page ever link without end
# Path parts that name a record (TRN-M11-03, OPT-0001, 17) rather than a page.
RECORD = re.compile(r"^(?=.*\d)[\w.-]+$|^[A-Z]{2,}[\w-]*$")
SHOTS = ARTIFACTS / "crawl"


def shape(url: str) -> str:
    """The link's shape: record ids in the path and the query's values left out."""
    parts = urlsplit(url)
    path = "/".join("{id}" if RECORD.match(p) else p for p in parts.path.split("/"))
    keys = sorted({k for k, _ in parse_qsl(parts.query)})
    return path + ("?" + "&".join(keys) if keys else "")


def same_site_links(page: Page, base: str) -> list[str]:
    """Every link on the page to this site, as a path and query, without the language
    switch (each language is crawled on its own) or fragments."""
    found = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        absolute = urljoin(page.url, href)
        if not absolute.startswith(base + "/"):
            continue
        parts = urlsplit(absolute)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lang"])
        found.append(parts.path + ("?" + query if query else ""))
    return found


def crawl(
    page: Page, base: str, start: str, lang: str, role: str, names: frozenset[str] = frozenset()
) -> tuple[int, list[str]]:
    """Follow links breadth first from ``start``; the number of pages and the problems."""
    problems: list[str] = []
    seen: set[str] = {start}
    shapes: Counter[str] = Counter({shape(start): 1})
    queue = deque([start])
    pages = 0
    shot: set[str] = set()
    page.goto(f"{base}{start}?lang={lang}")  # the language sticks (a cookie)
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        if url.startswith(("/api/", "/static/")):  # files and data: only the answer
            status = page.request.get(f"{base}{url}", max_redirects=0).status
            if status >= 500 or status == 404:
                problems.append(f"GET {url} [{role}, {lang}] -> {status}")
            continue
        answer = page.goto(f"{base}{url}")
        pages += 1
        status = answer.status if answer else 0
        if status >= 500 or status == 404:
            problems.append(f"GET {url} [{role}, {lang}] -> {status}")
        wide = overflow(page)
        if wide:
            problems.append(f"{url} [{role}, {lang}] overflows: " + "; ".join(wide))
        if lang == "ru":
            english = foreign_runs(page.content(), "ru", names)
            if english:
                problems.append(f"{url} [{role}, ru] English left: {english[:5]}")
        if shape(url) not in shot and role in ("public", "admin"):
            shot.add(shape(url))
            name = re.sub(r"[^\w-]+", "_", shape(url)).strip("_") or "home"
            page.screenshot(path=str(SHOTS / f"{role}-{lang}-{name}.png"))
        for link in same_site_links(page, base):
            if link not in seen and shapes[shape(link)] < PER_SHAPE:
                seen.add(link)
                shapes[shape(link)] += 1
                queue.append(link)
    return pages, problems


def test_shape_groups_links_by_page_not_by_record() -> None:
    assert shape("/projects/TRN-M11-03") == shape("/projects/AGR-FISH-01") == "/projects/{id}"
    assert shape("/projects?region=RU-SAM") == shape("/projects?region=RU-MOW")
    assert shape("/projects?area=health") != shape("/projects?region=RU-SAM")
    assert shape("/staff/reviews") == "/staff/reviews"
    assert shape("/decisions/OPT-0001") == "/decisions/{id}"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_answers_fits_a_phone_and_speaks_the_page_language(
    browser: Browser, busy_site: str, demo_template: Path, role: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The public pages on the narrowest phones, the staff pages on a common one.
    screen = NARROW if ROLES[role] is None else PHONE
    context = browser.new_context(viewport=screen, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(60_000)
    username = ROLES[role]
    if username:
        sign_in(page, busy_site, username)
    start = "/staff" if username else "/"
    problems: list[str] = []
    names = proper_names(demo_template)
    try:
        for lang in LANGS:
            pages, found = crawl(page, busy_site, start, lang, role, names)
            assert pages >= (10 if username else 12), f"only {pages} pages reached [{lang}]"
            problems += found
    finally:
        context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
