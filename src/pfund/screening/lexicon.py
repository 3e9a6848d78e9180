"""What rigour knows about single words of names: given-name equivalents and places.

rigour (OpenSanctions' name library) tags name parts with symbols from maintained
corpora: ``NAME`` symbols group spellings of one given name across languages and
scripts (Aleksandr, Alexander, Sasha, Александр share one), ``NICK`` symbols join a
nickname to its full name (Ted and Theodore, Ben and Benjamin), and ``LOC`` symbols mark
countries and other places (Estonia, México). Words are looked up one at a time and
cached: a watchlist repeats its words, and a word's symbols do not depend on its
neighbours for these categories.
"""

from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from rigour.names import NameTypeTag, analyze_names

from pfund.screening.translit import WORD_CACHE_SIZE

_PERSON_CATEGORIES: Final = frozenset({"NAME", "NICK"})


def _symbols(word: str, kind: NameTypeTag, categories: frozenset[str]) -> frozenset[str]:
    found: set[str] = set()
    analysed = analyze_names(
        kind, [word], consolidate=False, phonetics=False, numerics=False, rewrite=False
    )
    for name in analysed:
        for span in name.spans:
            category = span.symbol.category.value
            if category in categories and len(span.parts) == 1:
                found.add(f"{category}:{span.symbol.id}")
    return frozenset(found)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def given_name_symbols(word: str) -> frozenset[str]:
    """rigour's symbols for a word read as a person's name part: two words sharing one
    are spellings or nicknames of one name (Ted and Theodore, Sasha and Aleksandr)."""
    if len(word) < 2:
        return frozenset()
    return _symbols(word, NameTypeTag.PER, _PERSON_CATEGORIES)


# Listed firms' words that name no place (``ready_places``): most of a list's firm words,
# each held in a set's slot, a few dozen bytes, rather than an entry of ``_place``'s
# cache, over a hundred. Readied in the LRU caches instead, these and the other words
# readied for a first pass raised the peak memory at 1,000,000 by 80-95 MiB, past 4 GB
# (bench/README.md, session 23).
_NO_PLACE: Final[set[str]] = set()


def place(word: str) -> str | None:
    """The territory code rigour gives a word of an organisation's name (``ee`` for
    Estonia, ``mx`` for Mexico), or ``None`` when the word names no place."""
    if word in _NO_PLACE:
        return None
    return _place(word)


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _place(word: str) -> str | None:
    if len(word) < 3:
        return None
    codes = _symbols(word, NameTypeTag.ORG, frozenset({"LOC"}))
    return min(codes).split(":", 1)[1] if codes else None


def ready_places(words: Iterable[str]) -> None:
    """Work out now whether each of these listed firms' words names a place, so that
    screening finds it ready (``features.place_differs``): building the index calls this
    for every firm word, where a first screening pass over a million entities otherwise
    looked rigour up for the listed firms it met (1.6 % of its time, ``perf``)."""
    for word in words:
        if word in _NO_PLACE:
            continue
        if _place.__wrapped__(word) is None:
            _NO_PLACE.add(word)
        else:
            _place(word)


def load() -> None:
    """Load rigour's taggers now rather than on the first word looked up. The person
    tagger holds a corpus of given names (about 6 CPU seconds and 380 MiB the first
    time); an index loads it while it is built, so that no query pays for it."""
    given_name_symbols("ivan")
    place("russia")
