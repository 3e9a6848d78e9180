"""Behaviours that rest on rigour's lexicon and on the script a name is written in."""

from pfund.screening import explain, is_match, score
from pfund.screening.lexicon import given_name_symbols, place
from pfund.screening.names import form_of


def test_a_nickname_scores_above_an_unrelated_given_name() -> None:
    assert score("Ted Doe", "Theodore Doe") > score("Ted Doe", "Harold Doe")
    assert given_name_symbols("ted") & given_name_symbols("theodore")


def test_places_are_recognised_in_organisation_words() -> None:
    assert place("mexico") == "mx"
    assert place("santander") is None


def test_a_country_added_to_a_company_name_lowers_the_score() -> None:
    plain = score("Banco Rojo S.A.", "Banco Rojo Peru S.A.", "Company")
    assert plain < score("Banco Rojo S.A.", "Banco Rojo S.A.", "Company")
    values = {
        line.name: line.value
        for line in explain("Banco Rojo", "Banco Rojo Peru", "Company").features
    }
    assert values["place_differs"] == 1.0


def test_two_countries_are_two_governments() -> None:
    assert not is_match("Government of Estonia", "Government of Ethiopia", "Organization")


def test_a_misspelt_country_is_not_a_different_place() -> None:
    values = {
        line.name: line.value
        for line in explain("Bank of Chima", "Bank of China", "Company").features
    }
    assert values["place_differs"] == 0.0


def test_one_different_chinese_character_is_another_name() -> None:
    # 市 and 石 both read "shi": the transliterations agree, the characters do not.
    assert not is_match("高石早苗", "高市早苗")
    assert is_match("高市早苗", "高市早苗")


def test_traditional_and_simplified_characters_are_one_name() -> None:
    assert is_match("習近平", "习近平")


def test_a_person_written_only_as_initials_is_not_a_match() -> None:
    assert not is_match("N.N.", "Nikolai Nikolaev")
    assert is_match("JC Juncker", "Jean-Claude Juncker")


def test_function_words_of_an_organisation_need_no_counterpart() -> None:
    form = form_of("the world bank", "Organization")
    assert [token.text for token in form.required] == ["world", "bank"]
    assert score("The Fern Bank", "Fern Bank", "Company") > score(
        "Fern Trust Bank", "Fern Bank", "Company"
    )
