"""A count reads in the form its number takes: "1 tranche", "2 tranches"; in Russian
«1 транш», «2 транша», «5 траншей» (one, few, many), in notices and in page text.

Notices are written in English by the action (``pfund.web.counts.counted``) and
translated by matching their template (``pfund.web.localize``); page text counts with
``ngettext`` from the catalog. The CLI's lines are checked in tests/cli/test_cli_words.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib.resources import files
from urllib.parse import quote

import pytest
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient

from pfund.web.counts import counted
from pfund.web.i18n import catalog, translations
from pfund.web.localize import translate_message
from tests.api.conftest import csrf_of, sign_in
from tests.language_runs import foreign_runs

RU = translations("ru")


def gettext(message: str, **values: object) -> str:
    text = RU.gettext(message)
    return text % values if values else text


def ru(text: str) -> str:
    return translate_message(text, "ru", gettext)


def form(n: int) -> int:
    """Russian's plural form of ``n``: 0 one (1, 21), 1 few (2-4, 22), 2 many (5, 11)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    return 1 if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else 2


# Each notice as the action writes it for 1, 2 and 5, and as a Russian page shows it.
NOTICES = [
    (
        lambda n: f"OPT-0001 approved: {counted(n, 'projects')}, {counted(n, 'tranches')}",
        [
            "OPT-0001 approved: 1 project, 1 tranche",
            "OPT-0001 approved: 2 projects, 2 tranches",
            "OPT-0001 approved: 5 projects, 5 tranches",
        ],
        [
            "OPT-0001 утверждён: 1 проект, 1 транш",
            "OPT-0001 утверждён: 2 проекта, 2 транша",
            "OPT-0001 утверждён: 5 проектов, 5 траншей",
        ],
    ),
    (
        lambda n: f"ceasefire_holding: met -> reversed; {counted(n, 'frozen')}",
        [
            "ceasefire_holding: met -> reversed; 1 tranche frozen",
            "ceasefire_holding: met -> reversed; 2 tranches frozen",
            "ceasefire_holding: met -> reversed; 5 tranches frozen",
        ],
        [
            "ceasefire_holding: выполнено → нарушено; заморожен 1 транш",
            "ceasefire_holding: выполнено → нарушено; заморожено 2 транша",
            "ceasefire_holding: выполнено → нарушено; заморожено 5 траншей",
        ],
    ),
    (
        lambda n: f"wl: {counted(n, 'entities')}, 3 added, 0 changed; {counted(n, 'new_hits')}",
        [
            "wl: 1 entity, 3 added, 0 changed; 1 new hit",
            "wl: 2 entities, 3 added, 0 changed; 2 new hits",
            "wl: 5 entities, 3 added, 0 changed; 5 new hits",
        ],
        [
            "wl: 1 запись, добавлено — 3, изменено — 0; 1 новое совпадение",
            "wl: 2 записи, добавлено — 3, изменено — 0; 2 новых совпадения",
            "wl: 5 записей, добавлено — 3, изменено — 0; 5 новых совпадений",
        ],
    ),
    (
        lambda n: f"screened: {counted(n, 'new_hits')}",
        ["screened: 1 new hit", "screened: 2 new hits", "screened: 5 new hits"],
        [
            "проверка проведена: 1 новое совпадение",
            "проверка проведена: 2 новых совпадения",
            "проверка проведена: 5 новых совпадений",
        ],
    ),
    (
        lambda n: f"CL-1 imported: {counted(n, 'companies')}, {counted(n, 'new_organisations')}",
        [
            "CL-1 imported: 1 company, 1 new organisation",
            "CL-1 imported: 2 companies, 2 new organisations",
            "CL-1 imported: 5 companies, 5 new organisations",
        ],
        [
            "CL-1 импортирован: 1 компания, 1 новая организация",
            "CL-1 импортирован: 2 компании, 2 новые организации",
            "CL-1 импортирован: 5 компаний, 5 новых организаций",
        ],
    ),
    (  # as the services write it (pfund.services.imports and the other importers)
        lambda n: f"a.csv: {n} problem{'s' * (n != 1)} found; nothing was imported",
        [
            "a.csv: 1 problem found; nothing was imported",
            "a.csv: 2 problems found; nothing was imported",
            "a.csv: 5 problems found; nothing was imported",
        ],
        [
            "a.csv: найдена 1 ошибка; ничего не импортировано",
            "a.csv: найдены 2 ошибки; ничего не импортировано",
            "a.csv: найдено 5 ошибок; ничего не импортировано",
        ],
    ),
]


