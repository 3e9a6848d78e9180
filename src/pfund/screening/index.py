"""A candidate index for screening a name against a large watchlist (blocking).

Scoring every listed name is too slow at a million entities, so the index first finds
candidates: entities sharing phonetic keys with the queried name (every transliteration,
see ``pfund.screening.names``, and the coarse keys of ``phonetic.coarse_keys``, which
meet where the scorer accepts spellings whose keys differ), or sharing an exact
identifier (INN, OGRN, registration number). Keys weigh by inverse document frequency,
``log(N / df)``; a key held by more than ``max_share`` of the entities (ООО, LLC, a very
common first name) tells entities too little apart and is not indexed. A candidate must
gather at least ``min_share`` of the weight of the query's indexed words (a word weighs
as its rarest indexed key, and an entity gathers the rarest of the word's keys it holds);
only candidates are scored.

Postings are numpy ``int32`` arrays of entity positions, sorted, built by one sort of
(key, entity) pairs, never as Python lists of lists.
"""

from __future__ import annotations

import gc
import math
import re
import threading
from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
from mypy_extensions import mypyc_attr
from rapidfuzz import fuzz

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening import legal_forms, lexicon, matrices
from pfund.screening.align import Alignment
from pfund.screening.entity_marks import region_words
from pfund.screening.legal_forms import single_word_form
from pfund.screening.names import (
    _PATRONYMIC,
    PERSON,
    Token,
    forms,
    is_organisation,
    spelling_rule,
)
from pfund.screening.phonetic import COARSE, coarse_keys, fold
from pfund.screening.pool_score import listed_spellings, pool_alignments, ready_words
from pfund.screening.score import (
    THRESHOLD,
    Explanation,
    best_alignment,
    bounded_values,
    explanation,
    feature_values,
    log_odds,
    pool_values,
    values_score,
)
from pfund.screening.translit import tokenise

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
Int16Array = npt.NDArray[np.int16]
# A word's keys and neighbours: (weight, key, whether a neighbour), heaviest first.
Group = list[tuple[float, str, bool]]
# An organisation's one-word legal form is one private-use character among its compact
# keys, the same for every spelling of the form (ООО, OOO and LLC): it weighs as one
# letter when names' words are compared, and differs wholly from another form.
LEGAL_FORM_CHARACTERS: Final = {
    form: chr(0xE000 + number)
    for number, form in enumerate(sorted({form for _, form in legal_forms.PHRASES}))
}
MAX_SHARE: Final = 0.05
MIN_SHARE: Final = 0.5
# A coarse key held by more entities than this share is not indexed: it is a common
# given name's or patronymic's, whose own key is indexed, and scanning its postings for
# every query cost more than it found.
COARSE_MAX_SHARE: Final = 0.01
RERANKED = 300  # candidates by weight ordered again by their words' likeness
# Scoring is most of screening's time (about 0.27 CPU ms a candidate at 1,000,000: 7 ms for
# the 26 a query scores, hits' explanations included), so not every
# candidate is scored: of the candidates in order of likeness (``word_likeness``: each
# query word's best match among the candidate's words, 0-100; ties by how much of the
# candidate the query covers, then by shared key weight), the first ``ALWAYS_SCORED``,
# and of the next up to ``SCORED`` those at least ``ALIKE_MIN`` alike (the scorer accepts
# almost no pair below it) and within ``ALIKE_SPREAD`` of the closest: a query whose
# closest candidates tie (namesakes a syllable apart) has more of them scored than one
# with a clear closest. ``screen`` returns every scored candidate the scorer accepts.
# The spread must reach the names a letter from the query's closest: a misspelt query's
# closest candidate is often a namesake that the misspelling happens to spell (Kavuin is
# Кавуин; the listed Кавоин is a letter away), and on bench/screening_index.py at
# 1,000,000 entities the scorer itself ranks the true entity below ten others for 6.5 %
# of the pairs it accepts (a noisy name has a mean of 38 accepted candidates on the
# generator's syllable lattice). Measured there (495 pairs the scorer accepts, 1,000
# queries): within 5 of the closest and at most 12 (the rule before) 0.9495 of the pairs
# found, 6.4 scored a query; within 10 and at most 40, 0.9899, 16.9 scored; within 15
# and at most 40 (this rule), 0.9919, 26.2 scored; every candidate in the pool would find
# 0.996 (2 of 495 are never candidates). bench/README.md has the figures.
ALWAYS_SCORED: Final = 2
ALIKE_MIN: Final = 70
ALIKE_SPREAD = 15
# The first ``ALIKE_SCORED`` closest at least ``ALIKE_MIN`` alike are scored whatever the
# spread (the rule before it: a firm under a converted legal form is often a few points
# below the closest), so that the spread only adds candidates.
ALIKE_SCORED: Final = 4
SCORED = 40
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
_REPEATED: Final = re.compile(r"(.)\1")
# ``names._PATRONYMIC`` on the lower-cased keys that candidates are ordered by, and the
# share of its length such a word weighs when the query's coverage of a listed person's
# words is measured (``word_likeness``).
_PATRONYMIC_KEY: Final = re.compile(_PATRONYMIC.pattern.lower())
PATRONYMIC_COVERED: Final = 0.5
# A word whose keys are not indexed, or whose listed spelling differs by a letter (a
# misprint, a changed consonant: Бонецев and Bonetoev), meets the listed word through its
# keys' neighbours: the indexed keys from which one deletion, or the query key's one
# deletion, gives the same string (a deletion neighbourhood, as in SymSpell; within
# two edits). A neighbour weighs ``NEAR_DISCOUNT`` of its own weight, so that an exact
# key still counts for more. Keys shorter than ``NEAR_MIN_LENGTH`` have too many
# neighbours to tell anything, and longer than ``NEAR_MAX_LENGTH`` are not tabled.
NEAR_MIN_LENGTH: Final = 4
NEAR_MAX_LENGTH: Final = 24
NEAR_DISCOUNT: Final = 0.8
# A neighbour held by more entities than this (a common first name a letter away from a
# misspelt one) counts only for candidates found otherwise: it would bring more
# candidates than it tells apart. Coarse keys have no neighbours: they are coarse already.
NEAR_MAX_SHARE: Final = 0.00005
NEAR_MAX_POSTINGS: Final = 64
COMMON_COARSE_LENGTH: Final = 5
# A Latin word no listed key spells is also looked up with each of its letters left out
# in turn (``letter_dropped_keys``), from this many letters; what that finds weighs
# ``MISSPELT_DISCOUNT`` of its weight: a step further than a neighbour.
MISSPELT_MIN_LENGTH: Final = 5
MISSPELT_DISCOUNT: Final = NEAR_DISCOUNT * NEAR_DISCOUNT
# Postings longer than this are also held as bitmaps, one bit a listed entity (``_bitmaps``:
# worked out when the index is made or loaded, not pickled; about 1,100 keys and 140 MB at
# 1,000,000), so that which candidates hold such a key (a common surname's coarse key, a
# given name's) is a look-up per candidate, not a binary search in its postings; shorter
# postings are merged per word and looked up among the candidates (``_gathered``).
BITMAP_MIN: Final = 256
# A queried word's group of keys and neighbours (``_indexed_groups``) depends on the word
# and the index alone: given names, patronymics and firms' common words come back query
# after query, and the last this many words' groups are kept (all forgotten when full).
WORD_GROUPS_KEPT: Final = 4096


class _CollectorPaused:
    """The cyclic garbage collector off for a build or a query, and back as it was after.

    A query makes thousands of short-lived objects (a pool's forms, tokens, alignments),
    which start collections of the youngest generation mid-query, and each collection
    reads the headers of the objects they refer to, cache misses all over a heap of
    gigabytes: 13 % of ``screen``'s CPU time at 1,000,000 entities. Screening makes no
    reference cycles (``tests/screening/test_index_memory.py`` checks), so reference
    counting frees all it makes and the collector, off, misses nothing. The index's
    build is the same: millions of objects made to live as long as the index."""

    __slots__ = ("collecting",)

    def __enter__(self) -> None:
        self.collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *raised: object) -> None:
        if self.collecting:
            gc.enable()


