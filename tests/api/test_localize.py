"""The fund's own words and the errors, in the reader's language (pfund.web.localize)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from pfund.web.counts import COUNTS, counted
from pfund.web.field_words import FIELD_LABELS, as_typed, field_label
from pfund.web.i18n import Formatter, catalog, translations
from pfund.web.localize import (
    BY_STATUS,
    MESSAGES,
    country_name,
    localized,
    outcome_name,
    translate_message,
)
from tests.language_runs import foreign_runs

RU = translations("ru")


def gettext(message: str, **values: object) -> str:
    text = RU.gettext(message)
    return text % values if values else text


def ru(text: str, status: int | None = None) -> str:
    return translate_message(text, "ru", gettext, status)


def test_a_russian_twin_is_shown_and_the_english_only_when_it_is_missing() -> None:
    both = SimpleNamespace(description="Roads", description_ru="Дороги")
    english_only = {"description": "Roads", "description_ru": ""}
    assert localized(both, "description", "ru") == "Дороги"
    assert localized(both, "description", "en") == "Roads"
    assert localized(english_only, "description", "ru") == "Roads"


def test_outcome_and_country_names_in_russian() -> None:
    outcome = SimpleNamespace(name_ru="построено, км")
    assert outcome_name("km_built", outcome, "ru") == "построено, км"
    assert outcome_name("km_built", SimpleNamespace(name_ru=""), "ru") == "km built"
    assert outcome_name("km_built", outcome, "en") == "km built"
    assert country_name("DEU", "Germany", "ru") == "Германия"
    assert country_name("MKD", "North Macedonia", "ru") == "Северная Македония"
    assert country_name("DEU", "Germany", "en") == "Germany"
    assert country_name("XKX", "Kosovo", "ru") == "Kosovo"  # not a code CLDR maps: as given


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("no project with id 'NOPE-1'", "нет проекта с кодом «NOPE-1»"),
        ("your role does not allow: screen", "ваша роль не позволяет проверять контрагентов"),
        (
            "'APR-0001' is an appraisal run, not a portfolio run",
            "«APR-0001» — запуск вида «оценка», а не «портфель»",
        ),
        ("String should have at least 20 characters", "Не короче 20 символов"),
        (
            "Input should be greater than 0 (got '-3')",
            "Значение должно быть больше 0 (указано: '-3')",
        ),
        ("is required but missing", "обязательное поле не заполнено"),
        ("TRN-1-2028 released", "TRN-1-2028: транш выделен"),
        (
            "tranche T-1 cannot be released: condition ceasefire_holding is not_met; "
            "its year 2029 has not begun",
            "транш T-1 не может быть выделен: условие ceasefire_holding: не выполнено; "
            "его год (2029) ещё не начался",
        ),
        (
            "receipt DA-0001-2 is already reversed (on 2026-12-06); nothing was changed",
            "поступление DA-0001-2 уже сторнировано (2026-12-06); ничего не изменено",
        ),
    ],
)
def test_errors_are_translated_with_their_values(english: str, russian: str) -> None:
    assert ru(english) == russian
    assert translate_message(english, "en", gettext) == english


def test_an_error_no_template_knows_says_its_status_in_russian() -> None:
    said = ru("the flux capacitor is out of plutonium", 409)
    assert said == gettext(BY_STATUS[409])
    assert foreign_runs(said, "ru") == []


def test_every_template_reads_in_russian() -> None:
    """Each message filled with its own placeholder names leaves no English run."""
    for template in MESSAGES:  # a count's slot takes a count: "3 tranches frozen"
        english = re.sub(
            r"%\((\w+)\)s",
            lambda slot: counted(3, slot[1]) if slot[1] in COUNTS else f"<{slot[1]}>",
            template,
        )
        assert foreign_runs(ru(english), "ru") == [], template


def test_a_field_is_named_by_its_label_in_the_pages_language() -> None:
    english = str  # English is the source: its gettext gives the message back
    assert field_label(english, "signed_on") == "Signed on"
    assert field_label(gettext, "signed_on") == "Дата подписания"
    assert field_label(gettext, "ends_on") == "Дата окончания"
    assert field_label(gettext, "title") == gettext("Title")  # the proposal form's own
    assert field_label(gettext, "Company") == "Company"  # a CSV file's column, as it is
    for name in FIELD_LABELS:
        assert (
            "_" not in field_label(english, name)
            and foreign_runs(field_label(gettext, name), "ru") == []
        ), name


def test_a_typed_reason_is_shown_as_written_and_marked_on_the_other_languages_page() -> None:
    def english(message: str) -> str:
        return message

    said = as_typed("Bounced transfer from the bank", "ru", gettext)
    assert said.startswith('<span lang="en">Bounced transfer from the bank</span>')
    assert "(в оригинале, на английском)" in said and foreign_runs(said, "ru") == []
    assert as_typed("Bounced transfer", "en", english) == "Bounced transfer"
    russian = as_typed("Перевод вернулся <банк>", "en", english)
    assert russian == (
        '<span lang="ru">Перевод вернулся &lt;банк&gt;</span> '
        '<small class="as-typed">(as written, in Russian)</small>'
    )
    assert as_typed("Перевод вернулся", "ru", gettext) == "Перевод вернулся"
    assert as_typed("2026-05-12", "ru", gettext) == "2026-05-12"


def test_dates_kept_as_iso_text_read_in_the_locale() -> None:
    assert Formatter("ru").date("2026-12-05T10:00:00+00:00") == "5 декабря 2026\u202fг."
    assert Formatter("en").date("2026-12-05") == "December 5, 2026"
    assert Formatter("ru").date("") == ""


def test_the_decisions_page_dates_its_runs_in_russian(client: TestClient) -> None:
    page = client.get("/decisions", headers={"accept-language": "ru"})
    assert page.status_code == 200
    assert re.search(r"\d{1,2} [а-я]+ 20\d\d\sг\.", page.text)
    assert not re.search(r"<td>20\d\d-\d\d-\d\d</td>", page.text)


def test_a_project_reads_in_russian_with_its_regions_description_and_outcomes(
    client: TestClient,
) -> None:
    ru_page = client.get("/projects/TRN-M11-01", headers={"accept-language": "ru"}).text
    en_page = client.get("/projects/TRN-M11-01", headers={"accept-language": "en"}).text
    assert "Москва, Московская область, Тверская область" in ru_page
    assert "Moscow, Moscow Oblast, Tver Oblast" in en_page
    assert "Разделительные ограждения, освещение" in ru_page
    assert "Median barriers, lighting" in en_page
    assert "модернизировано, км" in ru_page
    assert "km upgraded" in en_page
    listing = client.get("/projects?area=transport", headers={"accept-language": "ru"}).text
    assert "Москва, Московская область, Тверская область" in listing


def test_tranche_actions_use_the_fund_s_financial_words() -> None:
    """A tranche is «выделен» (released) and «выплачен» (paid); frozen money is
    «разморожено», never «разблокировано»."""
    assert gettext("Release") == "Выделить транш"
    assert gettext("released") == "выделено"
    assert gettext("Unfreeze") == "Разморозить"
    assert gettext("Disburse") == "Выплатить"
    words = " ".join(str(m.string) for m in catalog("ru") if m.id)
    assert "азблокир" not in words
