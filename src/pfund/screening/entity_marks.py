"""Words that mark another entity within an organisation's name: numbers, branch words
and regions.

"Уральская горно-металлургическая компания-2", "Филиал ООО «Ромашка»" and "ООО
«Ромашка Самарский»" share every other word with the listed firm, so word similarity
calls them the same; yet a numbered firm is a separate registration, a branch
(филиал, представительство: Civil Code of the Russian Federation, art. 55) acts for its
parent but is named apart, and a regional company carries its region's name because it
is a legal person of its own. A mark that one name has and the other lacks, or that the
two names give differently, is evidence of a different entity (``features.marked_apart``).

The words are recognised on the Latin tokens that screening compares, so every Russian
word here is spelt with every transliteration scheme of ``translit``, as legal forms are.
Regions come from the fund's own region table (``pfund/data/rpf/regions.csv``: the
English name's distinctive words, and the Russian name's adjective in every gender,
number and common case); a region named by a noun (Москва, Дагестан) gets its relative
adjective by the suffix -ск- (Русская грамматика, АН СССР, 1980, vol. 1, relative
adjectives: Дагестан → дагестанский, Бурятия → бурятский, Адыгея → адыгейский), with the
irregular ones listed in ``IRREGULAR_ADJECTIVES``. Directions and the names of the federal
districts (Presidential Decree No. 849 of 13 May 2000, as amended: Центральный,
Северо-Западный, ...) name a macro-region a branch serves, so they count as branch words.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Final

from pfund.screening.translit import WORD_CACHE_SIZE, ascii_word, latin_spellings, tokenise

NUMBER: Final = "number"
BRANCH: Final = "branch"
REGION: Final = "region"

# Russian words for a branch or a division (Civil Code art. 55: филиал, представительство)
# and the directions and federal districts a branch is named for (Decree No. 849 of 13 May
# 2000: Центральный, Северо-Западный, Южный, Северо-Кавказский, Приволжский, Уральский,
# Сибирский, Дальневосточный федеральный округ). Each word stands for itself: "Уральская
# компания" and "Филиал Уральской компании" differ by филиал.
BRANCH_NOUNS_RU: Final = ("филиал", "представительство", "отделение", "подразделение", "дивизион")
BRANCH_ADJECTIVES_RU: Final = (
    "региональный", "межрегиональный", "территориальный", "северный", "южный", "западный",
    "восточный", "центральный", "приволжский", "уральский", "сибирский", "дальневосточный",
    "кавказский",
)  # fmt: skip
# First halves of compound direction adjectives (Северо-Западный, Юго-Восточный), which
# tokenising splits off at the hyphen, and the adjectives they shorten.
BRANCH_PREFIXES_RU: Final = {"северо": "северный", "юго": "южный"}
# English words for the same, by the Russian word each renders.
BRANCH_WORDS_EN: Final = {
    "branch": "филиал", "branches": "филиал", "filial": "филиал",
    "representative": "представительство",
    "division": "подразделение", "subsidiary": "дочерний",
    "regional": "региональный", "region": "региональный",
    "interregional": "межрегиональный", "territorial": "территориальный",
    "north": "северный", "northern": "северный", "south": "южный", "southern": "южный",
    "east": "восточный", "eastern": "восточный", "west": "западный", "western": "западный",
    "central": "центральный", "volga": "приволжский", "siberian": "сибирский",
    "caucasian": "кавказский", "ural": "уральский", "urals": "уральский",
}  # fmt: skip
# Left out as too common on their own: "office" (Head Office, Post Office) and "far"
# (Far Eastern is read by "eastern").

# Words of the English region names that say what kind of region it is, not which.
REGION_KIND_WORDS: Final = frozenset(
    {"republic", "of", "the", "oblast", "krai", "autonomous", "okrug", "yugra", "saint",
     "north", "jewish", "el", "city", "federal"}
)  # fmt: skip
REGION_KIND_WORDS_RU: Final = frozenset(
    {"республика", "край", "область", "автономный", "автономная", "округ"}
)
# Relative adjectives the -ск- rule does not give (the forms the regions' own bodies use:
# Московская городская дума, Карельская республиканская больница).
IRREGULAR_ADJECTIVES: Final = {
    "москва": "московский",
    "калмыкия": "калмыцкий",
    "карелия": "карельский",
    "тыва": "тувинский",
    "югра": "югорский",
    "марий": "марийский",
    "саха": "",
    "коми": "",
    "эл": "",
}
# Adjective endings: nominative of each gender and the plural, genitive, dative,
# accusative, instrumental and prepositional, hard and soft (Русская грамматика, 1980).
ADJECTIVE_ENDINGS: Final = (
    "ий", "ый", "ой", "ая", "яя", "ое", "ее", "ие", "ые", "ого", "его", "ому", "ему", "ую",
    "юю", "ым", "им", "ом", "ем", "ых", "их", "ыми", "ими",
)  # fmt: skip
MIN_REGION_WORD: Final = 4  # shorter English region words (El, Tula is 4) are too ambiguous


@dataclass(frozen=True)
class Mark:
    """A word of a name that marks an entity of its own: its kind and what it names
    (the number, the Russian branch word, or the codes of the regions it may name)."""

    kind: str
    names: frozenset[str]
    word: str


def latin_words(russian: str) -> set[str]:
    """A Russian word in every transliteration scheme, as screening tokenises it."""
    return {
        ascii_word(token) for spelling in latin_spellings(russian) for token in tokenise(spelling)
    }


def adjective_forms(adjective: str) -> set[str]:
    """Every ending of a Russian adjective given in the nominative (самарская, уральский)."""
    stem = adjective[:-2]
    return {stem + ending for ending in ADJECTIVE_ENDINGS}


def relative_adjective(noun: str) -> str:
    """The relative adjective of a Russian place noun by the suffix -ск-: Бурятия →
    бурятский, Адыгея → адыгейский, Дагестан → дагестанский; irregular ones listed."""
    if noun in IRREGULAR_ADJECTIVES:
        return IRREGULAR_ADJECTIVES[noun]
    if noun.endswith("ия"):
        return noun[:-2] + "ский"
    if noun.endswith("ея"):
        return noun[:-2] + "ейский"
    if noun[-1] in "аяо":
        return noun[:-1] + "ский"
    return noun + "ский"


def _is_adjective(word: str) -> bool:
    return word.endswith(("ий", "ый", "ой", "ая", "яя"))


def _region_rows() -> list[dict[str, str]]:
    table = files("pfund.data") / "rpf" / "regions.csv"
    with table.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _russian_region_words(name: str) -> set[str]:
    """Latin spellings of a Russian region name's distinctive words and their adjectives."""
    found: set[str] = set()
    for word in name.lower().replace("(", " ").replace(")", " ").split():
        for part in word.split("-"):
            if part in REGION_KIND_WORDS_RU or len(part) < 2:
                continue
            russian = {part}
            adjective = part if _is_adjective(part) else relative_adjective(part)
            if adjective:
                russian |= adjective_forms(adjective)
            for form in russian:
                found |= latin_words(form)
    return found