class Hit:
    """A listed entity that matches the query, its score and why (``summary``).

    The why is worked out when first read: on a long list a query has many hits (a dozen
    namesakes a query at 1,000,000 entities), a display shows a few, and explaining a hit
    (``score.explanation``, ``summarise``) was an eighth of screening's instructions.
    ``why`` is what it is worked out from: the alignment, its schema and feature values.
    Hits compare, print and pickle (a Dask worker returns them) with their summary as
    text."""

    __slots__ = ("_summary", "_why", "entity_id", "matched", "score")

    def __init__(
        self,
        entity_id: str,
        score: float,
        matched: str,
        summary: str | None = None,
        *,
        why: tuple[Alignment, str, list[float]] | None = None,
    ) -> None:
        if (summary is None) == (why is None):
            raise ValueError("a hit needs its summary or what to work it out from, not both")
        self.entity_id, self.score, self.matched = entity_id, score, matched
        self._summary, self._why = summary, why

    @property
    def summary(self) -> str:
        """The spellings compared and the features that moved the score most."""
        if self._summary is None:
            assert self._why is not None
            alignment, kind, values = self._why
            self._summary = summarise(explanation(alignment, kind, values=values))
            self._why = None
        return self._summary

    def _fields(self) -> tuple[str, float, str, str]:
        return self.entity_id, self.score, self.matched, self.summary

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hit) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        entity_id, score, matched, summary = self._fields()
        return f"Hit({entity_id=}, {score=}, {matched=}, {summary=})"

    def __reduce__(self) -> tuple[type[Hit], tuple[str, float, str, str]]:
        return Hit, self._fields()


@lru_cache(maxsize=2**18)
def word_keys(word: str, organisation: bool) -> tuple[str, ...]:
    """The keys of one word over every transliteration (legal forms dropped): the phonetic
    key the scorer compares, and the coarse keys (``phonetic.coarse_keys``) that bring
    together spellings the scorer still accepts though their keys differ (Khrushchev and
    Chruschtschow, Joukov and Zhukov). A word in Cyrillic is read as its transliterations
    spell it; a Latin word in every reading its letters allow."""
    return _keys_of(word, _word_tokens(word, organisation))


def _word_tokens(word: str, organisation: bool) -> list[Token]:
    """The tokens of every form of one word (each transliteration's)."""
    schema = "Organization" if organisation else PERSON
    return [token for form in forms.__wrapped__(word, schema) for token in form.tokens]


def _keys_of(word: str, tokens: list[Token]) -> tuple[str, ...]:
    """``word_keys`` of a word from its tokens (``_word_tokens``)."""
    ambiguous = not _CYRILLIC.search(word)
    keys = [token.key for token in tokens]
    keys += [key for token in tokens for key in coarse_keys(token.text, ambiguous)]
    return tuple(dict.fromkeys(keys))


def name_keys(name: str, schema: str) -> frozenset[str]:
    """The keys of every word of a name, the unit the index is built on."""
    return frozenset(key for group in word_key_groups(name, schema) for key in group)


def word_key_groups(name: str, schema: str) -> list[tuple[str, ...]]:
    """The keys of each word of a name: a word counts once however many of its keys an
    entity shares. An organisation's one-word legal form (LLC, ПАО) has none: it says
    nothing of which firm is meant."""
    return [keys for _, keys in worded_key_groups(name, schema)]


def worded_key_groups(name: str, schema: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each word of a name (as ``tokenise`` gives it) with its keys (``word_key_groups``)."""
    return _worded(tokenise(name), is_organisation(schema))


def _worded(words: Iterable[str], organisation: bool) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (word, word_keys(word, organisation))
        for word in words
        if not (organisation and single_word_form(word))
    ]


def letter_dropped_keys(word: str) -> list[str]:
    """The phonetic keys of a Latin word with each one of its letters left out in turn
    (``MISSPELT_MIN_LENGTH`` letters at least; a word with other letters has none).

    A romanisation writes one Cyrillic letter with two to four Latin ones (ch, kh, sh, zh,
    ts, shch; BGN/PCGN, ALA-LC, Wikipedia), which the key folds back into one symbol: a
    single letter changed inside such a group (Kechuov written Keohuov, Pashchoin written
    Pashahoin, Shchezheskiy written Sochezheskiy) is one edit in the text but two or three
    in the key, beyond a key's deletion neighbours. With the changed letter left out, the
    word's key is within one edit of the listed key again (kehuov and keCuov). A key
    collapses repeated letters, so a letter changed into the vowel beside it (Chozoyev
    written Choooyev, key Coiev) loses two letters of the key: the variants are keyed
    with their repeated letters kept as well (Cooiev, a deletion from Cozoiev)."""
    if not word.isascii() or not word.isalpha() or len(word) < MISSPELT_MIN_LENGTH:
        return []
    variants = dict.fromkeys(word[:at] + word[at + 1 :] for at in range(len(word)))
    keys = [fold(variant) for variant in variants]
    if _REPEATED.search(word):
        keys += [fold(variant, collapse=False) for variant in variants]
    return list(dict.fromkeys(keys))


def compact_keys(name: str, schema: str) -> str:
    """The phonetic key of each word of a name (its first transliteration's), sorted and
    lower-cased, an organisation's one-word legal forms as their canonical form (ОАО and
    OJSC are one): the words candidates are ordered by (``compact_words``)."""
    return " ".join(spellings[0] for spellings in compact_words(name, schema))


def compact_words(name: str, schema: str) -> tuple[tuple[str, ...], ...]:
    """Each word of a name as its lower-cased phonetic keys, the first transliteration's
    first and then the others' (Кащеенко is kaqenko, and kaqeienko as BGN/PCGN spells
    it), the words in order of their first key. Built from the cached keys of words, so
    that building the index parses no name twice."""
    return _compacted(tokenise(name), is_organisation(schema))


def _compacted(words: Iterable[str], organisation: bool) -> tuple[tuple[str, ...], ...]:
    found = (_compact_word(word, organisation) for word in words)
    return tuple(sorted(spellings for spellings in found if spellings))


@lru_cache(maxsize=64)
def _query_words(name: str) -> tuple[str, ...]:
    """``tokenise`` of a queried name, which the candidate stage reads three times (its
    words' keys, its common words', its compact words): a few queries' worth kept."""
    return tokenise(name)


@lru_cache(maxsize=2**18)
def _compact_word(word: str, organisation: bool) -> tuple[str, ...]:
    form = single_word_form(word) if organisation else None
    if form is not None:
        return (LEGAL_FORM_CHARACTERS[form],)
    return _compact_spellings(word_keys(word, organisation))


def _compact_spellings(keys: tuple[str, ...]) -> tuple[str, ...]:
    """A word's compact spellings from its keys (``_compact_word``, a legal form aside)."""
    return tuple(dict.fromkeys(key.lower() for key in keys if not key.startswith(COARSE)))


def normalise_identifier(value: str) -> str:
    """An identifier compared exactly: upper case without spaces, dashes or dots."""
    return "".join(char for char in value.upper() if char.isalnum())


