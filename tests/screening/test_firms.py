"""Firm names (issue #14, point 4): a number, a branch word or a region added to a listed
firm's name marks a different entity; a legal form a Russian company may have changed
into does not; a shared identifier or the listed entity's own alias still makes a hit."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening import explain, is_match, score
from pfund.screening.entity_marks import (
    BRANCH,
    NUMBER,
    REGION,
    differing,
    mark_of,
    relative_adjective,
    roman_value,
)
from pfund.screening.index import CandidateIndex
from pfund.screening.legal_forms import CONVERTIBLE_RU
from pfund.screening.wording import explain_words, render

ROOT = Path(__file__).resolve().parents[2]
UGMK = "ООО «Уральская горно-металлургическая компания»"
NPO = "АО «Научно-производственное объединение Стройтехмонтаж»"


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "numbered",
    [
        "ООО «Уральская горно-металлургическая компания-2»",
        "ООО «Уральская горно-металлургическая компания № 3»",
        "ООО «Уральская горно-металлургическая компания II»",
        "Uralskaya Gorno-Metallurgicheskaya Kompaniya No. 3 LLC",
        "АО «Научно-производственное объединение Стройтехмонтаж-2»",
    ],
)
def test_a_number_added_to_a_listed_firm_is_another_firm(numbered: str) -> None:
    listed = NPO if "Стройтехмонтаж" in numbered else UGMK
    assert not is_match(numbered, listed, "Company")


@pytest.mark.parametrize(
    "branch",
    [
        "Филиал ООО «Уральская горно-металлургическая компания»",
        "ООО «Уральская горно-металлургическая компания» Branch",
        "Представительство ООО «Уральская горно-металлургическая компания»",
        "ООО «Уральская горно-металлургическая компания Северо-Западный»",
        "Uralskaya Gorno-Metallurgicheskaya Kompaniya North-Western LLC",
    ],
)
def test_a_branch_word_added_to_a_listed_firm_is_another_entity(branch: str) -> None:
    assert not is_match(branch, UGMK, "Company")


@pytest.mark.parametrize(
    "regional",
    [
        "ООО «Уральская горно-металлургическая компания Самарский»",
        "ООО «Самарская уральская горно-металлургическая компания»",
        "Uralskaya Gorno-Metallurgicheskaya Kompaniya Samara LLC",
        "АО «Научно-производственное объединение Стройтехмонтаж Татарстан»",
    ],
)
def test_a_region_added_to_a_listed_firm_is_another_entity(regional: str) -> None:
    listed = NPO if "Стройтехмонтаж" in regional else UGMK
    assert not is_match(regional, listed, "Company")


def test_two_regions_or_two_branches_set_firms_apart() -> None:
    samara = "Самарский филиал АО «Научно-производственное объединение Стройтехмонтаж»"
    moscow = "Московский филиал АО «Научно-производственное объединение Стройтехмонтаж»"
    assert not is_match(samara, moscow, "Company")
    assert is_match(samara, samara.replace("Самарский", "Samarskiy"), "Company")


def test_the_same_mark_on_both_sides_sets_nothing_apart() -> None:
    assert is_match("Uralskaya Gorno-Metallurgicheskaya Kompaniya LLC", UGMK, "Company"), (
        "Uralskaya (Ural) is on both sides"
    )
    assert is_match("ООО «Ромашка-2»", "Romashka-2 LLC", "Company")
    assert differing(["filial", "romashka"], ["branch", "romashka"]) == []
    assert differing(["samarskii", "romashka"], ["samara", "romashka"]) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ООО «Научно-производственное объединение Стройтехмонтаж»", NPO),
        (
            "ООО «Научно-производственное объединение Стройтехмонтаж»",
            "AO Nauchno-Proizvodstvennoe Obedinenie Stroitekhmontazh",
        ),
        ("OOO Spetsavtomatika", "AO Spezavtomatika"),
        ("ЗАО «Спецавтоматика»", "АО «Спецавтоматика»"),
        ("ОАО «Спецавтоматика»", "ПАО «Спецавтоматика»"),
        ("Spetsavtomatika OJSC", "АО «Спецавтоматика»"),
    ],
)
def test_a_russian_legal_form_conversion_stays_a_match(one: str, other: str) -> None:
    """ООО ↔ АО (Civil Code art. 92), ЗАО → АО and ОАО → ПАО/АО (99-FZ of 5 May 2014)."""
    assert is_match(one, other, "Company")


def test_the_convertible_forms_come_from_rigours_russian_company_types() -> None:
    assert {"llc", "jsc", "pjsc", "cjsc", "ojsc"} == CONVERTIBLE_RU


def test_a_conversion_still_scores_below_the_same_form_and_other_families_conflict() -> None:
    same = score("ООО «Спецавтоматика»", "Spetsavtomatika LLC", "Company")
    assert score("АО «Спецавтоматика»", "Spetsavtomatika LLC", "Company") < same
    assert _value("АО «Спецавтоматика»", "Spetsavtomatika LLC", "legal_form_conflict") == 0.1
    assert _value("Spetsavtomatika GmbH", "Spetsavtomatika LP", "legal_form_conflict") == 1.0


def _value(one: str, other: str, feature: str, schema: str = "Company") -> float:
    return {line.name: line.value for line in explain(one, other, schema).features}[feature]


@pytest.mark.parametrize(
    "other",
    [
        "«Спецавтоматика» ООО",
        'ООО "Спецавтоматика"',
        "Спецавтоматика, ООО",
        "Spetsavtomatika LLC",
        "LLC Spetsavtomatika",
        "Obshchestvo s ogranichennoy otvetstvennostyu Spetsavtomatika",
    ],
)
def test_quotes_english_forms_and_their_order_do_not_matter(other: str) -> None:
    assert is_match("ООО «Спецавтоматика»", other, "Company")


OTHERS = ("ООО «Меридиан»", "АО «Гранит»", "ПАО «Орион»", "ООО «Вектор»", "АО «Полюс»")


def _watchlist(*entities: WatchlistEntity) -> CandidateIndex:
    """The entities among a few other firms, every word indexed (in so small a list every
    word is held by more than the default share), so that both listed firms are scored."""
    others = [
        WatchlistEntity(id=f"other-{n}", schema_name="Company", names=(name,))
        for n, name in enumerate(OTHERS)
    ]
    return CandidateIndex.build([*entities, *others], max_share=1.0)


def test_a_shared_identifier_outweighs_a_number_in_the_name() -> None:
    listed = WatchlistEntity(id="ugmk", schema_name="Company", names=(UGMK,), inn=("6606015817",))
    index = _watchlist(listed)
    numbered = "ООО «Уральская горно-металлургическая компания-2»"
    assert [hit.entity_id for hit in index.screen(numbered, "Company")] == []
    hits = index.screen(numbered, "Company", identifiers=["6606 015817"])
    assert [hit.entity_id for hit in hits] == ["ugmk"]


def test_the_listed_entitys_own_alias_with_the_number_is_a_hit() -> None:
    numbered = "ООО «Уральская горно-металлургическая компания-2»"
    plain = WatchlistEntity(id="plain", schema_name="Company", names=(UGMK,))
    aliased = WatchlistEntity(
        id="aliased", schema_name="Company", names=(UGMK,), aliases=(numbered,)
    )
    hits = _watchlist(plain, aliased).screen(numbered, "Company")
    assert [hit.entity_id for hit in hits] == ["aliased"]


def test_people_and_vessels_keep_their_numbers() -> None:
    """Only organisations: the benchmark's vessels (Victory, Victory 3) are one ship."""
    assert _value("Victory", "Victory 3", "marked_apart", "Vessel") == 0.0
    assert _value("Ivan Samara", "Ivan", "marked_apart", "Person") == 0.0
    assert _value("Victory", "Victory 3", "marked_apart", "Company") == 1.0


