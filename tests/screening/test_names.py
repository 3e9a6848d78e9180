from pfund.screening.legal_forms import strip_legal_forms
from pfund.screening.names import forms
from pfund.screening.phonetic import fold


def test_national_spellings_of_khrushchev_fold_to_one_consonant_frame() -> None:
    keys = {fold(word) for word in ("khrushchev", "chruschtschow", "khrouchtchev", "chruszczow")}
    assert keys == {"hruQev", "hruQov"}


def test_shch_and_sh_fold_apart() -> None:
    assert fold("shchipov") != fold("shipov")
    assert fold("schtschipow") == fold("shchipov")


def test_cyrillic_name_yields_several_transliterations() -> None:
    texts = {form.tokens[0].text for form in forms("Хрущёв")}
    assert {"khrushchev", "khrushchyov"} <= texts


def test_patronymic_is_optional_in_any_spelling() -> None:
    for name in ("Иван Петрович Сидоров", "Ivan Petrowitsch Sidorow", "Sidorov Ivan Petrovich"):
        optional = [token.text for form in forms(name) for token in form.tokens if token.optional]
        assert optional, name
        assert all(text.startswith("petro") for text in optional)


def test_two_word_name_has_no_patronymic() -> None:
    assert not any(token.optional for form in forms("Аляксандр Лукашэвіч") for token in form.tokens)


def test_legal_forms_are_stripped_and_canonicalised() -> None:
    russian = forms("ООО «Ромашка»", "Company")[0]
    english = forms("Romashka L.L.C.", "Company")[0]
    assert [token.text for token in russian.tokens] == ["romashka"]
    assert russian.legal_forms == english.legal_forms == frozenset({"llc"})
    assert forms("ПАО Газпром", "Company")[0].legal_forms == frozenset({"pjsc"})


def test_name_made_only_of_a_legal_form_keeps_its_words() -> None:
    assert strip_legal_forms(("limited",)).tokens == ("limited",)


def test_person_names_keep_tokens_that_look_like_legal_forms() -> None:
    assert [token.text for token in forms("Sa Ao", "Person")[0].tokens] == ["sa", "ao"]


def test_gmbh_stays_one_word_and_is_a_legal_form() -> None:
    form = forms("Deutsche Bank GmbH", "Company")[0]
    assert [token.text for token in form.tokens] == ["deutsche", "bank"]
    assert form.legal_forms == frozenset({"gmbh"})


def test_legal_form_cut_off_at_the_end_of_a_field_is_still_found() -> None:
    form = forms("TACTICAL MISSILES CORPORATION JOINT STOCK COMPAN", "Company")[0]
    assert [token.text for token in form.tokens] == ["tactical", "missiles"]
    assert "jsc" in form.legal_forms


def test_honorifics_opening_a_person_name_are_dropped() -> None:
    assert [token.text for token in forms("Präsident Barack Obama")[0].tokens] == [
        "barack",
        "obama",
    ]


def test_arabic_particles_are_written_one_way() -> None:
    texts = [token.text for token in forms("Usama ibn Laden el Masri")[0].tokens]
    assert texts == ["usama", "bin", "laden", "al", "masri"]
    assert forms("Ben Netanyahu")[0].tokens[0].text == "ben"


def test_misspelt_legal_form_words_are_still_legal_forms() -> None:
    (form,) = forms("Siemens Aktiengeselschaft", "Company")
    assert [token.text for token in form.tokens] == ["siemens"]
    assert form.legal_forms == {"ag"}
    (form,) = forms("Tactical Missiles Joynt Stock Company", "Company")
    assert form.legal_forms == {"jsc"}


def test_a_short_word_near_a_legal_form_word_stays_a_word() -> None:
    (form,) = forms("Stick Holdings", "Company")
    assert [token.text for token in form.tokens] == ["stick", "holdings"]


def test_a_vessel_prefix_is_dropped() -> None:
    (form,) = forms("MV Hellenic Spirit", "Vessel")
    assert [token.text for token in form.tokens] == ["hellenic", "spirit"]