class _Pairs:
    """(key, entity) pairs gathered in compact arrays while building: each entity's key
    numbers are appended as they come (repeats and all), and ``postings`` sorts the pairs
    once and drops the repeats, so that no Python set or list is built per entity."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.keys = array("i")
        self.counts = array("i")

    def numbers(self, keys: Iterable[str]) -> tuple[int, ...]:
        """The numbers of ``keys`` in the vocabulary, new keys numbered as they come."""
        vocabulary = self.vocabulary
        return tuple(vocabulary.setdefault(key, len(vocabulary)) for key in keys)

    def add(self, position: int, keys: Iterable[str]) -> None:
        """The keys of the entity at ``position``, the next after the last added."""
        before = len(self.keys)
        self.keys.extend(self.numbers(keys))
        self.close(position, before)

    def close(self, position: int, before: int) -> None:
        """End the entity at ``position``, whose key numbers were appended to ``keys``
        since it held ``before`` of them (entities are added in order, none skipped)."""
        assert position == len(self.counts)
        self.counts.append(len(self.keys) - before)

    def postings(self) -> dict[str, IntArray]:
        """Each key's sorted entity positions (each entity once), as views of one sorted
        array: the pairs as one int64 each (key number above, position below), sorted."""
        keys = np.frombuffer(self.keys, dtype=np.int32).astype(np.int64)
        counts = np.frombuffer(self.counts, dtype=np.int32)
        pairs = keys << 32
        pairs |= np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        del keys
        pairs.sort()
        if len(pairs) > 1:
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        entities = (pairs & 0xFFFFFFFF).astype(np.int32)
        bounds = np.searchsorted(pairs >> 32, np.arange(len(self.vocabulary) + 1)).tolist()
        return {
            key: entities[bounds[number] : bounds[number + 1]]
            for key, number in self.vocabulary.items()
        }


class _Words:
    """What building the index needs of each distinct word of a schema kind, worked out
    once a build (a watchlist repeats given names, patronymics and firms' word endings;
    a million entities have some 400,000 distinct words among 3.7 million): the numbers of
    its keys (``word_keys``; none for an organisation's one-word legal form, as
    ``worded_key_groups`` leaves it out) and its compact spellings (``_compact_word``).
    A dictionary of its own rather than the functions' caches, which a million entities'
    vocabulary overflows."""

    def __init__(self, pairs: _Pairs, organisation: bool) -> None:
        self.pairs = pairs
        self.organisation = organisation
        self.known: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def __call__(self, word: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
        found = self.known.get(word)
        if found is None:
            found = self.known[word] = self._worked_out(word)
        return found

    def _worked_out(self, word: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
        form = single_word_form(word) if self.organisation else None
        if form is not None:
            return (), (LEGAL_FORM_CHARACTERS[form],)
        tokens = _word_tokens(word, self.organisation)
        ready_words(dict.fromkeys(token.text for token in tokens), person=not self.organisation)
        keys = _keys_of(word, tokens)
        return self.pairs.numbers(keys), _compact_spellings(keys)


def _variants(key: str) -> list[str]:
    """The key and its one-deletion variants (a coarse key keeps its mark), or nothing
    for a key too short or too long to table (``NEAR_MIN_LENGTH``, ``NEAR_MAX_LENGTH``)."""
    start = 1 if key.startswith(COARSE) else 0
    if not NEAR_MIN_LENGTH <= len(key) - start <= NEAR_MAX_LENGTH:
        return []
    return [key, *dict.fromkeys(key[:at] + key[at + 1 :] for at in range(start, len(key)))]


# Compiled (``engine``), a class pickled as Python pickles it: with the index.
@mypyc_attr(native_class=False)
class Neighbours:
    """The deletion neighbourhood of the indexed keys: every key's one-deletion variants
    in one sorted byte-string array beside the key each came from, so that a query key's
    neighbours are a few binary searches, and the table pickles as two arrays."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = np.array(list(keys), dtype=object)
        variants: list[bytes] = []
        owners = array("i")
        for number, key in enumerate(self.keys.tolist()):
            found = _variants(key)
            variants += [variant.encode() for variant in found]
            owners.extend([number] * len(found))
        table = np.array(variants, dtype=bytes)
        order = np.argsort(table, kind="stable")
        self.variants = table[order]
        self.owners = np.frombuffer(owners, dtype=np.int32)[order]

    def near(self, key: str) -> list[str]:
        """The indexed keys within one deletion of ``key`` on either side (two edits at
        most), ``key`` itself left out."""
        return [other for other in self.near_any([key]) if other != key]

    def near_any(self, keys: Iterable[str]) -> list[str]:
        """The indexed keys within one deletion of any of ``keys`` on either side, the
        keys themselves included when indexed: one search for them all."""
        asked = list(dict.fromkeys(v.encode() for key in keys for v in _variants(key)))
        if not asked or not len(self.variants):
            return []
        wanted = np.array(asked, dtype=self.variants.dtype)
        starts = self.variants.searchsorted(wanted, side="left")
        ends = self.variants.searchsorted(wanted, side="right")
        spans = zip(starts.tolist(), ends.tolist(), strict=True)
        owners = [self.owners[a:b] for a, b in spans if b > a]
        if not owners:
            return []
        found: list[str] = self.keys[_distinct(np.concatenate(owners))].tolist()
        return found


# What an index pickles (``__getstate__``).
_STATE: Final = (
    "ids",
    "persons",
    "names",
    "postings",
    "identifiers",
    "common",
    "skipped",
    "common_postings",
    "neighbours",
    "word_numbers",
    "word_starts",
    "vocabulary",
    "word_counts",
    "patronymic_like",
    "word_weights",
    "word_totals",
    "spelt",
)
# What ``CandidateIndex._set_lookups`` works out again when an index is loaded.
_DERIVED: Final = (
    "weights",
    "_many",
    "common_variants",
    "_common_bits",
    "_bitmaps",
    "_word_groups",
    "_hint_groups",
)


