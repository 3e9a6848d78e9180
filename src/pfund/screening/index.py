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
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening import lexicon
from pfund.screening.align import Alignment
from pfund.screening.entity_marks import region_words
from pfund.screening.legal_forms import single_word_form
from pfund.screening.names import PERSON, forms, is_organisation
from pfund.screening.phonetic import COARSE, coarse_keys
from pfund.screening.score import (
    THRESHOLD,
    Explanation,
    best_alignment,
    explanation,
    feature_values,
    values_score,
)
from pfund.screening.translit import tokenise

IntArray = npt.NDArray[np.int32]
MAX_SHARE = 0.05
MIN_SHARE = 0.5
# A coarse key held by more entities than this share is not indexed: it is a common
# given name's or patronymic's, whose own key is indexed, and scanning its postings for
# every query cost more than it found.
COARSE_MAX_SHARE = 0.01
RERANKED = 500  # candidates by weight ordered again by their words' likeness
# Scoring is most of screening's time (about 0.3 ms a candidate against 0.3-0.6 ms for
# the whole candidate stage), so few candidates are scored. Of the candidates in order of
# likeness (token set ratio of the sorted word keys, 0-100), the closest ``ALWAYS_SCORED``
# are scored whatever their likeness; those whose keys are nearly the query's
# (``ALIKE_SURE``: the same name listed for several entities, or within a longer name)
# always; of the others, only the ``LIKELY_SCORED`` closest at least ``ALIKE_MIN`` alike
# (the scorer accepts almost no pair below it). On bench/screening_index.py, scoring all
# of the 10 closest at 70 or more found 442 of the 494 pairs the scorer accepts at
# 100,000 entities (6.0 scored a query) and 417 at 1,000,000 (8.3 scored); these
# settings, with ties in likeness ordered by shared key weight, find 441 (2.8 scored) and
# 412 (4.6 scored), at about twice the speed.
ALWAYS_SCORED = 2
ALIKE_SURE = 90
ALIKE_MIN = 70
LIKELY_SCORED = 1
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Hit:
    """A listed entity that matches the query, its score and why."""

    entity_id: str
    score: float
    matched: str
    summary: str


@lru_cache(maxsize=2**18)
def word_keys(word: str, organisation: bool) -> tuple[str, ...]:
    """The keys of one word over every transliteration (legal forms dropped): the phonetic
    key the scorer compares, and the coarse keys (``phonetic.coarse_keys``) that bring
    together spellings the scorer still accepts though their keys differ (Khrushchev and
    Chruschtschow, Joukov and Zhukov). A word in Cyrillic is read as its transliterations
    spell it; a Latin word in every reading its letters allow."""
    schema = "Organization" if organisation else PERSON
    found = forms.__wrapped__(word, schema)
    ambiguous = not _CYRILLIC.search(word)
    tokens = [token for form in found for token in form.tokens]
    keys = [token.key for token in tokens]
    keys += [key for token in tokens for key in coarse_keys(token.text, ambiguous)]
    return tuple(dict.fromkeys(keys))


def name_keys(name: str, schema: str) -> frozenset[str]:
    """The keys of every word of a name, the unit the index is built on."""
    return frozenset(key for group in word_key_groups(name, schema) for key in group)


def word_key_groups(name: str, schema: str) -> list[tuple[str, ...]]:
    """The keys of each word of a name: a word counts once however many of its keys an
    entity shares."""
    organisation = is_organisation(schema)
    return [word_keys(word, organisation) for word in tokenise(name)]


def compact_keys(name: str, schema: str) -> str:
    """The phonetic key of each word of a name (its first transliteration's), sorted and
    lower-cased, an organisation's one-word legal forms as their canonical form (ОАО and
    OJSC are one): what the candidates are ordered by. Built from the
    cached keys of words, so that building the index parses no name twice."""
    organisation = is_organisation(schema)
    found = (_compact_word(word, organisation) for word in tokenise(name))
    return " ".join(sorted(key for key in found if key))


def _compact_word(word: str, organisation: bool) -> str:
    form = single_word_form(word) if organisation else None
    if form is not None:
        return form
    keys = word_keys(word, organisation)
    return keys[0].lower() if keys else ""


def normalise_identifier(value: str) -> str:
    """An identifier compared exactly: upper case without spaces, dashes or dots."""
    return "".join(char for char in value.upper() if char.isalnum())


