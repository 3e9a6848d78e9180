"""Company legal forms: recognise, strip and canonicalise them.

Legal forms are matched on whole tokens after transliteration and lower-casing, so
``ООО``, ``OOO`` and ``L.L.C.`` are all found; Cyrillic spellings in the table are
transliterated with every scheme of ``translit``. Each canonical form belongs to a
family; two forms in different families (a limited company against a joint-stock
company) point to different legal persons.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import OSA
from rigour.names import extract_org_types

from pfund.screening.translit import ascii_word, latin_spellings, tokenise

# canonical form -> (family, spellings). НАО (непубличное акционерное общество, Civil Code
# art. 66.3 since Federal Law No. 99-FZ of 5 May 2014) is a joint-stock company like АО.
LEGAL_FORMS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "llc": ("limited", ("ооо", "общество с ограниченной ответственностью", "llc", "ltd",
                        "limited", "limited liability company", "sp z oo", "tov", "тов")),
    "gmbh": ("limited", ("gmbh", "gesellschaft mit beschrankter haftung")),
    "sarl": ("limited", ("sarl", "srl", "bv", "societatea cu raspundere limitata")),
    "jsc": ("stock", ("ао", "акционерное общество", "jsc", "joint stock company", "нао",
                      "непубличное акционерное общество", "non public joint stock company")),
    "pjsc": ("stock", ("пао", "публичное акционерное общество", "pjsc",
                       "public joint stock company")),
    "cjsc": ("stock", ("зао", "закрытое акционерное общество", "cjsc",
                       "closed joint stock company")),
    "ojsc": ("stock", ("оао", "открытое акционерное общество", "ojsc",
                       "open joint stock company")),
    "ag": ("stock", ("ag", "aktiengesellschaft", "ab", "a s", "as")),
    "sa": ("stock", ("sa", "sas", "societe anonyme", "nv")),
    "plc": ("stock", ("plc", "public limited company")),
    "inc": ("stock", ("inc", "incorporated")),
    "ie": ("sole", ("ип", "индивидуальный предприниматель", "individual entrepreneur")),
    "nko": ("nonprofit", ("ано", "нко", "автономная некоммерческая организация")),
    "llp": ("partnership", ("lp", "llp", "limited partnership")),
    "co": ("generic", ("co", "company", "corp", "corporation")),
}  # fmt: skip


# Generic types in rigour's org_types table (OpenSanctions, resources/names/org_types.yml,
# built from OCCRP's list, ISO 20275 and Wikipedia) of the Russian business companies
# (хозяйственные общества, Civil Code art. 66): a limited company and a joint-stock one.
RUSSIAN_COMPANY_TYPES: Final = frozenset({"llc", "jsc"})


def _russian_company_forms() -> frozenset[str]:
    """The canonical forms a Russian business company may hold in turn: those with a
    Cyrillic spelling that rigour reads as a limited or joint-stock company (ООО, АО,
    ЗАО, ОАО, ПАО). ООО and АО turn into each other by transformation (Civil Code art.
    92); ЗАО and ОАО became non-public and public АО (Federal Law No. 99-FZ of 5 May
    2014, art. 3), so a list may give any of these forms for one company."""
    found = set()
    for form, (_, spellings) in LEGAL_FORMS.items():
        cyrillic = [spelling for spelling in spellings if not spelling.isascii()]
        generic = {
            kind for spelling in cyrillic for _, kind in extract_org_types(spelling, generic=True)
        }
        if generic and generic <= RUSSIAN_COMPANY_TYPES:
            found.add(form)
    return frozenset(found)


CONVERTIBLE_RU: Final = _russian_company_forms()


def _phrases() -> tuple[tuple[tuple[str, ...], str], ...]:
    found = {
        tuple(ascii_word(word) for word in tokenise(latin)): form
        for form, (_, spellings) in LEGAL_FORMS.items()
        for spelling in spellings
        for latin in latin_spellings(spelling)
    }
    return tuple(sorted(found.items(), key=lambda item: (-len(item[0]), item[0])))


PHRASES: Final = _phrases()
_LONGEST: Final = max(len(phrase) for phrase, _ in PHRASES)
# Phrases by all but their last word, for names whose last word was cut off.
_BY_HEAD: Final[dict[tuple[str, ...], list[tuple[str, str]]]] = {}
for _phrase, _form in PHRASES:
    _BY_HEAD.setdefault(_phrase[:-1], []).append((_phrase[-1], _form))
# Phrases by their first word, longest first, so a position is checked against few.
_BY_FIRST: Final[dict[str, list[tuple[tuple[str, ...], str]]]] = {}
for _phrase, _form in PHRASES:
    _BY_FIRST.setdefault(_phrase[0], []).append((_phrase, _form))


@dataclass(frozen=True)
class Stripped:
    """Tokens of a name with its legal forms taken out, and the canonical forms found."""

    tokens: tuple[str, ...]
    forms: frozenset[str]


TRUNCATED_MIN: Final = 4  # a cut-off last word must keep this many letters to count


# Long words of legal forms, which clerks misspell (Aktiengeselschaft, Joynt Stock): a word
# at least this long, one edit from one (two from a word of ten letters or more), is read
# as that word.
MISSPELT_MIN_LENGTH: Final = 5
_LONG_WORDS: Final = tuple(
    sorted({word for phrase, _ in PHRASES for word in phrase if len(word) >= MISSPELT_MIN_LENGTH})
)


# Listed firms' words that misspell no legal-form word (``ready_legal_form_words``), held
# in a set's slot rather than an entry of ``_misspelt``'s cache (as ``lexicon._NO_PLACE``).
_NOT_MISSPELT: Final[set[str]] = set()


def _spelt(word: str) -> str:
    """The legal-form word that ``word`` misspells, else ``word`` itself."""
    if word in _NOT_MISSPELT:
        return word
    return _misspelt(word)


@lru_cache(maxsize=2**16)
def _misspelt(word: str) -> str:
    """``_spelt``, cached: a firm's words recur from name to name and the search runs
    over every long word."""
    if len(word) < MISSPELT_MIN_LENGTH or word in _LONG_WORDS:
        return word
    edits = 1 if len(word) < 10 else 2
    found = process.extractOne(word, _LONG_WORDS, scorer=OSA.distance, score_cutoff=edits)
    return str(found[0]) if found else word


def ready_legal_form_words(words: Iterable[str]) -> None:
    """Work out now which of these listed firms' words misspell a legal-form word, so
    that screening finds them ready (``strip_legal_forms``): building the index calls
    this for every firm word. ``_misspelt``'s cache alone, at 2 ** 16 entries, churned
    through a million entities' firm words and was missed 3.3 times a query (an
    ``extractOne`` each) in a first screening pass."""
    for word in words:
        if word in _NOT_MISSPELT:
            continue
        if _misspelt.__wrapped__(word) == word:
            _NOT_MISSPELT.add(word)
        else:
            _misspelt(word)


def single_word_form(word: str) -> str | None:
    """The canonical legal form that one word is by itself (ооо and ooo are ``llc``,
    оао and ojsc ``ojsc``), else ``None``: the candidate index orders candidates by
    their words with these canonical forms, so that OJSC and ОАО cost no likeness."""
    for phrase, form in _BY_FIRST.get(ascii_word(word), ()):
        if len(phrase) == 1:
            return form
    return None


def _phrase_at(tokens: tuple[str, ...], start: int) -> tuple[int, str] | None:
    for phrase, form in _BY_FIRST.get(tokens[start], ()):
        if tokens[start : start + len(phrase)] == phrase:
            return len(phrase), form
    return _truncated_at(tokens, start) or _misspelt_at(tokens, start)


def _misspelt_at(tokens: tuple[str, ...], start: int) -> tuple[int, str] | None:
    """A phrase some of whose long words are misspelt (Joynt Stock Company)."""
    first = _spelt(tokens[start])
    if first == tokens[start] and len(first) < MISSPELT_MIN_LENGTH:
        return None
    for phrase, form in _BY_FIRST.get(first, ()):
        window = tokens[start : start + len(phrase)]
        if len(window) == len(phrase) and tuple(_spelt(word) for word in window) == phrase:
            return len(phrase), form
    return None


def _truncated_at(tokens: tuple[str, ...], start: int) -> tuple[int, str] | None:
    """A phrase with which the name ends, cut off inside its last word, as fixed-width
    list fields do (JOINT STOCK COMPAN for JOINT STOCK COMPANY)."""
    found = tokens[start:]
    if len(found) > _LONGEST or len(found[-1]) < TRUNCATED_MIN:
        return None
    for last, form in _BY_HEAD.get(found[:-1], ()):
        if last.startswith(found[-1]):
            return len(found), form
    return None


def strip_legal_forms(tokens: tuple[str, ...]) -> Stripped:
    """Remove legal-form tokens; keep them all when nothing else would be left."""
    kept: list[str] = []
    forms: set[str] = set()
    index = 0
    while index < len(tokens):
        found = _phrase_at(tokens, index)
        if found is None:
            kept.append(tokens[index])
            index += 1
            continue
        forms.add(found[1])
        index += found[0]
    if not kept:
        return Stripped(tokens, frozenset(forms))
    return Stripped(tuple(kept), frozenset(forms))


def family(form: str) -> str:
    """The family of a canonical legal form (``limited``, ``stock``, ...)."""
    return LEGAL_FORMS[form][0]