# Compiled (``engine``), a class pickled as Python pickles it: Dask's workers get it so.
@mypyc_attr(native_class=False)
class CandidateIndex:
    """Phonetic-key and identifier postings over a watchlist; build with ``build``."""

    def __init__(
        self,
        *,
        ids: list[str],
        persons: npt.NDArray[np.bool_],
        names: list[list[str]],
        postings: dict[str, IntArray],
        identifiers: dict[str, IntArray],
        common: frozenset[str] = frozenset(),
        common_postings: dict[str, IntArray] | None = None,
        compact: list[tuple[tuple[str, ...], ...]] | None = None,
        spelt: list[tuple[str | None, ...]] | None = None,
    ) -> None:
        self.ids = ids
        self.persons = persons
        self.names = names
        self.postings = postings
        self.identifiers = identifiers
        # Keys held by more than ``max_share`` of the entities, too common to index: a
        # word holding one (``_common_word_key``) is common, and its neighbours (rarer
        # names a letter away) say nothing of it.
        self.common = common
        self.skipped = len(common)
        # The postings of the common words' own keys (Sergey, Aleksandrovich): they bring
        # no candidates, but among equally near candidates of the query's other words
        # (hundreds of surnames a letter from a misspelt one) those that also share the
        # common word are the likelier (``_common_hints``). A few int32 per person.
        self.common_postings = common_postings or {}
        # Each listed name's spellings in its entity's own kind (``listed_spellings``),
        # worked out once here rather than for each query it is a candidate of (9 % of
        # screening at 1,000,000); ``build`` gives them as it reads the names.
        self.spelt = (
            spelt
            if spelt is not None
            else [
                tuple(listed_spellings(name, _own_kind(person)) for name in found)
                for found, person in zip(names, persons.tolist(), strict=True)
            ]
        )
        self.neighbours = Neighbours(
            [key for key in [*postings, *sorted(common)] if not key.startswith(COARSE)]
        )
        self._set_lookups()
        # Each entity's first name as its words' keys, what candidates are ordered by:
        # the words' first keys (sorted), then their other keys, as numbers into a
        # vocabulary of the listed words, all entities' words in one array
        # (``word_starts`` says where each entity's begin; an entity without a name has
        # one empty word), so that the candidates' are taken in a few array operations
        # and each distinct word is compared with the query's once; and how many words it
        # has. ``build`` gives them (``compact_words`` of each first name), worked out as
        # it reads the names.
        if compact is None:
            compact = [
                compact_words(found[0], PERSON if person else "Organization") if found else ()
                for found, person in zip(names, persons.tolist(), strict=True)
            ]
        self._set_words(
            tuple(spellings[0] for spellings in words)
            + tuple(other for spellings in words for other in spellings[1:])
            for words in compact
        )
        self.word_counts = np.fromiter(
            (len(words) for words in compact), dtype=np.int8, count=len(compact)
        )
        # Which of a listed person's words (of three or more) end like a patronymic, as
        # bits by the word's place among its first keys (``word_likeness``).
        self.patronymic_like = np.fromiter(
            (
                _patronymic_bits(tuple(spellings[0] for spellings in words))
                if person and len(words) >= 3
                else 0
                for words, person in zip(compact, persons.tolist(), strict=True)
            ),
            dtype=np.uint8,
            count=len(compact),
        )
        self._set_word_weights()

    @classmethod
    def build(
        cls, entities: Iterable[WatchlistEntity], *, max_share: float = MAX_SHARE
    ) -> CandidateIndex:
        """Index every name, alias and identifier of the entities (weak aliases are not
        matchable, see ``WatchlistEntity.matchable_names``).

        An entity's keys are ``name_keys`` of each of its names, and its compact words
        ``compact_words`` of its first name; both are built here from each distinct word's
        keys, worked out once (``_Words``), with the names tokenised once. The cyclic
        collector is off meanwhile (``_CollectorPaused``): the build makes millions of
        objects that live as long as the index, and would otherwise walk them over and
        over."""
        with _CollectorPaused():
            return cls._build(entities, max_share)

    @classmethod
    def _build(cls, entities: Iterable[WatchlistEntity], max_share: float) -> CandidateIndex:
        ids: list[str] = []
        persons = array("b")
        names: list[list[str]] = []
        compact: list[tuple[tuple[str, ...], ...]] = []
        spelt: list[tuple[str | None, ...]] = []
        tokens, identifiers = _Pairs(), _Pairs()
        kinds = {False: _Words(tokens, False), True: _Words(tokens, True)}
        keys = tokens.keys
        for position, entity in enumerate(entities):
            person = entity.schema_name == PERSON
            matchable = entity.matchable_names
            ids.append(entity.id)
            persons.append(person)
            names.append(list(matchable))
            spelt.append(tuple(listed_spellings(name, _own_kind(person)) for name in matchable))
            words = kinds[is_organisation(entity.schema_name)]
            before = len(keys)
            for number, name in enumerate(matchable):
                found = [words(word) for word in tokenise(name)]
                for numbers, _ in found:
                    keys.extend(numbers)
                if not number:
                    compact.append(tuple(sorted(spelt for _, spelt in found if spelt)))
            if not matchable:
                compact.append(())
            tokens.close(position, before)
            identifiers.add(position, {normalise_identifier(i) for i in entity.identifiers})
        postings = tokens.postings()
        limit = max(1, int(max_share * len(ids)))
        coarse_limit = max(1, int(COARSE_MAX_SHARE * len(ids)))
        kept = {
            key: found
            for key, found in postings.items()
            if len(found) <= (coarse_limit if key.startswith(COARSE) else limit)
        }
        index = cls(
            ids=ids,
            persons=np.frombuffer(persons, dtype=np.bool_).copy(),
            names=names,
            postings=kept,
            identifiers=identifiers.postings(),
            common=frozenset(key for key, found in postings.items() if len(found) > limit),
            common_postings={
                key: found
                for key, found in postings.items()
                if len(found) > limit and not key.startswith(COARSE)
            },
            compact=compact,
            spelt=spelt,
        )
        index.skipped = len(postings) - len(kept)
        _load_tables()
        # The index and the word caches are millions of long-lived objects; the cyclic
        # collector would otherwise walk them all whenever screening allocates enough
        # tokens to trigger a full collection (a third of screening's time at 100,000).
        gc.freeze()
        return index

    def _set_lookups(self) -> None:
        """What queries would otherwise work out again for every key they meet: each
        indexed key's weight (``weight``), and the common words' own keys by their
        one-deletion variants (``_common_near``), a few dozen entries."""
        self.weights = {key: self.weight_of(found) for key, found in self.postings.items()}
        # The indexed keys held by more entities than a neighbour may be to bring
        # candidates (``_near_most``): a few thousand at 1,000,000.
        most = self._near_most()
        self._many = frozenset(key for key, found in self.postings.items() if len(found) > most)
        width = self.neighbours.variants.dtype.itemsize
        tabled = set(self.neighbours.keys.tolist())
        self.common_variants: dict[bytes, list[str]] = {}
        for key in self.common_postings:
            if key in tabled:
                for variant in _variants(key):
                    self.common_variants.setdefault(variant.encode()[:width], []).append(key)
        self._common_bits: dict[str, npt.NDArray[np.uint8]] = {}
        # Each queried word's group (``_word_group``) as worked out, a few thousand at most.
        self._word_groups: dict[tuple[tuple[str, ...], str], tuple[float, Group] | None] = {}
        self._hint_groups: dict[tuple[str, ...], list[tuple[float, str]]] = {}
        self._bitmaps = {
            key: _bitmap(found, len(self.ids))
            for key, found in self.postings.items()
            if len(found) > BITMAP_MIN
        }

    def _set_words(self, compact: Iterable[tuple[str, ...]]) -> None:
        """The word tables of ``__init__`` from each entity's words (first keys, then the
        others), an empty one for an entity without a name."""
        vocabulary: dict[str, int] = {}
        numbers = array("i")
        starts = array("q", [0])
        for words in compact:
            number = vocabulary.setdefault
            numbers.extend([number(word, len(vocabulary)) for word in words or ("",)])
            starts.append(len(numbers))
        self.word_numbers = np.frombuffer(numbers, dtype=np.int32)
        self.word_starts = np.frombuffer(starts, dtype=np.int64)
        self.vocabulary: npt.NDArray[np.object_] = np.empty(len(vocabulary), dtype=object)
        self.vocabulary[:] = list(vocabulary)

    def _set_word_weights(self) -> None:
        """What each listed word weighs when the query's coverage of its name is measured
        (``word_likeness``), worked out once: its length if it is one of the name's words
        (not another transliteration's key of one), a share of it for a patronymic-like
        word of a person; float32 holds these halves exactly. And each name's total."""
        counts = np.diff(self.word_starts)
        within = np.arange(len(self.word_numbers)) - np.repeat(self.word_starts[:-1], counts)
        weights = _word_weights(
            _lengths(self.vocabulary.tolist())[self.word_numbers],
            within,
            np.repeat(self.word_counts, counts),
            np.repeat(self.patronymic_like, counts),
        )
        self.word_weights = weights.astype(np.float32)
        self.word_totals = (
            np.add.reduceat(weights, self.word_starts[:-1]) if len(counts) else weights
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __getstate__(self) -> dict[str, object]:
        """Postings packed into one array per table, so that sending the index to Dask
        workers pickles a few large arrays rather than hundreds of thousands of small."""
        state: dict[str, object] = {name: getattr(self, name) for name in _STATE}
        state["postings"] = _pack(self.postings)
        state["identifiers"] = _pack(self.identifiers)
        state["common_postings"] = _pack(self.common_postings)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """Rebuild the postings as views of the packed arrays."""
        packed_postings, packed_identifiers = state["postings"], state["identifiers"]
        state["postings"] = _unpack(packed_postings)  # type: ignore[arg-type]
        state["identifiers"] = _unpack(packed_identifiers)  # type: ignore[arg-type]
        state["common_postings"] = _unpack(state["common_postings"])  # type: ignore[arg-type]
        for name in _STATE:
            setattr(self, name, state[name])
        self._set_lookups()
        _load_tables()

    def weight(self, key: str) -> float:
        """Inverse document frequency of an indexed key: rare keys weigh more."""
        return self.weights[key]

    def _by_identifier(self, identifiers: Sequence[str]) -> list[int]:
        found = (self.identifiers.get(normalise_identifier(value)) for value in identifiers)
        return sorted({int(i) for positions in found if positions is not None for i in positions})

    def _by_name(
        self, name: str, schema: str, limit: int, scored: int = SCORED, alike_min: int = ALIKE_MIN
    ) -> list[int]:
        """Candidates gathering ``MIN_SHARE`` of the query's weight: each word of the
        query weighs as its commonest indexed key (or neighbour), and an entity gathers,
        for each word, the weight of the rarest of the word's keys (or their neighbours)
        it holds. Of those (the ``RERANKED`` best by weight), the ``limit`` whose words
        are most alike the query's."""
        groups = self._indexed_groups(name, schema)
        if not groups:
            return []
        weights = [weight for weight, _ in groups]
        needed = MIN_SHARE * sum(weights)
        rare = _rare_prefix([group[0][0] for _, group in groups], needed)
        found = [key for _, group in groups[:rare] for key in self._seeding(group)]
        if not found:  # the rare words are known only by neighbours of many entities
            return []
        candidates = _distinct(np.concatenate([self.postings[key] for key in found]))
        candidates = candidates[self._same_kind(candidates, schema)]
        totals = np.zeros(len(candidates))
        places = _Places(candidates)
        for _, group in groups:
            totals += self._gathered(group, candidates, places)
        keep = totals >= needed
        candidates, totals = candidates[keep], totals[keep]
        if len(candidates) > RERANKED:
            totals = totals + self._common_hints(name, schema, candidates)
            top = np.lexsort((candidates, -totals))[:RERANKED]
            candidates, totals = candidates[top], totals[top]
        return self._closest(name, schema, candidates, totals, limit, scored, alike_min)

    def _seeding(self, group: Group) -> list[str]:
        """The keys of a word whose entities become candidates: its own keys and its
        neighbours held by few entities (``_near_most``); its coarse keys only when no
        listed spelling has its own key (a German or GOST spelling, Chruschtschow,
        Xrushhyov, or a misspelling), since a coarse key is held by up to
        ``COARSE_MAX_SHARE`` of the list and its entities are mostly other names."""
        many = self._many
        keys = [key for _, key, near in group if not near or key not in many]
        if any(not near and not key.startswith(COARSE) for _, key, near in group):
            return [key for key in keys if not key.startswith(COARSE)]
        return keys

    def _near_most(self) -> int:
        """The most entities a neighbour may be held by and still bring candidates."""
        return max(NEAR_MAX_POSTINGS, int(NEAR_MAX_SHARE * len(self.ids)))

    def _gathered(self, group: Group, candidates: IntArray, places: _Places) -> FloatArray:
        """What each candidate gathers of one word: the weight of the heaviest of the
        word's keys it holds (the most of ``held`` over the keys it holds). A key with a
        bitmap (``BITMAP_MIN``) is looked up by candidate; the word's other keys' postings
        are merged and each entity in them found among the candidates (sorted) once."""
        gathered = np.zeros(len(candidates))
        if not len(candidates):
            return gathered
        merged: list[tuple[float, IntArray]] = []
        for held, key, _ in group:
            bits = self._bitmaps.get(key)
            if bits is None:
                merged.append((held, self.postings[key]))
            else:
                np.maximum(gathered, held, out=gathered, where=places.held(bits))
        if merged:
            held_by = np.concatenate([postings for _, postings in merged])
            weights = np.array([held for held, _ in merged]).repeat(
                [len(postings) for _, postings in merged]
            )
            # Sorted, the entities are searched for among the sorted candidates in one pass.
            order = held_by.argsort(kind="stable")
            held_by, weights = held_by[order], weights[order]
            at = candidates.searchsorted(held_by)
            np.minimum(at, len(candidates) - 1, out=at)
            found = candidates[at] == held_by
            np.maximum.at(gathered, at[found], weights[found])
        return gathered

    def _closest(
        self,
        name: str,
        schema: str,
        candidates: IntArray,
        totals: npt.NDArray[np.float64],
        limit: int,
        scored: int = SCORED,
        alike_min: int = ALIKE_MIN,
    ) -> list[int]:
        """Of the ``limit`` candidates whose names are closest to the query's by the sorted
        word keys (the scorer's own measure of the names' words, in a cheap form), those
        worth scoring: the ``scored`` closest, of which those after the first
        ``ALWAYS_SCORED`` only if at least ``alike_min`` alike."""
        alike, covered = self.likeness(name, schema, candidates)
        if is_organisation(schema):
            # A firm's added words (Завод, Торговый дом, a region) make another firm
            # more often than a changed legal form does: both ways count alike.
            alike = (alike + covered) // 2
        order = np.lexsort((candidates, -totals, -covered, -alike))[: min(limit, scored)]
        if not len(order):
            return []
        alikes = alike[order].tolist()
        spread = ALIKE_SPREAD if alike_min else 100
        least = max(alike_min, alikes[0] - spread)
        return [
            position
            for rank, (position, found) in enumerate(
                zip(candidates[order].tolist(), alikes, strict=True)
            )
            if rank < ALWAYS_SCORED or found >= (alike_min if rank < ALIKE_SCORED else least)
        ]

    def likeness(
        self, name: str, schema: str, candidates: IntArray
    ) -> tuple[Int16Array, Int16Array]:
        """``word_likeness`` of the query and the candidates' first names, from the
        tables of their words (``_set_words``)."""
        starts = self.word_starts[candidates]
        counts = self.word_starts[candidates + 1] - starts
        offsets = _starts(counts)
        flat = np.arange(int(counts.sum()))
        places = flat - (offsets - starts).repeat(counts)
        numbers = self.word_numbers[places]
        distinct, at = _numbered(numbers, flat, len(self.vocabulary))
        return _likeness(
            _compacted(_query_words(name), is_organisation(schema)),
            self.vocabulary[distinct].tolist(),
            at,
            counts,
            self.word_weights[places].astype(np.float64),
            self.word_totals[candidates],
            starts=offsets,
        )

    def _indexed_groups(self, name: str, schema: str) -> list[tuple[float, Group]]:
        """Per word of the query (the same word twice counts once), its weight and its
        indexed keys and their neighbours with what each weighs, rarest first; the words
        in order of their weight (heaviest first).

        A word weighs as its commonest key or neighbour: the key any accepted spelling of
        it shares (a misspelt word's own key may be another entity's rare one, and a
        misspelt common name, Aliksey, has rare neighbours but is Aleksey). A word one of
        whose keys, or of whose neighbours' keys, is too common to index (Sergey, and
        Seugey beside it) says nothing and is left out. Neighbours weigh
        ``NEAR_DISCOUNT`` of their own weight; a neighbour held by many entities only
        counts for entities found otherwise (``_near_most``)."""
        groups = []
        worded: dict[tuple[str, ...], str] = {}  # each word's keys once, its first spelling
        for word, keys in _worded(_query_words(name), is_organisation(schema)):
            worded.setdefault(keys, word)
        known = self._word_groups
        for keys, word in worded.items():
            try:
                found = known[(keys, word)]
            except KeyError:  # (a look-up, then a read, could meet another thread's clear)
                if len(known) >= WORD_GROUPS_KEPT:
                    known.clear()
                found = known[(keys, word)] = self._word_group(word, keys)
            if found is not None:
                groups.append(found)
        return sorted(groups, key=lambda found: (-found[0], found[1]))

    def _word_group(self, word: str, keys: tuple[str, ...]) -> tuple[float, Group] | None:
        """One word's weight and group for ``_indexed_groups`` (its first spelling and its
        keys), or ``None`` for a word left out."""
        if self._common_word(keys):
            return None
        spelt = [key for key in keys if not key.startswith(COARSE)]
        near = set(self.neighbours.near_any(spelt)) - set(spelt)
        if self._common_word(near):
            return None
        weights = self.weights
        held = {
            other: (NEAR_DISCOUNT * weights[other], other, True)
            for other in near
            if other in weights
        }
        if not any(key in weights for key in spelt):
            held = self._misspelt(word, spelt, near) | held
        held |= {key: (weights[key], key, False) for key in keys if key in weights}
        if not held:
            return None
        group = sorted(held.values(), reverse=True)
        return group[-1][0], group

    def _misspelt(
        self, word: str, spelt: list[str], near: set[str]
    ) -> dict[str, tuple[float, str, bool]]:
        """For a Latin word whose own key no listed name holds, the rare indexed keys (held
        by at most ``_near_most`` entities) within one deletion of its keys with a letter
        left out (``letter_dropped_keys``: a letter changed inside a romanisation's
        digraph), each weighing ``MISSPELT_DISCOUNT`` of its weight; the word's own
        neighbours are left to the caller. None that is too common to index counts."""
        dropped = [key for key in letter_dropped_keys(word) if key not in spelt]
        found = self.neighbours.near_any(dropped)
        weights, many = self.weights, self._many
        return {
            other: (MISSPELT_DISCOUNT * weights[other], other, True)
            for other in found
            if other not in near and other in weights and other not in many
        }

    def _common_hints(self, name: str, schema: str, candidates: IntArray) -> FloatArray:
        """What each candidate gathers of the query's common words (left out of its
        weight, ``_indexed_groups``): the weight of the word's commonest own key it holds,
        or ``NEAR_DISCOUNT`` of a common neighbour's (Seugey is Sergey a letter away).
        Only the order of candidates tied on their rarer words' weight moves by it: a
        common word is a fifth of the weight of a surname at a million entities."""
        gathered = np.zeros(len(candidates))
        worded = _worded(_query_words(name), is_organisation(schema))
        known = self._hint_groups
        for keys in dict.fromkeys(keys for _, keys in worded):
            try:
                group = known[keys]
            except KeyError:  # (as in ``_indexed_groups``)
                if len(known) >= WORD_GROUPS_KEPT:
                    known.clear()
                group = known[keys] = self._hint_group(keys)
            if not group:  # most words: nothing to add
                continue
            word = np.zeros(len(candidates))
            for held, key in group:
                np.maximum(word, held * self._holds_common(key, candidates), out=word)
            gathered += word
        return gathered

    def _hint_group(self, keys: tuple[str, ...]) -> list[tuple[float, str]]:
        """A word's common keys and common neighbours with what each weighs, for
        ``_common_hints``: it depends on the word's keys alone, and is kept as the
        words' groups are (``WORD_GROUPS_KEPT``)."""
        own = [key for key in keys if key in self.common_postings]
        near = {
            other
            for key in keys
            if not key.startswith(COARSE) and key not in self.postings
            for other in self._common_near(key)
        }
        group = [(self.weight_of(self.common_postings[key]), key) for key in own]
        group += [(NEAR_DISCOUNT * self.weight_of(self.common_postings[k]), k) for k in near]
        return group

    def _common_near(self, key: str) -> set[str]:
        """The common words' own keys among ``key``'s neighbours (``Neighbours.near``),
        from the few variants of theirs alone."""
        if not self.common_variants:
            return set()
        width = self.neighbours.variants.dtype.itemsize
        found = self.common_variants.get
        near = {other for v in _variants(key) for other in found(v.encode()[:width], ())}
        near.discard(key)
        return near

    def _holds_common(self, key: str, candidates: IntArray) -> npt.NDArray[np.bool_]:
        """Which candidates hold a common word's key (are in its postings), by
        one bit per listed entity, set the first time the key is asked for: a common
        key's postings are a few per cent of the list, longer than the candidates."""
        bits = self._common_bits.get(key)
        if bits is None:
            bits = self._common_bits[key] = _bitmap(self.common_postings[key], len(self.ids))
        held: npt.NDArray[np.bool_] = (bits[candidates >> 3] >> (candidates & 7)) & 1 == 1
        return held

    def weight_of(self, postings: IntArray) -> float:
        """Inverse document frequency of a key held by ``postings``."""
        return math.log(len(self.ids) / len(postings))

    def _common_word(self, keys: Iterable[str]) -> bool:
        """Whether any of ``keys`` is a ``_common_word_key``; most words' keys share none
        with the few common keys, which one set operation tells."""
        keys = keys if isinstance(keys, (set, frozenset)) else set(keys)
        return not self.common.isdisjoint(keys) and any(map(self._common_word_key, keys))

    def _common_word_key(self, key: str) -> bool:
        """Whether ``key`` is too common to index and tells that its word is common: a
        word's own key, or a coarse key of at least ``COMMON_COARSE_LENGTH`` consonants
        (Mykolaiovych's ``nklvs`` is Николаевич's). A shorter coarse key, ``~sv``, is
        left out for more entities (``COARSE_MAX_SHARE``) because it is short, not
        because its word is common."""
        return key in self.common and (
            not key.startswith(COARSE) or len(key) > COMMON_COARSE_LENGTH
        )

    def _same_kind(self, candidates: IntArray, schema: str) -> npt.NDArray[np.bool_]:
        if schema == "LegalEntity":
            return np.ones(len(candidates), dtype=np.bool_)
        flags: npt.NDArray[np.bool_] = self.persons[candidates] == (schema == PERSON)
        return flags

    def candidates(
        self,
        name: str,
        schema: str = PERSON,
        *,
        identifiers: Sequence[str] = (),
        limit: int = 50,
        scored: int | None = None,
    ) -> list[int]:
        """Positions of the candidates: identifier matches first, then the names closest
        to the query's. ``scored`` above ``SCORED`` (a benchmark's look at what screening
        leaves out) gives that many of the closest, however little alike; ``None`` is the
        module's ``SCORED`` when called (a benchmark may set it for a run)."""
        if scored is None:
            scored = SCORED
        with _CollectorPaused():
            by_id = self._by_identifier(identifiers)
            seen = set(by_id)
            alike_min = ALIKE_MIN if scored <= SCORED else 0
            by_name = [
                i for i in self._by_name(name, schema, limit, scored, alike_min) if i not in seen
            ]
            return (by_id + by_name)[:limit]

    def query(
        self, name: str, schema: str = PERSON, *, identifiers: Sequence[str] = (), limit: int = 50
    ) -> list[str]:
        """Ids of the candidate entities for a name (and identifiers), best first."""
        found = self.candidates(name, schema, identifiers=identifiers, limit=limit)
        return [self.ids[i] for i in found]

    def screen(
        self,
        name: str,
        schema: str = PERSON,
        *,
        identifiers: Sequence[str] = (),
        limit: int | None = None,
        threshold: float = THRESHOLD,
    ) -> list[Hit]:
        """Score the candidates; every hit at or above ``threshold``, best first, or the
        first ``limit`` of them (a display's choice: which candidates are scored does not
        depend on it).

        A shared identifier is a hit with score 1.0 whatever the names say. The cyclic
        collector is off meanwhile (``_CollectorPaused``).
        """
        with _CollectorPaused():
            by_id = set(self._by_identifier(identifiers))
            hits = [self._identifier_hit(i, identifiers) for i in sorted(by_id)]
            scored = [i for i in self._by_name(name, schema, SCORED, SCORED) if i not in by_id]
            hits += self._name_hits(scored, name, schema, threshold)
            found = [hit for hit in hits if hit.score >= threshold]
            return sorted(found, key=lambda hit: (-hit.score, hit.entity_id))[:limit]

    def _identifier_hit(self, position: int, identifiers: Sequence[str]) -> Hit:
        wanted = {normalise_identifier(value): value for value in identifiers}
        shared = [
            value
            for key, value in wanted.items()
            if key in self.identifiers and position in self.identifiers[key]
        ]
        summary = f"same identifier {', '.join(shared)}"
        return Hit(self.ids[position], 1.0, self.names[position][0], summary)

    def _name_hits(
        self, positions: list[int], name: str, schema: str, threshold: float
    ) -> list[Hit]:
        """``_name_hit`` of each of the positions, their names aligned with the query's
        all at once (``pool_score.pool_alignments``: the same alignments, found with one
        table of the words' similarities for the pool) and their features worked out
        all at once (``score.pool_values``: the same values as ``bounded_values``)."""
        if not 0.0 < threshold < 1.0:
            found = (self._name_hit(position, name, schema, threshold) for position in positions)
            return [hit for hit in found if hit is not None]
        kinds = [self._kind(position, schema) for position in positions]
        asked = [
            (other, kind)
            for position, kind in zip(positions, kinds, strict=True)
            for other in self.names[position]
        ]
        # The listed spellings kept in the entity's own schema serve any schema spelt by
        # the same rule (a Company query's firm candidates, kept as Organization's).
        kept = [
            spelling_rule(kind) == spelling_rule(_own_kind(bool(self.persons[position])))
            for position, kind in zip(positions, kinds, strict=True)
        ]
        packed = [
            spelt if read else None
            for position, read in zip(positions, kept, strict=True)
            for spelt in self.spelt[position]
        ]
        aligned = pool_alignments(name, asked, packed)
        present = [alignment for alignment in aligned if alignment is not None]
        computed = iter(pool_values(present, log_odds(threshold)))
        values = [next(computed) if alignment is not None else None for alignment in aligned]
        hits = []
        start = 0
        for position, kind in zip(positions, kinds, strict=True):
            end = start + len(self.names[position])
            hit = self._best_hit(
                position, kind, aligned[start:end], threshold, values=values[start:end]
            )
            start = end
            if hit is not None:
                hits.append(hit)
        return hits

    def _name_hit(self, position: int, name: str, schema: str, threshold: float) -> Hit | None:
        """The hit for the best of an entity's names (the first of equal scores), or
        ``None`` below ``threshold``: only a hit is explained and summarised. A name's
        features stop being worked out once its score cannot reach ``threshold``
        (``score.bounded_values``): the hit is the same, found sooner."""
        listed = self.names[position]
        if not 0.0 < threshold < 1.0:
            kind, aligned, values, scores = self._scored(position, name, schema)
            top = max(scores)
            if top < threshold:
                return None
            at = scores.index(top)
            best = explanation(aligned[at], kind, values=values[at])
            return Hit(self.ids[position], best.score, listed[at], summarise(best))
        kind = self._kind(position, schema)
        alignments = [best_alignment(name, other, kind) for other in listed]
        return self._best_hit(position, kind, alignments, threshold)

    def _best_hit(
        self,
        position: int,
        kind: str,
        alignments: list[Alignment | None],
        threshold: float,
        *,
        values: list[list[float] | None] | None = None,
    ) -> Hit | None:
        """The hit of the best of an entity's names, given their alignments with the query
        (``_name_hit``) and, when already worked out, their ``bounded_values`` at the
        threshold's log-odds (``score.pool_values``)."""
        listed = self.names[position]
        floor = log_odds(threshold)
        if values is None:
            values = [
                bounded_values(alignment, floor) if alignment else None for alignment in alignments
            ]
        found: tuple[float, int, Alignment, list[float]] | None = None
        for at, (alignment, found_values) in enumerate(zip(alignments, values, strict=True)):
            if alignment is None or found_values is None:
                continue
            score = values_score(found_values)
            if found is None or score > found[0]:
                found = (score, at, alignment, found_values)
        if found is None or found[0] < threshold:
            return None
        score, at, alignment, found_values = found
        return Hit(self.ids[position], score, listed[at], why=(alignment, kind, found_values))

    def _kind(self, position: int, schema: str) -> str:
        """The schema a listed entity's names are compared in, asked with ``schema``."""
        kind = _own_kind(bool(self.persons[position]))
        return schema if kind != PERSON and is_organisation(schema) else kind

    def _scored(
        self, position: int, name: str, schema: str
    ) -> tuple[str, list[Alignment | None], list[list[float] | None], list[float]]:
        """The schema compared, and per listed name its alignment, feature values and score."""
        kind = self._kind(position, schema)
        aligned = [best_alignment(name, other, kind) for other in self.names[position]]
        values = [feature_values(alignment) if alignment else None for alignment in aligned]
        scores = [values_score(found) if found is not None else 0.0 for found in values]
        return kind, aligned, values, scores

    def score_entity(self, position: int, name: str, schema: str = PERSON) -> float:
        """The pair score of the query against the entity's best name, as ``screen`` would
        give it if the entity were a candidate: what the candidate stage is measured by."""
        return max(self._scored(position, name, schema)[3])


def _own_kind(person: bool) -> str:
    """The schema a listed entity's names are compared in unless a query asks for a more
    particular organisation (a vessel, say: ``CandidateIndex._kind``)."""
    return PERSON if person else "Organization"


def summarise(explanation: Explanation, top: int = 3) -> str:
    """The spellings compared and the features that moved the score most, each with its
    value and the typical pair's, so "mismatched_words 0 (typical 0.24) +1.50" reads as
    "no mismatched words, which raised the score", not as mismatched words raising it."""
    ranked = sorted(explanation.features, key=lambda f: -abs(f.contribution))[:top]
    pulls = ", ".join(
        f"{f.name} {f.value:.2g} (typical {f.typical:.2g}) {f.contribution:+.2f}" for f in ranked
    )
    return f"'{explanation.left}' vs '{explanation.right}': {pulls}"


Packed = tuple[list[str], IntArray, npt.NDArray[np.int64]]


def word_likeness(
    query: Sequence[Sequence[str]],
    choices: list[tuple[str, ...]],
    word_counts: npt.NDArray[np.int8],
    patronymic_like: npt.NDArray[np.uint8] | None = None,
) -> tuple[Int16Array, Int16Array]:
    """How alike each choice's words are to the query's (0-100), both ways: each query
    word's best ``fuzz.ratio`` among the choice's words, averaged weighing by the query
    word's length, and the same of each choice word among the query's. A word is read in
    each of its keys (``compact_words``: the query's words as sequences of keys, each
    choice as its words' first keys, ``word_counts`` of them, then their other keys).

    Like the scorer, the first forgives words the query leaves out (a patronymic) and
    reads each word apart, so that a misspelt given name still counts for most of
    itself (a token set ratio counts it as wholly different); the second tells apart
    the names that add words to the query's (Кристалл-2, Кристалл Самарский). A legal
    form weighs as one letter (``LEGAL_FORM_CHARACTERS``): ООО and ЗАО may be one
    firm's forms. In the second, a word of a listed person (of three words or more,
    ``patronymic_like`` giving such words as bits by place) that ends like a patronymic weighs
    ``PATRONYMIC_COVERED`` of its length: the scorer forgives a query without the
    patronymic, not one without the surname (Nikolay Petrovich is Николай Иванович
    Петрович more than it is Реруов Николай Петрович)."""
    words = [choice or ("",) for choice in choices]
    numbers: dict[str, int] = {}
    at = [numbers.setdefault(word, len(numbers)) for found in words for word in found]
    counts = np.fromiter((len(found) for found in words), dtype=np.int64, count=len(words))
    places = np.array(at, dtype=np.intp)
    distinct = list(numbers)
    weights = _word_weights(
        _lengths(distinct)[places],
        np.arange(len(places)) - np.repeat(_starts(counts), counts),
        np.repeat(word_counts, counts),
        None if patronymic_like is None else np.repeat(patronymic_like, counts),
    )
    totals = np.add.reduceat(weights, _starts(counts)) if len(counts) else weights
    return _likeness(query, distinct, places, counts, weights, totals)


def _likeness(
    query: Sequence[Sequence[str]],
    words: list[str],
    at: npt.NDArray[np.intp],
    counts: npt.NDArray[np.int64],
    flat_weights: FloatArray,
    totals: FloatArray,
    *,
    starts: npt.NDArray[np.int64] | None = None,
) -> tuple[Int16Array, Int16Array]:
    """``word_likeness`` of choices given as distinct ``words`` and, for each choice's
    words in turn (``counts`` of them a choice, starting at ``starts`` when given), the
    number of the word among them and its weight (``_word_weights``), with each choice's
    total: each distinct word is compared with the query's once however many choices hold
    it, and its best ratio with any query word found once."""
    asked = [list(spellings) for spellings in dict.fromkeys(tuple(w) for w in query) if spellings]
    empty = np.zeros(len(counts), dtype=np.int16)
    if not asked or not len(counts):
        return empty, empty
    rows = [spelling for spellings in asked for spelling in spellings]
    row_counts = np.fromiter((len(spellings) for spellings in asked), dtype=np.int64)
    table = matrices.cdist(rows, words, fuzz.ratio, np.uint8)
    if len(rows) > len(asked):
        table = np.maximum.reduceat(table, _starts(row_counts), axis=0)
    if starts is None:
        starts = _starts(counts)
    best = np.maximum.reduceat(table[:, at], starts, axis=1).astype(np.float64)
    asked_weights = _lengths([spellings[0] for spellings in asked])
    forward = asked_weights @ best / asked_weights.sum()
    covered = np.add.reduceat(flat_weights * table.max(axis=0)[at], starts)
    backward = covered / np.maximum(totals, 1.0)
    return np.rint(forward).astype(np.int16), np.rint(backward).astype(np.int16)


def _word_weights(
    lengths: FloatArray,
    within: npt.NDArray[np.int64],
    word_counts: npt.NDArray[np.int8],
    patronymic_like: npt.NDArray[np.uint8] | None,
) -> FloatArray:
    """Each choice word's weight in ``word_likeness``'s coverage, given its length, its
    place in its choice and its choice's word count and patronymic bits."""
    first = within < np.maximum(word_counts, 1)
    weights: FloatArray = np.where(first, lengths, 0.0)
    if patronymic_like is not None:
        bits = patronymic_like >> np.minimum(within, 7).astype(np.uint8)
        weights[first & (bits & 1).astype(np.bool_)] *= PATRONYMIC_COVERED
    return weights


def _numbered(
    numbers: IntArray, flat: npt.NDArray[np.int64], size: int
) -> tuple[IntArray, npt.NDArray[np.int64]]:
    """The distinct ``numbers`` (each below ``size``; in no particular order) and where each
    of ``numbers`` is among them, given ``flat``, ``np.arange(len(numbers))``: each
    distinct number's place is that of one of its occurrences, noted in a table of
    ``size`` (``_slots``; what it held before is written over, never read), which is
    cheaper than a sort of the numbers (``np.unique``'s ``return_inverse``)."""
    slots = _slots(size)
    slots[numbers] = flat
    noted = slots[numbers]
    first = noted == flat
    at: npt.NDArray[np.int64] = (first.cumsum() - 1)[noted]
    return numbers[first], at


_SLOTS: Final = threading.local()


def _slots(size: int) -> npt.NDArray[np.int64]:
    """A table of at least ``size`` entries for ``_numbered``, one a thread (an index may
    be screened from several threads at once)."""
    slots: npt.NDArray[np.int64] | None = getattr(_SLOTS, "table", None)
    if slots is None or len(slots) < size:
        slots = _SLOTS.table = np.zeros(size, dtype=np.int64)
    return slots


def _patronymic_bits(words: tuple[str, ...]) -> int:
    """Bit i set when the i-th of the first eight words ends like a patronymic."""
    return sum(1 << i for i, word in enumerate(words[:8]) if _PATRONYMIC_KEY.search(word))


# The query's steps call array methods (``a.repeat``, ``a.argsort``, ``a.searchsorted``,
# ``a.cumsum``, ``a.sort``), not numpy's functions of the same names: those are Python
# functions that pass the call on, and compiled code pays the interpreter for each
# (15 calls a query fewer through the interpreter: callgrind, 20,000 entities).
def _starts(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where each of consecutive runs of ``counts`` items starts."""
    return np.concatenate([np.zeros(1, dtype=np.int64), counts.cumsum()[:-1]])


def _lengths(words: list[str]) -> FloatArray:
    return np.fromiter(map(len, words), dtype=np.float64, count=len(words))


def _distinct(positions: IntArray) -> IntArray:
    """The distinct positions, sorted. ``np.unique`` would do, but numpy 2's hash table
    behind it allocates per element and is several times slower than a sort at these
    sizes (five times slower again once rigour's name tagger holds its 380 MiB)."""
    ordered = positions.copy()
    ordered.sort()
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=np.bool_)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _load_tables() -> None:
    """Load what scoring looks words up in (rigour's taggers, the region and branch words
    of firm names: about 0.25 CPU s for the regions alone) while the index is built, so
    that no query pays for it."""
    lexicon.load()
    region_words()


def _pack(table: dict[str, IntArray]) -> Packed:
    keys = list(table)
    sizes = np.fromiter((len(table[key]) for key in keys), dtype=np.int64, count=len(keys))
    bounds = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(sizes)])
    values = [table[key] for key in keys]
    flat = np.concatenate(values) if values else np.zeros(0, dtype=np.int32)
    return keys, flat.astype(np.int32, copy=False), bounds


