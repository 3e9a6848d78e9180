"""Normalise a name into comparable forms.

A name is transliterated (Cyrillic with several iuliia schemes, any other script with
ICU through normality), lower-cased, stripped of punctuation and split into tokens.
Each token keeps its plain Latin ``text`` and a phonetic ``key`` (see ``phonetic``).
Company legal forms are taken out and canonicalised; a person's patronymic is marked
optional (one per name: a surname ending like a patronymic is read both ways, ``readings``).
Honorifics that open a person's name (Mr, Dr, President, Präsident) are dropped with
rigour's list; Arabic name particles are written one way (ibn, ben, bn as bin; el, ul as
al), since they are spelling variants of the same word.
"""

import re
from functools import lru_cache
from typing import Final, NamedTuple

from rigour._core import stopwords_list
from rigour.names import remove_obj_prefixes, remove_person_prefixes

from pfund.screening.legal_forms import strip_legal_forms
from pfund.screening.phonetic import fold
from pfund.screening.translit import WORD_CACHE_SIZE, ascii_word, latin_spellings, tokenise

PERSON: Final = "Person"
OBJECT_SCHEMAS: Final = frozenset({"Vessel", "Airplane"})
ORGANISATION_SCHEMAS: Final = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})

# Endings of patronymics, on phonetic keys (C is ч, w folds to v, and ch before n to h):
# Russian -ович/-евич/-ич, -овна/-евна and -ична (Ильинична, Кузьминична: the daughter of
# a father whose name ends in -а, -я); Ukrainian -ович/-йович and -івна/-ївна
# (Володимирівна, Іллівна); Belarusian -авіч/-евіч and -аўна/-еўна, ў romanised w, u or ŭ
# (Аляксандраўна, Aliaksandrauna). After the sections "Patronymic" of Wikipedia's
# "Eastern Slavic naming customs", "Ukrainian name" and "Belarusian name".
_PATRONYMIC: Final = re.compile(r"(?:[oea]vi|i)C(?:na)?$|[oeai]vna$|[ae]una$|i[Ch]na$")
# What patronymic_stem strips: the ending with its linking vowel (Petr-ovich, Volodymyr-
# ivna and Vladimir-ovna), and the -in- of -инична (Ильинична and Іллівна are Ilya's).
_PATRONYMIC_ENDING: Final = re.compile(r"(?:[oeai]?vi)?C(?:na)?$|[oeai]?[vu]na$|(?:in)?i[Ch]na$")
# Spellings of Arabic particles: "son of" and the article. "ben" only after the first word,
# where it cannot be the given name Ben.
PARTICLES: Final[dict[str, str]] = {"ibn": "bin", "bn": "bin", "el": "al", "ul": "al"}
LATER_PARTICLES: Final[dict[str, str]] = PARTICLES | {"ben": "bin"}
# Function words of many languages (the, of, de, und, и), from rigour's list: in an
# organisation's name they need no counterpart (The World Bank is World Bank).
ORGANISATION_STOPWORDS: Final = frozenset(
    ascii_word(word) for word in stopwords_list() if word.isalpha() and ascii_word(word)
)


class Token(NamedTuple):
    """One word of a name: plain Latin ``text``, phonetic ``key``, optional if a person's
    patronymic or an organisation's function word.

    A named tuple rather than a dataclass: tokens are hashed and compared in the inner
    loops of screening, and tuples do both in C."""

    text: str
    key: str
    optional: bool = False


class Form(NamedTuple):
    """One spelling of a name, ready to compare, with the legal forms found in it."""

    tokens: tuple[Token, ...]
    legal_forms: frozenset[str]

    @property
    def required(self) -> tuple[Token, ...]:
        """Tokens that must find a counterpart (all but patronymics)."""
        return tuple(token for token in self.tokens if not token.optional)


def word_key(token: str) -> str:
    """The phonetic key of one plain lower-case word (see ``phonetic.fold``)."""
    symbols = fold(token)
    if symbols.isascii():
        return symbols
    return "".join(char if char.isupper() else ascii_word(char) for char in symbols)


def patronymic_stem(key: str) -> str:
    """The father's name in a patronymic key, without the ending every patronymic shares
    and its linking vowel (``petroviC`` and ``petrovna`` give ``petr``, ``iureviC``
    gives ``iur``, Ukrainian ``volodimirivna`` gives ``volodimir``)."""
    stem = _PATRONYMIC_ENDING.sub("", key)
    return stem if len(stem) >= 3 else key


def patronymic_positions(keys: tuple[str, ...]) -> tuple[int, ...]:
    """Positions of the words of a person's name that could be its patronymic: in a name of
    three words or more, any but the first that ends like one. A name has one patronymic,
    but surnames end like patronymics too (Abramovich, Rabinovich, Petrovich)."""
    if len(keys) < 3:
        return ()
    return tuple(i for i, key in enumerate(keys) if i and _ends_like_patronymic(key))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _ends_like_patronymic(key: str) -> bool:
    return _PATRONYMIC.search(key) is not None


def _is_optional(word: str, position: int, count: int, patronymic: int | None) -> bool:
    """Whether a word may lack a counterpart: a person's patronymic (``patronymic`` is its
    position, ``None`` for an organisation), an organisation's function word (unless the
    name is nothing else)."""
    if patronymic is None:
        return count > 1 and word in ORGANISATION_STOPWORDS
    return position == patronymic