@pytest.mark.parametrize(("write", "english", "russian"), NOTICES)
def test_a_notice_counts_one_two_and_five_in_english_and_russian(
    write: Callable[[int], str], english: list[str], russian: list[str]
) -> None:
    for n, en, ru_text in zip((1, 2, 5), english, russian, strict=True):
        assert write(n) == en
        assert ru(en) == ru_text
        assert translate_message(en, "en", gettext) == en


def test_a_russian_count_takes_one_few_or_many_by_its_last_digits() -> None:
    for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111):
        said = ru(f"screened: {counted(n, 'new_hits')}")
        forms = ("новое совпадение", "новых совпадения", "новых совпадений")
        assert said == f"проверка проведена: {n} {forms[form(n)]}", n


def test_a_wrong_count_is_not_taken_for_another_message() -> None:
    """A count's slot matches only its own noun: a notice about something else is not
    read as a count (it says its status instead, as any unknown message does)."""
    assert ru("screened: 2 frozen tranches") == gettext("The request could not be accepted.")


def _watchlist(n: int) -> bytes:
    lines = [
        {
            "id": f"plural-{n}-{i}",
            "schema": "Person",
            "properties": {"name": [f"Nemo Nobody Number{n}x{i}"], "country": ["ru"]},
            "topics": ["sanction"],
        }
        for i in range(n)
    ]
    return "\n".join(json.dumps(line) for line in lines).encode()


def test_the_watchlist_notice_counts_its_entities_in_both_languages(client: TestClient) -> None:
    """The notice a real action redirects with: 1, 2 and 5 entities loaded."""
    sign_in(client, "comp")
    russian = {1: "1 запись", 2: "2 записи", 5: "5 записей"}
    for lang in ("en", "ru"):
        for n in (1, 2, 5):
            page = client.get(f"/staff/screening?lang={lang}").text
            done = client.post(
                "/staff/screening/watchlists",
                data={"csrf_token": csrf_of(page)},
                files={"file": (f"p{n}{lang}.ftm.json", _watchlist(n), "application/json")},
            )
            notice = done.text.split('<p class="notice" role="status">', 1)[1].split("</p>")[0]
            if lang == "en":
                noun = "entity" if n == 1 else "entities"
                assert notice.startswith(f"p{n}{lang}: {n} {noun}, {n} added, 0 changed; ")
            else:
                assert notice.startswith(f"p{n}{lang}: {russian[n]}, добавлено — {n}, ")
                assert foreign_runs(notice.replace(f"p{n}{lang}", ""), "ru") == []


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("OPT-0001 approved: 1 project, 1 tranche", "OPT-0001 утверждён: 1 проект, 1 транш"),
        (
            "ceasefire_holding: met -> reversed; 2 tranches frozen",
            "ceasefire_holding: выполнено → нарушено; заморожено 2 транша",
        ),
        ("screened: 5 new hits", "проверка проведена: 5 новых совпадений"),
    ],
)
def test_a_notice_reads_on_the_staff_page_it_returns_to(
    client: TestClient, english: str, russian: str
) -> None:
    sign_in(client, "ana")
    for lang, said in (("en", english), ("ru", russian)):
        page = client.get(f"/staff/conditions?lang={lang}&message={quote(english)}").text
        assert f'<p class="notice" role="status">{said}</p>' in page.replace("&gt;", ">")


def _organisations(n: int, start: int) -> bytes:
    rows = [f"ORG-PL-{start + i},Plural Test Org {start + i},ngo,LT,governance" for i in range(n)]
    return ("id,name,kind,country,areas\n" + "\n".join(rows) + "\n").encode()


