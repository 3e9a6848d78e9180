"""Normalise a name into comparable forms.

A name is transliterated (Cyrillic with several iuliia schemes, any other script with
ICU through normality), lower-cased, stripped of punctuation and split into tokens.
Each token keeps its plain Latin ``text`` and a phonetic ``key`` (see ``phonetic``).
Company legal forms are taken out and canonicalised; patronymics are marked optional.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from pfund.screening.legal_forms import strip_legal_forms
from pfund.screening.phonetic import fold
from pfund.screening.translit import ascii_word, latin_spellings, tokenise

PERSON = "Person"
ORGANISATION_SCHEMAS = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})

_PATRONYMIC = re.compile(r"(?:[oe]vi|i)C(?:na)?$|[oe]vna$")


@dataclass(frozen=True)
class Token:
    """One word of a name: plain Latin ``text``, phonetic ``key``, optional if patronymic."""

    text: str
    key: str
    optional: bool = False


@dataclass(frozen=True)
class Form:
    """One spelling of a name, ready to compare, with the legal forms found in it."""

    tokens: tuple[Token, ...]
    legal_forms: frozenset[str]

    @property
    def required(self) -> tuple[Token, ...]:
        """Tokens that must find a counterpart (all but patronymics)."""
        return tuple(token for token in self.tokens if not token.optional)


def _key(token: str) -> str:
    symbols = fold(token)
    return "".join(char if char.isupper() else ascii_word(char) for char in symbols)


def _is_patronymic(key: str, position: int, count: int) -> bool:
    return count >= 3 and position > 0 and bool(_PATRONYMIC.search(key))


def _words(spelling: str) -> tuple[tuple[str, str], ...]:
    """Pairs of (ascii text, phonetic key); a word ICU spells as several becomes several."""
    pairs: list[tuple[str, str]] = []
    for word in tokenise(spelling):
        parts = tokenise(ascii_word(word)) or (word,)
        keys = [_key(word)] if len(parts) == 1 else [_key(part) for part in parts]
        pairs.extend(zip(parts, keys, strict=True))
    return tuple(pairs)


def _form(spelling: str, *, organisation: bool) -> Form:
    found = _words(spelling)
    pairs = dict(found)
    words = tuple(text for text, _ in found)
    stripped = strip_legal_forms(words) if organisation else None
    words = stripped.tokens if stripped else words
    keys = [pairs[word] for word in words]
    tokens = tuple(
        Token(word, key, optional=not organisation and _is_patronymic(key, i, len(words)))
        for i, (word, key) in enumerate(zip(words, keys, strict=True))
    )
    return Form(tokens, stripped.forms if stripped else frozenset())


def is_organisation(schema: str) -> bool:
    """Whether names of this schema may carry a legal form (anything but a Person)."""
    return schema != PERSON


@lru_cache(maxsize=4096)
def forms(name: str, schema: str = PERSON) -> tuple[Form, ...]:
    """All distinct comparable forms of a name (one per transliteration that differs)."""
    organisation = is_organisation(schema)
    built = (_form(spelling, organisation=organisation) for spelling in latin_spellings(name))
    return tuple(dict.fromkeys(form for form in built if form.tokens))