def _english_region_words(name: str) -> set[str]:
    return {
        ascii_word(token)
        for token in tokenise(name)
        if token not in REGION_KIND_WORDS and len(token) >= MIN_REGION_WORD
    }


@cache
def region_words() -> dict[str, frozenset[str]]:
    """Each Latin region word and the codes of the regions it may name (Moscow names the
    city and the oblast; "Moskovskii" both too)."""
    found: dict[str, set[str]] = {}
    for row in _region_rows():
        words = _russian_region_words(row["name_ru"]) | _english_region_words(row["name"])
        for word in words - branch_words().keys():
            found.setdefault(word, set()).add(row["code"])
    return {word: frozenset(codes) for word, codes in found.items()}


@cache
def branch_words() -> dict[str, str]:
    """Latin spellings of the branch words, directions and federal districts, each with
    the Russian word it stands for (so that филиал and branch agree)."""
    found = dict(BRANCH_WORDS_EN)
    for noun in BRANCH_NOUNS_RU:
        for form in (noun, noun + "а", noun + "е", noun + "у", noun + "ом", noun + "ы"):
            found.update(dict.fromkeys(latin_words(form), noun))
    for adjective in BRANCH_ADJECTIVES_RU:
        for form in adjective_forms(adjective):
            found.update(dict.fromkeys(latin_words(form), adjective))
    for prefix, adjective in BRANCH_PREFIXES_RU.items():
        found.update(dict.fromkeys(latin_words(prefix), adjective))
    return found


# Roman numerals up to 39, the range of series and branch numbers (larger ones spell
# words: DC, MIX); a lone I is more often an initial.
ROMAN: Final = re.compile(r"^x{0,3}(?:ix|iv|v?i{0,3})$")
_ROMAN_VALUES: Final = {"i": 1, "v": 5, "x": 10}


def roman_value(word: str) -> int | None:
    """The value of a Roman numeral of up to 39 (``xiii`` is 13), else ``None``."""
    if word in {"", "i"} or not ROMAN.match(word):
        return None
    values = [_ROMAN_VALUES[char] for char in word]
    return sum(-v if v < n else v for v, n in zip(values, [*values[1:], 0], strict=True))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def mark_of(word: str) -> Mark | None:
    """The mark a Latin word of an organisation's name carries, if any."""
    if word.isdigit():
        return Mark(NUMBER, frozenset({str(int(word))}), word)
    roman = roman_value(word)
    if roman is not None:
        return Mark(NUMBER, frozenset({str(roman)}), word)
    concept = branch_words().get(word)
    if concept is not None:
        return Mark(BRANCH, frozenset({concept}), word)
    codes = region_words().get(word)
    return Mark(REGION, codes, word) if codes else None


def marks(words: Iterable[str]) -> list[Mark]:
    """The marks among the words of one name, in order."""
    return [mark for mark in map(mark_of, words) if mark is not None]


def unshared(one: list[Mark], other: list[Mark]) -> list[Mark]:
    """Marks of ``one`` with no mark of the same kind naming the same thing in ``other``.
    A number counts only when ``other`` has none: two names numbered differently (Fund
    III and Fund IV, Trust 2004-1 and 2004-2) are left to the fitted features, since the
    OpenSanctions benchmark labels such series of one sponsor as matches."""
    numbered = any(theirs.kind == NUMBER for theirs in other)
    return [
        mark
        for mark in one
        if not (mark.kind == NUMBER and numbered)
        and not any(mark.kind == theirs.kind and mark.names & theirs.names for theirs in other)
    ]


def differing(left: Iterable[str], right: Iterable[str]) -> list[Mark]:
    """The marks that set two names apart: those of either name the other does not share
    (филиал and branch are one word, Самарский and Samara one region)."""
    one, other = marks(left), marks(right)
    return unshared(one, other) + unshared(other, one)
