"""The board report in English and Russian: each file reads in its own language, names
the fund's areas, scenarios, stages and countries as its reader does, writes money and
numbers in the reader's locale, and carries exactly the same figures as the other.

Built once from the approved sample fund with the ceasefire met and then reversed, so the
frozen money, the conditions it waits for and the tranches by stage are in it too.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from pfund.reports.board import BoardReport, build_report, write_report
from pfund.reports.language import Words
from pfund.reports.why import Reason, sentence
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.conditions import set_condition
from pfund.services.names import Name
from pfund.services.runtime import open_runtime
from tests.api.conftest import settings_for
from tests.language_runs import ACRONYM, LATIN, PUNCTUATION, foreign_runs, visible_lines

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def built(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[BoardReport, dict[str, str]]:
    folder = tmp_path_factory.mktemp("board")
    shutil.copy(demo_template, folder / "pfund.db")
    rt = open_runtime(settings_for(f"sqlite:///{folder / 'pfund.db'}"))
    try:
        for status, day in (("met", 20), ("reversed", 25)):
            set_condition(
                rt,
                "ceasefire_holding",
                status,
                evidence=f"OSCE monitoring report {day}",
                verifier="osce_monitoring",
                on=date(2026, 11, day),
            )
        pa = appraise_pipeline(load_inputs(rt))
        report = build_report(rt, pa, run_id="OPT-0001", robust_draws=5, robust_weights=5)
    finally:
        rt.close()
    path = write_report(report, folder / "report")
    assert path == folder / "report" / "index.html"
    pages = {lang: (folder / "report" / name).read_text("utf-8") for lang, name in FILES.items()}
    return report, pages


FILES = {"en": "index.html", "ru": "index.ru.html"}


def test_each_report_reads_in_its_own_language(built: tuple[BoardReport, dict[str, str]]) -> None:
    report, pages = built
    assert report.money.frozen, "the reversal froze money: its table is checked too"
    assert foreign_runs(pages["ru"], "ru") == []
    assert foreign_runs(pages["en"], "en") == []
    # Shorter than a run, still English: a ledger account, a status. None is left but the
    # program's and the solver's names (codes and acronyms are neither language).
    latin = {
        word.strip(PUNCTUATION)
        for line in visible_lines(pages["ru"], "ru")
        for word in line.split()
        if LATIN.match(word.strip(PUNCTUATION)) and not ACRONYM.match(word.strip(PUNCTUATION))
    }
    assert latin == {"pfund", report.portfolio.solver.split()[0]}
    cyrillic = [
        w
        for line in visible_lines(pages["en"], "en")
        for w in line.split()
        if re.search("[А-яЁё]", w)
    ]
    assert cyrillic == []  # the link to the Russian report is marked lang="ru"
    # The project's reasons are sentences of the reader's language, one for every row.
    ru_text = "\n".join(visible_lines(pages["ru"], "ru"))
    for row in report.rows:
        assert f"{row.id} входит в портфель" in ru_text or f"{row.id} не входит" in ru_text


def test_each_report_links_to_the_other(built: tuple[BoardReport, dict[str, str]]) -> None:
    _, pages = built
    assert '<html lang="en">' in pages["en"] and '<html lang="ru">' in pages["ru"]
    assert '<link rel="alternate" hreflang="ru" href="index.ru.html">' in pages["en"]
    assert '<link rel="alternate" hreflang="en" href="index.html">' in pages["ru"]
    assert 'href="index.ru.html" hreflang="ru"' in pages["en"]
    assert 'href="index.html" hreflang="en"' in pages["ru"]


def test_the_russian_report_names_things_and_writes_money_as_a_russian_reader(
    built: tuple[BoardReport, dict[str, str]],
) -> None:
    report, pages = built
    ru, en = pages["ru"], pages["en"]
    for name in (
        "Фонд партнёрства с Россией",  # the fund's name_ru
        "Природные ресурсы и полезные ископаемые",  # an area's name_ru
        "Только прекращение огня",  # a scenario's name_ru
        "1: Прекращение огня соблюдается",  # a stage's name_ru
        "Соблюдается прекращение огня",  # a condition's title_ru, also in the frozen table
        "Бюро по демократическим институтам и правам человека ОБСЕ",  # a verifier's name_ru
        "Германия",  # a contributor, named by CLDR
        "Взвешенная смесь",
    ):
        assert name in ru, name
    # Every condition names its verifiers by the register's codes: each is shown by its
    # Russian name, and no verifier cell is left in English.
    assert (
        "<td>Совет Европейского союза; Министерство финансов США, Управление по контролю за "
        "иностранными активами (OFAC)</td>"
    ) in ru
    assert "<td>Мониторинговая миссия ОБСЕ (или её преемник, назначенный сторонами)</td>" in ru
    assert "<td>Council of the European Union; US Treasury, Office of Foreign" in en
    assert "eu_council" not in ru and "eu_council" not in en
    titled = next(r for r in report.rows if r.title_ru)
    assert titled.title_ru in ru and titled.title_ru not in en
    # Money: Babel's ru pattern, a no-break space between thousands and before the sign.
    total = f"{report.portfolio.total_cost:,.1f}".replace(",", NBSP).replace(".", ",")
    assert f"<b>{total}{NBSP}млн{NBSP}$</b>" in ru
    assert f"<b>${report.portfolio.total_cost:,.1f}{NBSP}million</b>" in en
    assert "декабря" in ru or "дек." in ru  # the date the report was made


def test_both_reports_carry_the_same_figures(built: tuple[BoardReport, dict[str, str]]) -> None:
    report, pages = built
    chosen = {
        lang: re.findall(r'<tr class="in">\s*<td><b>([^<]+)</b>', html)
        for lang, html in pages.items()
    }
    assert chosen["en"] == chosen["ru"] == sorted(report.portfolio.selected, key=chosen["en"].index)
    assert set(chosen["en"]) == set(report.portfolio.selected)
    cells = {
        lang: [_number(c, lang) for c in re.findall(r'<td class="n">([^<]*)</td>', html)]
        for lang, html in pages.items()
    }
    assert len(cells["en"]) > 300
    assert cells["en"] == cells["ru"]


def test_the_russian_charts_carry_russian_labels(built: tuple[BoardReport, dict[str, str]]) -> None:
    _, pages = built
    charts = re.findall(r"<svg.*?</svg>", pages["ru"], re.DOTALL)
    assert len(charts) == 9
    labels = " ".join(" ".join(visible_lines(svg, "ru")) for svg in charts)
    for label in (
        "выбранный портфель",  # a legend
        "млн USD",  # an axis
        "затраты на выбранные проекты",
        "ценность портфеля",
        "доля оптимальных портфелей",
        "Энергетика",  # an area on the axis
        "Германия",
        "Тупик",  # a scenario
        "заморожен",  # a tranche status in the stages' legend
    ):
        assert label in labels, label
    assert re.search(r"\d,\d", labels), "tick numbers with a decimal comma"
    assert foreign_runs(labels, "ru") == []


def test_a_dominated_project_is_explained_in_russian_with_the_rule_it_would_break() -> None:
    """The sample fund has no such project: its sentence and rule are written here."""
    words = Words("ru", areas={"energy": Name(code="energy", name="Energy", name_ru="Энергетика")})
    reason = Reason(
        code="dominated",
        per_million=0.000412,
        binding=[
            "the 2028 budget has 14.5 m left and it needs 20 m",
            "area energy would exceed its maximum share of 25%",
        ],
    )
    text = sentence(words, "ENE-X-01", reason, max_stage=1, hurdle=0.1, marginal=0.00123)
    assert text == (
        "ENE-X-01 не входит: даёт 0,000412 ценности на миллион затрат против 0,00123 у самого"
        " слабого из выбранных проектов, и в бюджете 2028 года осталось 14,5\u00a0млн, а"
        " проекту нужно 20\u00a0млн; направление «Энергетика» превысило бы свою наибольшую"
        " долю в 25%."
    )


def _number(cell: str, lang: str) -> float | str:
    """A table cell's figure, read in the notation of ``lang``."""
    text = cell.strip().replace(NBSP, "").replace("\u202f", "")
    text = text.replace(",", "") if lang == "en" else text.replace(" ", "").replace(",", ".")
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return text


def test_the_catalog_sentences_say_what_the_engine_says(
    built: tuple[BoardReport, dict[str, str]],
) -> None:
    """The Russian reasons are written from the catalog's English sentences; written in
    English they are the engine's own words, so a change of wording cannot leave the
    Russian report saying something else."""
    report, _ = built
    english = Words("en", areas=report.areas)
    for row in report.rows:
        written = sentence(
            english,
            row.id,
            row.reason,
            max_stage=report.max_stage,
            hurdle=report.hurdle,
            marginal=report.marginal,
        )
        assert written == row.why
    assert {row.reason.code for row in report.rows} >= {"chosen", "hurdle", "missing_prerequisite"}
