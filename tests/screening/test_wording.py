"""Screening explanations in a compliance officer's words, from the alignment alone."""

from __future__ import annotations

from pfund.screening.score import FEATURES
from pfund.screening.wording import (
    FEATURE_NAMES,
    PARTS,
    PHRASES,
    Phrase,
    explain_words,
    feature_name,
    identifier_phrase,
    render,
)


def test_a_variant_given_name_and_a_missing_patronymic_are_said_in_words() -> None:
    text = render(explain_words("Petrov Aleksandr Ivanovich", "Alexander Petrov", "person"))
    assert text.startswith("Surname matches (Petrov)")
    assert "given name is a common variant of the same name (Aleksandr / Alexander)" in text
    assert "patronymic missing in the listed name (Ivanovich)" in text


def test_different_patronymics_are_named_as_a_reason_the_people_differ() -> None:
    phrases = explain_words("Ivan Petrovich Sidorov", "Ivan Sergeevich Sidorov", "person")
    keys = [p.key for p in phrases]
    assert "patronymic_conflict" in keys
    assert Phrase("same", {"part": "surname", "left": "Sidorov", "right": "Sidorov"}) in phrases


def test_a_transliteration_is_another_spelling_and_a_legal_form_conflict_is_said() -> None:
    assert "another spelling of the same word (Volga / Wolga)" in render(
        explain_words("Volga Free Press", "Wolga Free Press", "organisation")
    )
    assert "the legal forms differ" in render(
        explain_words("Rosneft OOO", "Rosneft AO", "organisation")
    )


def test_a_slavic_given_name_ending_in_in_is_not_taken_for_the_surname() -> None:
    phrases = explain_words("Konstantin Ilyin", "Konstantin Ilin", "person")
    parts = {p.values["left"]: p.values["part"] for p in phrases}
    assert parts == {"Konstantin": "given", "Ilyin": "surname"}


def test_the_phrases_render_through_the_pages_gettext() -> None:
    russian = {PARTS["surname"]: "фамилия", PHRASES["same"]: "%(part)s: совпадает (%(left)s)"}
    text = render(
        [Phrase("same", {"part": "surname", "left": "Ivanov"})],
        lambda message: russian.get(message, message),
    )
    assert text == "Фамилия: совпадает (Ivanov)"


def test_a_hit_on_a_shared_identifier_says_so_first() -> None:
    assert [p.key for p in identifier_phrase("same identifier INN 7707083893")] == ["identifier"]
    assert identifier_phrase("'ivan' vs 'ivan': aligned_similarity 1 (typical 0.78) +1.0") == []


def test_every_feature_of_the_score_has_a_name_in_words() -> None:
    assert sorted(FEATURE_NAMES) == sorted(feature.__name__ for feature, _ in FEATURES)
    assert feature_name("same_words") == "the same words once normalised"
    assert feature_name("same_words", str.upper) == "THE SAME WORDS ONCE NORMALISED"