def test_the_import_page_counts_what_it_imported_in_both_languages(client: TestClient) -> None:
    sign_in(client, "ana")
    russian = {1: "1 организация", 2: "2 организации", 5: "5 организаций"}
    start = 0
    for lang in ("en", "ru"):
        for n in (1, 2, 5):
            page = client.get(f"/staff/import?lang={lang}").text
            done = client.post(
                "/staff/import",
                data={"csrf_token": csrf_of(page), "kind": "organisations"},
                files={"file": (f"o{n}.csv", _organisations(n, start), "text/csv")},
            )
            start += n
            assert done.status_code == 200, done.text
            if lang == "en":
                noun = "organisation" if n == 1 else "organisations"
                assert f"Imported {n} {noun} from o{n}.csv." in done.text
            else:
                assert f"Из файла o{n}.csv импортировано: {russian[n]}." in done.text


# Page text that counts with ngettext: the English singular and plural, and the words
# that change in Russian for one, few and many.
PAGE_COUNTS = [
    (
        "Frozen now, because a condition it needs was reversed: %(money)s in %(num)s tranche.",
        ("in 1 tranche.", "in 2 tranches.", "in 5 tranches."),
        ("в 1 транше.", "в 2 траншах.", "в 5 траншах."),
    ),
    (
        "Unfrozen so far, by an explicit decision once the condition was met again: "
        "%(money)s in %(num)s tranche.",
        ("in 1 tranche.", "in 2 tranches.", "in 5 tranches."),
        ("в 1 транше.", "в 2 траншах.", "в 5 траншах."),
    ),
    (
        "Waiting for this stage: %(num)s tranche, %(money)s.",
        ("1 tranche,", "2 tranches,", "5 tranches,"),
        ("ждёт 1 транш", "ждут 2 транша", "ждут 5 траншей"),
    ),
    (
        "Waiting for it: %(num)s tranche, %(money)s.",
        ("1 tranche,", "2 tranches,", "5 tranches,"),
        ("ждёт 1 транш", "ждут 2 транша", "ждут 5 траншей"),
    ),
    (
        "%(num)s project chosen",
        ("1 project chosen", "2 projects chosen", "5 projects chosen"),
        ("выбран 1 проект", "выбрано 2 проекта", "выбрано 5 проектов"),
    ),
    (
        "%(num)s tranche",
        ("1 tranche", "2 tranches", "5 tranches"),
        ("1 транш", "2 транша", "5 траншей"),
    ),
    (
        "Phase %(n)s (stage %(stage)s): %(state)s; it unlocks %(num)s return.",
        ("unlocks 1 return.", "unlocks 2 returns.", "unlocks 5 returns."),
        ("1 возвращение.", "2 возвращения.", "5 возвращений."),
    ),
    (
        "In arrears on %(date)s: %(amount)s; the oldest unpaid instalment is %(num)s day late.",
        ("is 1 day late.", "is 2 days late.", "is 5 days late."),
        ("на 1 день.", "на 2 дня.", "на 5 дней."),
    ),
    (
        "Screening against the loaded watchlists raised %(num)s new hit: review it before "
        "any money moves.",
        (
            "raised 1 new hit: review it",
            "raised 2 new hits: review them",
            "5 new hits: review them",
        ),
        ("1 новое совпадение. Рассмотрите его", "2 новых совпадения.", "5 новых совпадений."),
    ),
    (
        "%(n)s of %(num)s unit",
        ("of 1 unit", "of 2 units", "of 5 units"),
        ("из 1 единицы", "из 2 единиц", "из 5 единиц"),
    ),
    (
        "%(status)s portfolio of %(num)s project, value %(value)s.",
        ("of 1 project,", "of 2 projects,", "of 5 projects,"),
        ("из 1 проекта,", "из 2 проектов,", "из 5 проектов,"),
    ),
]


