"""The board report's learning-from-results section says, in English and in Russian,
which optimism-bias prior each area used and how much it moved the portfolio.

The sample fund has no finished project yet, so with ``auto`` every area takes the
Green Book uplift of its type (transport, DAC 210: non-standard civil engineering, +66%).
Rendered through the report's own template and catalog, for the approved sample run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from pfund.reports.board import _environment
from pfund.reports.language import Words
from pfund.reports.learning import MODE_WORDS, TYPE_WORDS, LearningSection, build_learning
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo_loop import load_history
from pfund.services.learning import history_by_area
from pfund.services.names import area_names
from pfund.services.portfolio import report_of_record
from pfund.services.records import get_answering_record
from pfund.services.runtime import open_runtime
from tests.api.conftest import settings_for


@pytest.fixture(scope="module")
def sections(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LearningSection, dict[str, str]]:
    folder = tmp_path_factory.mktemp("learning")
    shutil.copy(demo_template, folder / "pfund.db")
    rt = open_runtime(settings_for(f"sqlite:///{folder / 'pfund.db'}"))
    try:
        pa = appraise_pipeline(load_inputs(rt, optimism_bias="auto"))
        section = build_learning(pa, report_of_record(get_answering_record(rt, "OPT-0001")))
        off = build_learning(
            appraise_pipeline(load_inputs(rt)), report_of_record(get_answering_record(rt, None))
        )
        areas = area_names(rt)
    finally:
        rt.close()
    pages = {}
    for lang in ("en", "ru"):
        w = Words(lang, currency="USD", areas=areas)
        template = _environment(lang).get_template("learning.html.j2")
        kw = {
            "w": w,
            "type_words": lambda kind, w=w: w.gettext(TYPE_WORDS[kind]),
            "mode_words": lambda mode, w=w: w.gettext(MODE_WORDS[mode]),
        }
        pages[lang] = template.render(r=SimpleNamespace(learning=section), **kw)
        pages[f"{lang}-off"] = template.render(r=SimpleNamespace(learning=off), **kw)
    return section, pages


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_each_area_states_the_green_book_prior_it_used(
    sections: tuple[LearningSection, dict[str, str]],
) -> None:
    section, pages = sections
    assert section.bias is not None and section.bias.finished == 0
    assert {line.bias.source for line in section.areas} == {"green_book"}
    en, ru = _text(pages["en"]), _text(pages["ru"])
    assert "Green Book: non-standard civil engineering" in en
    assert "«Зелёная книга»: нетиповые инженерные сооружения" in ru
    assert "Transport infrastructure" in en and "Транспортная инфраструктура" in ru
    assert "+66%" in en and "+66" in ru
    assert "0 finished projects with an outturn" in en
    assert "0 завершённых проектов с фактическими затратами" in ru


def test_the_section_says_how_much_the_uplift_moved_the_portfolio(
    sections: tuple[LearningSection, dict[str, str]],
) -> None:
    section, pages = sections
    transport = next(line for line in section.areas if line.bias.area == "transport")
    assert transport.movement is not None
    assert transport.movement.cost_after == pytest.approx(1.66 * transport.movement.cost_before)
    # Raised costs, same benefits: the pipeline's expected NPV can only fall.
    assert section.pipeline_npv_after_m < section.pipeline_npv_before_m
    assert section.chosen_npv_before_m is not None
    en, ru = _text(pages["en"]), _text(pages["ru"])
    assert "Expected NPV of the whole pipeline" in en and "Ожидаемая ЧПС всех проектов" in ru
    if section.dropped:
        assert section.dropped[0] in en and section.dropped[0] in ru


def test_a_policy_with_the_uplift_off_says_so_in_both_languages(
    sections: tuple[LearningSection, dict[str, str]],
) -> None:
    _, pages = sections
    assert "turns the optimism-bias uplift off" in _text(pages["en-off"])
    assert "отключает поправку на оптимизм" in _text(pages["ru-off"])


def test_the_funds_history_is_listed_by_area_even_with_the_uplift_off(
    demo_template: Path, tmp_path: Path
) -> None:
    """After the demo's history is loaded (five completed projects, one verified), the
    section lists it by area in both languages, though the sample policy is off."""
    shutil.copy(demo_template, tmp_path / "pfund.db")
    rt = open_runtime(settings_for(f"sqlite:///{tmp_path / 'pfund.db'}"))
    try:
        assert load_history(rt) is not None
        off = build_learning(
            appraise_pipeline(load_inputs(rt)),
            report_of_record(get_answering_record(rt, None)),
            None,
            history_by_area(rt),
        )
        areas = area_names(rt)
    finally:
        rt.close()
    assert off.bias is None
    assert [(h.area, h.count, h.verified) for h in off.history][:2] == [
        ("education", 1, 1),
        ("environment", 1, 0),
    ]
    text = {}
    for lang in ("en", "ru"):
        w = Words(lang, currency="USD", areas=areas)
        template = _environment(lang).get_template("learning.html.j2")
        text[lang] = _text(template.render(r=SimpleNamespace(learning=off), w=w))
    assert "The fund's history by area" in text["en"] and "1.60" in text["en"]
    assert "История фонда по направлениям" in text["ru"] and "1,60" in text["ru"]
    assert "turns the optimism-bias uplift off" in text["en"]