class _Pairs:
    """(key, entity) pairs gathered in compact arrays while building."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.keys = array("i")
        self.entities = array("i")

    def add(self, position: int, keys: Iterable[str]) -> None:
        for key in keys:
            self.keys.append(self.vocabulary.setdefault(key, len(self.vocabulary)))
            self.entities.append(position)

    def postings(self) -> dict[str, IntArray]:
        """Each key's sorted entity positions, as views of one sorted array."""
        keys = np.frombuffer(self.keys, dtype=np.int32)
        order = np.argsort(keys, kind="stable")
        entities = np.frombuffer(self.entities, dtype=np.int32)[order]
        bounds = np.searchsorted(keys[order], np.arange(len(self.vocabulary) + 1))
        return {
            key: entities[bounds[number] : bounds[number + 1]]
            for key, number in self.vocabulary.items()
        }


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
    ) -> None:
        self.ids = ids
        self.persons = persons
        self.names = names
        self.postings = postings
        self.identifiers = identifiers
        self.skipped = 0
        # Each entity's first name as its sorted word keys, the order among candidates.
        # An object array, so that the candidates' keys are taken in one fancy index.
        self.compact: npt.NDArray[np.object_] = np.array(
            [
                compact_keys(found[0], PERSON if person else "Organization") if found else ""
                for found, person in zip(names, persons.tolist(), strict=True)
            ],
            dtype=object,
        )

    @classmethod
    def build(
        cls, entities: Iterable[WatchlistEntity], *, max_share: float = MAX_SHARE
    ) -> CandidateIndex:
        """Index every name, alias and identifier of the entities (weak aliases are not
        matchable, see ``WatchlistEntity.matchable_names``)."""
        ids: list[str] = []
        persons = array("b")
        names: list[list[str]] = []
        tokens, identifiers = _Pairs(), _Pairs()
        for position, entity in enumerate(entities):
            ids.append(entity.id)
            persons.append(entity.schema_name == PERSON)
            names.append(list(entity.matchable_names))
            keys = set().union(*(name_keys(n, entity.schema_name) for n in entity.matchable_names))
            tokens.add(position, keys)
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
        )
        index.skipped = len(postings) - len(kept)
        _load_tables()
        # The index and the word caches are millions of long-lived objects; the cyclic
        # collector would otherwise walk them all whenever screening allocates enough
        # tokens to trigger a full collection (a third of screening's time at 100,000).
        gc.freeze()
        return index

    def __len__(self) -> int:
        return len(self.ids)

    def __getstate__(self) -> dict[str, object]:
        """Postings packed into one array per table, so that sending the index to Dask
        workers pickles a few large arrays rather than hundreds of thousands of small."""
        state = dict(self.__dict__)
        state["postings"] = _pack(self.postings)
        state["identifiers"] = _pack(self.identifiers)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """Rebuild the postings as views of the packed arrays."""
        packed_postings, packed_identifiers = state["postings"], state["identifiers"]
        state["postings"] = _unpack(packed_postings)  # type: ignore[arg-type]
        state["identifiers"] = _unpack(packed_identifiers)  # type: ignore[arg-type]
        self.__dict__.update(state)
        _load_tables()

    def weight(self, key: str) -> float:
        """Inverse document frequency of an indexed key: rare keys weigh more."""
        return math.log(len(self.ids) / len(self.postings[key]))

    def _by_identifier(self, identifiers: Sequence[str]) -> list[int]:
        found = (self.identifiers.get(normalise_identifier(value)) for value in identifiers)
        return sorted({int(i) for positions in found if positions is not None for i in positions})

    def _by_name(self, name: str, schema: str, limit: int) -> list[int]:
        """Candidates gathering ``MIN_SHARE`` of the query's weight: each word of the
        query weighs as its commonest indexed key, and an entity gathers, for each word,
        the weight of the rarest of the word's keys it holds. Of those (the ``RERANKED``
        best by weight), the ``limit`` whose words are most alike the query's."""
        groups = self._indexed_groups(name, schema)
        if not groups:
            return []
        # A word weighs as its commonest indexed key: the key any accepted spelling of it
        # shares (a misspelt word's own key may be another entity's rare one).
        weights = [group[-1][0] for group in groups]
        needed = MIN_SHARE * sum(weights)
        rare = _rare_prefix(weights, needed)
        found = [self.postings[key] for group in groups[:rare] for _, key in group]
        candidates = _distinct(np.concatenate(found))
        candidates = candidates[self._same_kind(candidates, schema)]
        totals = np.zeros(len(candidates))
        for group in groups:
            gathered = np.zeros(len(candidates))
            for weight, key in group:
                np.maximum(
                    gathered, weight * _contains(self.postings[key], candidates), out=gathered
                )
            totals += gathered
        keep = totals >= needed
        candidates, totals = candidates[keep], totals[keep]
        if len(candidates) > RERANKED:
            top = np.lexsort((candidates, -totals))[:RERANKED]
            candidates, totals = candidates[top], totals[top]
        return self._closest(name, schema, candidates, totals, limit)

    def _closest(
        self,
        name: str,
        schema: str,
        candidates: IntArray,
        totals: npt.NDArray[np.float64],
        limit: int,
    ) -> list[int]:
        """Of the ``limit`` candidates whose names are closest to the query's by the sorted
        word keys (the scorer's own measure of the names' words, in a cheap form), those
        worth scoring (see ``ALIKE_SURE``, ``ALIKE_MIN`` and ``LIKELY_SCORED``)."""
        query = compact_keys(name, schema)
        choices = self.compact[candidates].tolist()
        alike = process.cdist(
            [query], choices, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=1
        )[0]
        order = np.lexsort((candidates, -totals, -alike.astype(np.int16)))[:limit]
        chosen: list[int] = []
        likely = 0
        for rank, at in enumerate(order.tolist()):
            likeness = int(alike[at])
            if rank < ALWAYS_SCORED or likeness >= ALIKE_SURE:
                chosen.append(int(candidates[at]))
            elif likeness >= ALIKE_MIN and likely < LIKELY_SCORED:
                chosen.append(int(candidates[at]))
                likely += 1
        return chosen

    def _indexed_groups(self, name: str, schema: str) -> list[list[tuple[float, str]]]:
        """The indexed keys of each word of the query, rarest first, the words in order of
        their rarest key (rarest first); the same word twice counts once."""
        groups = []
        for keys in dict.fromkeys(word_key_groups(name, schema)):
            group = sorted(
                ((self.weight(key), key) for key in keys if key in self.postings), reverse=True
            )
            if group:
                groups.append(group)
        return sorted(groups, reverse=True)

    def _same_kind(self, candidates: IntArray, schema: str) -> npt.NDArray[np.bool_]:
        if schema == "LegalEntity":
            return np.ones(len(candidates), dtype=np.bool_)
        flags: npt.NDArray[np.bool_] = self.persons[candidates] == (schema == PERSON)
        return flags

    def candidates(
        self, name: str, schema: str = PERSON, *, identifiers: Sequence[str] = (), limit: int = 50
    ) -> list[int]:
        """Positions of the candidates: identifier matches first, then by shared weight."""
        by_id = self._by_identifier(identifiers)
        seen = set(by_id)
        by_name = [i for i in self._by_name(name, schema, limit) if i not in seen]
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
        limit: int = 10,
        threshold: float = THRESHOLD,
    ) -> list[Hit]:
        """Score the candidates; hits at or above ``threshold``, best first.

        A shared identifier is a hit with score 1.0 whatever the names say.
        """
        by_id = set(self._by_identifier(identifiers))
        hits = [self._identifier_hit(i, identifiers) for i in sorted(by_id)]
        for position in self._by_name(name, schema, limit):
            hit = None if position in by_id else self._name_hit(position, name, schema, threshold)
            if hit is not None:
                hits.append(hit)
        found = [hit for hit in hits if hit.score >= threshold]
        return sorted(found, key=lambda hit: (-hit.score, hit.entity_id))

    def _identifier_hit(self, position: int, identifiers: Sequence[str]) -> Hit:
        wanted = {normalise_identifier(value): value for value in identifiers}
        shared = [
            value
            for key, value in wanted.items()
            if key in self.identifiers and position in self.identifiers[key]
        ]
        summary = f"same identifier {', '.join(shared)}"
        return Hit(self.ids[position], 1.0, self.names[position][0], summary)

    def _name_hit(self, position: int, name: str, schema: str, threshold: float) -> Hit | None:
        """The hit for the best of an entity's names (the first of equal scores), or
        ``None`` below ``threshold``: only a hit is explained and summarised."""
        kind, aligned, values, scores = self._scored(position, name, schema)
        listed = self.names[position]
        top = max(scores)
        if top < threshold:
            return None
        at = scores.index(top)
        best = explanation(aligned[at], kind, values=values[at])
        return Hit(self.ids[position], best.score, listed[at], summarise(best))

    def _scored(
        self, position: int, name: str, schema: str
    ) -> tuple[str, list[Alignment | None], list[list[float] | None], list[float]]:
        """The schema compared, and per listed name its alignment, feature values and score."""
        kind = PERSON if self.persons[position] else "Organization"
        kind = schema if kind != PERSON and is_organisation(schema) else kind
        aligned = [best_alignment(name, other, kind) for other in self.names[position]]
        values = [feature_values(alignment) if alignment else None for alignment in aligned]
        scores = [values_score(found) if found is not None else 0.0 for found in values]
        return kind, aligned, values, scores

    def score_entity(self, position: int, name: str, schema: str = PERSON) -> float:
        """The pair score of the query against the entity's best name, as ``screen`` would
        give it if the entity were a candidate: what the candidate stage is measured by."""
        return max(self._scored(position, name, schema)[3])


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


def _distinct(positions: IntArray) -> IntArray:
    """The distinct positions, sorted. ``np.unique`` would do, but numpy 2's hash table
    behind it allocates per element and is several times slower than a sort at these
    sizes (five times slower again once rigour's name tagger holds its 380 MiB)."""
    ordered = np.sort(positions)
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
    """How many of the rarest keys an entity must share one of to reach ``needed``:
    an entity holding none of them gathers at most the rest, which falls short."""
    rest = sum(weights)
    for count, weight in enumerate(weights, start=1):
        rest -= weight
        if rest < needed:
            return count
    return len(weights)


def _contains(postings: IntArray, positions: IntArray) -> npt.NDArray[np.bool_]:
    """Which of the sorted ``positions`` appear in the sorted ``postings``."""
    at = np.searchsorted(postings, positions)
    found: npt.NDArray[np.bool_] = postings[np.minimum(at, len(postings) - 1)] == positions
    return found
