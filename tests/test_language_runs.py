"""The detector both language tests share: what counts as text left in the other language."""

from __future__ import annotations

from tests.language_runs import foreign_runs


def test_three_english_words_on_a_russian_page_are_a_run() -> None:
    page = "<main><p>Проект одобрен. Money for the school.</p></main>"
    assert foreign_runs(page, "ru") == ["Money for the school"]


def test_codes_acronyms_and_two_words_are_not() -> None:
    assert foreign_runs("<p>Проект TRN-M11-03, отчёт IATI CSV, Volga Press</p>", "ru") == []


def test_text_marked_as_another_language_and_proper_names_are_not_counted() -> None:
    page = (
        '<main><details lang="en"><summary>Как</summary><p>raw trace of the score</p>'
        '<br></details><table><tbody lang="en"><tr><td><span title="Words of the shorter '
        'name">words</span></td></tr></tbody></table>'
        "<p>Партнёр: Transition Lab for Russian Reform</p></main>"
    )
    assert foreign_runs(page, "ru") == ["Transition Lab for Russian Reform"]
    assert foreign_runs(page, "ru", names=["Transition Lab for Russian Reform"]) == []
    assert foreign_runs(
        page.replace('<details lang="en">', "<details>"), "ru", names=["Transition Lab"]
    ) == [
        "raw trace of the score",
        "Transition Lab for Russian Reform",
    ]


def test_cyrillic_runs_on_an_english_page() -> None:
    assert foreign_runs("<p>Approved: Школа для всех детей</p>", "en") == ["Школа для всех детей"]