def _words(spelling: str) -> tuple[tuple[str, str], ...]:
    """Pairs of (ascii text, phonetic key); a word ICU spells as several becomes several.
    Worked out for each run of the spelling between spaces, cached: ``tokenise`` splits
    at a space and none of its steps looks across one, and the listed names that
    screening parses again for each query repeat their words."""
    return tuple(pair for part in spelling.split(" ") for pair in _part_words(part))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _part_words(part: str) -> tuple[tuple[str, str], ...]:
    """``_words`` of a spelling without spaces."""
    return tuple(pair for word in tokenise(part) for pair in _word_pairs(word))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word_pairs(word: str) -> tuple[tuple[str, str], ...]:
    """(ascii text, phonetic key) of one token, cached: watchlists repeat their words."""
    parts = tokenise(ascii_word(word)) or (word,)
    keys = [word_key(word)] if len(parts) == 1 else [word_key(part) for part in parts]
    return tuple(zip(parts, keys, strict=True))


def _form(spelling: str, *, organisation: bool) -> Form:
    found = _words(spelling)
    pairs = dict(found)
    words = tuple(text for text, _ in found)
    if organisation:
        stripped = strip_legal_forms(words)
        words = stripped.tokens
        count = len(words)
        return Form(
            tuple(
                _token(word, pairs[word], _is_optional(word, i, count, None), i > 0)
                for i, word in enumerate(words)
            ),
            stripped.forms,
        )
    keys = tuple(pairs[word] for word in words)
    # The first word that could be the patronymic is read as it (Given Patronymic Surname,
    # Surname Given Patronymic); ``readings`` gives the others.
    patronymic = next(iter(patronymic_positions(keys)), -1)
    tokens = tuple(
        _token(word, key, i == patronymic, i > 0)
        for i, (word, key) in enumerate(zip(words, keys, strict=True))
    )
    return Form(tokens, _NO_LEGAL_FORMS)


_NO_LEGAL_FORMS: Final[frozenset[str]] = frozenset()


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _token(word: str, key: str, optional: bool, later: bool) -> Token:
    """The token of a word (``_particle``), cached: screening parses the listed names
    again for each query, and their words repeat."""
    return _particle(int(later), Token(word, key, optional))


@lru_cache(maxsize=4096)
def readings(form: Form, schema: str = PERSON) -> tuple[Form, ...]:
    """The ways to read a person's name that has more than one word ending like a
    patronymic: one reading per such word taken as the patronymic, the others as names.
    Ivan Sergeevich Rabinovich has Sergeevich as its patronymic, Ivan Rabinovich Sergeevich
    (a list's order) its last word; dropping both would drop the surname. Any other form
    has one reading, itself."""
    if is_organisation(schema):
        return (form,)
    positions = patronymic_positions(tuple(token.key for token in form.tokens))
    if len(positions) < 2:
        return (form,)
    return tuple(
        Form(
            tuple(token._replace(optional=i == at) for i, token in enumerate(form.tokens)),
            form.legal_forms,
        )
        for at in positions
    )


def _particle(position: int, token: Token) -> Token:
    """The token with an Arabic particle written in its one canonical spelling."""
    table = LATER_PARTICLES if position else PARTICLES
    canonical = table.get(token.text)
    return Token(canonical, word_key(canonical), token.optional) if canonical else token


# A slash between words lists alternative names (Al-Qa'ida/Islamic Army); a slash between
# single letters is part of one (A/S, M/V, c/o).
_ALTERNATIVES: Final = re.compile(r"(?<=\w\w)\s*/\s*(?=\w\w)")


def is_organisation(schema: str) -> bool:
    """Whether names of this schema may carry a legal form (anything but a Person)."""
    return schema != PERSON


# How ``spellings`` treats a schema's names: a person's, an object's (a vessel's), any
# other organisation's. Names of two schemas with one rule are spelt alike.
PERSON_SPELLING, OBJECT_SPELLING, ORGANISATION_SPELLING = range(3)


def spelling_rule(schema: str) -> int:
    """Which of the rules above ``spellings`` applies to a name of ``schema``: the index
    keeps each listed name's spellings in its own schema, and a query of another schema
    (a Company against an Organization) can use them where the rule is the same."""
    if not is_organisation(schema):
        return PERSON_SPELLING
    return OBJECT_SPELLING if schema in OBJECT_SCHEMAS else ORGANISATION_SPELLING


@lru_cache(maxsize=4096)
def spellings(name: str, schema: str = PERSON) -> tuple[str, ...]:
    """The Latin spellings of a name (one per transliteration that differs, and of each
    alternative when a slash lists several), a person's
    without the honorifics that open it, a vessel's without the prefix that says what it
    is (MV, M/V, SS: rigour's list)."""
    rule = spelling_rule(schema)
    if rule == PERSON_SPELLING:
        name = remove_person_prefixes(name) or name
    elif rule == OBJECT_SPELLING:
        name = remove_obj_prefixes(name) or name
    alternatives = [name, *(part for part in _ALTERNATIVES.split(name) if part.strip())]
    if len(alternatives) == 2:  # no slash between words
        alternatives = alternatives[:1]
    return tuple(dict.fromkeys(s for part in alternatives for s in latin_spellings(part.strip())))


@lru_cache(maxsize=4096)
def form_of(spelling: str, schema: str = PERSON) -> Form:
    """The comparable form of one spelling (its tokens may be empty)."""
    return _form(spelling, organisation=is_organisation(schema))


@lru_cache(maxsize=4096)
def forms(name: str, schema: str = PERSON) -> tuple[Form, ...]:
    """All distinct comparable forms of a name (one per transliteration that differs)."""
    built = (form_of(spelling, schema) for spelling in spellings(name, schema))
    return tuple(dict.fromkeys(form for form in built if form.tokens))