def _kind(word: str) -> str:
    mark = mark_of(word)
    return mark.kind if mark else ""


def test_marks_are_read_in_every_spelling() -> None:
    assert {_kind(w) for w in ("samarskii", "samarskiy", "samarsky", "samara")} == {REGION}
    assert {_kind(w) for w in ("filial", "branch", "predstavitelstvo", "severo")} == {BRANCH}
    assert {_kind(w) for w in ("xiii", "13", "2")} == {NUMBER}
    assert [roman_value(w) for w in ("i", "iv", "xiii", "mix")] == [None, 4, 13, None]
    assert mark_of("romashka") is None
    assert relative_adjective("дагестан") == "дагестанский"
    assert relative_adjective("бурятия") == "бурятский"
    assert relative_adjective("адыгея") == "адыгейский"
    assert relative_adjective("москва") == "московский"


def test_the_explanation_says_the_number_branch_or_region_marks_another_entity() -> None:
    said = render(explain_words("ООО «Ромашка-2»", "ООО «Ромашка»", "Company"))
    assert "one name adds a number (2): likely a different entity" in said
    said = render(explain_words("Филиал ООО «Ромашка» Самарский", "ООО «Ромашка»", "Company"))
    assert "differ by a branch word (Filial)" in said
    assert "differ by a region (Samarsky)" in said
    said = render(explain_words("ООО «Ромашка»", "АО «Ромашка»", "Company"))
    assert "a Russian company may have changed one into the other" in said


def test_the_labelled_firm_pairs_are_generated_again_identically() -> None:
    generator = _module(ROOT / "bench" / "labelled" / "firms.py")
    committed = (ROOT / "bench" / "labelled" / "firms.jsonl").read_text(encoding="utf-8")
    assert generator.lines() == committed.splitlines()


def test_every_class_of_the_labelled_firm_pairs_is_decided_right() -> None:
    """At least 95 % of each class, by the pair scorer (names only) and by screening."""
    bench = _module(ROOT / "bench" / "firm_names.py")
    rows = bench.read(ROOT / "bench" / "labelled" / "firms.jsonl")
    pair, screened = bench.decide(rows)
    by_names = [i for i, row in enumerate(rows) if not bench._extra_evidence(row)]
    for decided, chosen in ((pair, by_names), (screened, list(range(len(rows))))):
        found = bench.metrics([rows[i] for i in chosen], [decided[i] for i in chosen])
        for kind, figures in found["correct_by_class"].items():
            assert figures["correct"] >= 0.95, (kind, figures)
    assert {row["class"] for row in rows} >= {
        "firm_number_added",
        "firm_branch_added",
        "firm_region_added",
        "legal_form_conversion",
        "legal_form_english",
        "quotes_order",
        "shared_identifier",
        "listed_alias",
    }


def test_a_marked_word_in_another_spelling_is_the_same_word() -> None:
    """Volga (a federal district's word) against the German Wolga, and Samarskiy against
    Самарский, pair as spellings of one word: nothing is added."""
    assert is_match("Volga Free Press", "Wolga Free Press", "Company")
    assert is_match("Samarskiy filial Romashka", "Самарский филиал Ромашка", "Company")
    assert not is_match("Samara Romashka", "Saratov Romashka", "Company")