def _unpack(packed: Packed) -> dict[str, IntArray]:
    keys, flat, bounds = packed
    return {key: flat[bounds[i] : bounds[i + 1]] for i, key in enumerate(keys)}


def _rare_prefix(weights: list[float], needed: float) -> int:
    """How many of the first words an entity must share a key of to reach ``needed``,
    ``weights`` being the most each word can give (its heaviest key's weight, not the
    word's own weight, which is its commonest key's): an entity holding none of them
    gathers at most the rest, which falls short. Summing the words' own weights instead
    left out a listed person whose surname's exact key (9.9) outweighed the word's weight
    (5.4, a common coarse key beside it) when a misspelt patronymic's rare coarse key
    (9.2) weighed more than the surname: only the patronymic's keys seeded candidates."""
    rest = sum(weights)
    for count, weight in enumerate(weights, start=1):
        rest -= weight
        if rest < needed:
            return count
    return len(weights)


def _bitmap(postings: IntArray, size: int) -> npt.NDArray[np.uint8]:
    """The positions as bits of ``size`` (entity ``i`` is bit ``i % 8`` of byte ``i // 8``)."""
    marked = np.zeros(size, dtype=np.bool_)
    marked[postings] = True
    return np.packbits(marked, bitorder="little")


_BITS: Final = np.array([1 << bit for bit in range(8)], dtype=np.uint8)  # each bit of a byte


class _Places:
    """A query's candidates (sorted positions) as bitmap places, worked out when first
    asked for: the byte and the bit of each candidate in a ``_bitmap``."""

    def __init__(self, candidates: IntArray) -> None:
        self.candidates = candidates
        self.at: tuple[IntArray, npt.NDArray[np.uint8]] | None = None

    def held(self, bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        """Whether each candidate's bit is set in ``bits``."""
        if self.at is None:
            self.at = (self.candidates >> 3, _BITS[self.candidates & 7])
        found: npt.NDArray[np.bool_] = (bits[self.at[0]] & self.at[1]) != 0
        return found