@pytest.mark.parametrize(("singular", "english", "russian"), PAGE_COUNTS)
def test_page_text_counts_one_two_and_five_in_english_and_russian(
    singular: str, english: tuple[str, ...], russian: tuple[str, ...]
) -> None:
    plural = _plural_of(singular)
    values = {"num": 0, "money": "$1", "n": 3, "stage": 2, "state": "x", "date": "d"}
    values |= {"amount": "$1", "status": "optimal", "value": "1.0"}
    for n, en, ru_text in zip((1, 2, 5), english, russian, strict=True):
        en_said = (singular if n == 1 else plural) % (values | {"num": n})
        ru_said = RU.ngettext(singular, plural, n) % (values | {"num": n})
        assert en in en_said, (n, en_said)
        assert ru_text in ru_said, (n, ru_said)


def _plural_of(singular: str) -> str:
    """The plural the catalog pairs with ``singular`` (so the pair is one message)."""
    message = catalog("ru").get(singular)
    assert message is not None and isinstance(message.id, tuple), singular
    return str(message.id[1])


def test_the_conditions_and_home_pages_count_their_tranches_by_their_number(
    client: TestClient,
) -> None:
    """Whatever the demo fund's numbers are, each count on the page takes its form."""
    seen = 0
    for path in ("/conditions", "/"):
        en = client.get(f"{path}?lang=en").text
        for n, s in re.findall(r"(?:stage|it): (\d+) tranche(s?),", en):
            assert (s == "") == (int(n) == 1), (path, n, s)
            seen += 1
        russian = client.get(f"{path}?lang=ru").text
        for verb, n, noun in re.findall(r"(ждёт|ждут) (\d+) (транш\w*)", russian):
            k = form(int(n))
            assert noun == ("транш", "транша", "траншей")[k], (path, n, noun)
            assert verb == ("ждёт" if k == 0 else "ждут"), (path, n, verb)
            seen += 1
    assert seen >= 2


def _extracted() -> list[str | tuple[str, str]]:
    options = {
        "templates/**.j2": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "True",
            "lstrip_blocks": "True",
        }
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Nn_": (1, 2)}
    found: list[str | tuple[str, str]] = []
    for module in ("pfund.web", "pfund.reports"):
        for _, _, message, _, _ in extract_from_dir(
            str(files(module)),
            [("**.py", "python"), ("templates/**.j2", "jinja2")],
            options_map=options,
            keywords=keywords,
        ):
            found.append(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_the_pages_count_these_with_ngettext_singular_and_plural() -> None:
    """The pairs above are what the templates and code call, not only catalog entries."""
    pairs = {m[0]: m[1] for m in _extracted() if isinstance(m, tuple)}
    for singular, _, _ in PAGE_COUNTS:
        assert singular in pairs, singular
        assert pairs[singular] != singular and "%(num)s" in pairs[singular], singular


# Messages that write a count before a plural noun without a singular: each count is
# never one (a length limit, a setting's days, a plan's sample), or sits in the board
# report's figures of a whole portfolio.
NEVER_ONE = {
    "%(n)s characters",
    "%(n)s levels",
    "%(n)s items",
    "%(size)s bytes",
    "%(limit)s pixels",
    "%(n)s digits",
    "%(n)s files",
    "%(n)s reports",
    "%(days)s days",
    "%(n)s units",
    "%(total)s projects",
    "%(core)s projects",
    "%(n)s budgets",
    "%(n)s times",
    "%(k)s projects",
    "%(draws)s draws",
    "%(weights)s sets",
    "%(seconds)s seconds",
}
VERBS = {"is", "was", "has", "as", "needs", "holds", "changes", "starts", "covers", "ends"}
VERBS |= {"exceeds", "applies", "lets", "trusts", "commits", "differs", "matches", "computes"}
VERBS |= {"explains"}


def test_no_other_message_writes_one_before_a_plural_noun() -> None:
    """A new "%(n)s things" message counts with ngettext or a count slot, or says here
    why its count is never one."""
    counts = re.compile(r"%\((\w+)\)[sd] (?:new |listed )?([a-z]+s)\b")
    loose = sorted(
        {
            found[0]
            for message in _extracted()
            if isinstance(message, str)
            for found in counts.finditer(message)
            if found[2] not in VERBS and found[2] != "s"
        }
        - NEVER_ONE
    )
    assert loose == []
