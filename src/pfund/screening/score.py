"""Score a pair of names in [0, 1] from a table of (feature, weight) and a logistic link.

The weights were fitted by ``pfund.screening.calibrate.fit`` on one half of the
OpenSanctions name benchmark (``tests/cases/names_cases.csv``, rows with an even index);
``bench/names.py --fit`` prints them again. The threshold maximises F1 on that half
(midway between the lowest score it accepts there and the next lower one). Measured with
``python bench/names.py``: F1 0.906 (precision 0.896, recall 0.915) on all 826 pairs,
F1 0.885 (precision 0.879, recall 0.892) on the held-out odd rows; 17 % of pairs share a
score with another (13.5 % of distinct pairs: most are names identical once normalised).
The readings of issue 14 (French j as ж, German z as ц, Belarusian and Ukrainian spellings,
``align``, ``phonetic``) came after the fit and were not refitted: they moved one pair
of the even rows (faberlick, now accepted) and none of the held-out rows.
One weight is set by rule rather than fitted: ``marked_apart`` (a number, branch word or
region that sets two firms' names apart), which puts such a pair below the threshold;
it raised the all-pairs F1 from 0.902 (two Bowne II pairs, labelled different, are no
longer accepted). ``bench/firm_names.py`` measures it on the labelled firm pairs.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, product
from types import FunctionType
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from pfund.screening import entity_marks, matrices
from pfund.screening import features as f
from pfund.screening.align import (
    COUNTERPART_MIN,
    Alignment,
    Similarity,
    align,
    alignment_quality,
)
from pfund.screening.lexicon import place
from pfund.screening.names import (
    ORGANISATION_SCHEMAS,
    PERSON,
    Token,
    form_of,
    readings,
    spellings,
)
from pfund.screening.phonetic import skeleton

BIAS: Final = 0.13
# Set by rule, not fitted: a number, branch word or region that sets two organisations'
# names apart is evidence of a different entity strong enough to outweigh identical other
# words (the highest log-odds an organisation pair reaches without it is about 4.7, and
# the threshold's is -0.39). Only a shared identifier or an alias overrides it, outside
# the pair score (``index.CandidateIndex.screen``).
MARKED_APART_WEIGHT: Final = -6.0
# Fitted jointly, so a weight is the pull of a feature given all the others: the positive
# weight of extra_person_words offsets the lower similarities that extra words cause.
FEATURES: Final[tuple[tuple[f.Feature, float], ...]] = (
    (f.aligned_similarity, 4.51),
    (f.weakest_pair, 0.62),
    (f.weakest_pair_prefix, -5.13),
    (f.token_set_similarity, -0.65),
    (f.compact_similarity, 1.63),
    (f.skeleton_similarity, 2.45),
    (f.extra_person_words, 2.48),
    (f.extra_organisation_words, -1.87),
    (f.mismatched_words, -6.31),
    (f.same_words, 0.7),
    (f.legal_form_conflict, -4.36),
    (f.order_changed, -0.18),
    (f.patronymic_conflict, -4.84),
    (f.lineage_swapped, -4.06),
    (f.written_alike, 0.39),
    (f.unpaired_number, -2.83),
    (f.person, -1.37),
    (f.place_differs, -0.06),
    (f.characters_differ, -4.6),
    (f.marked_apart, MARKED_APART_WEIGHT),
)
THRESHOLD: Final = 0.4044
# The mean of each feature over the pairs the weights were fitted on, in table order: a
# typical pair. Explanations measure each feature's pull from there, so that the pulls of
# correlated features (weakest_pair_prefix against aligned_similarity) do not show as
# large opposite numbers that cancel: identical names are then explained by the
# similarities being above the typical pair's, not by a "negative" prefix agreement.
TYPICAL: Final[tuple[float, ...]] = (
    0.782,  # aligned_similarity
    0.885,  # weakest_pair
    0.924,  # weakest_pair_prefix
    0.867,  # token_set_similarity
    0.782,  # compact_similarity
    0.761,  # skeleton_similarity
    0.187,  # extra_person_words
    0.053,  # extra_organisation_words
    0.237,  # mismatched_words
    0.249,  # same_words
    0.016,  # legal_form_conflict
    0.027,  # order_changed
    0.007,  # patronymic_conflict
    0.005,  # lineage_swapped
    0.695,  # written_alike
    0.01,  # unpaired_number
    0.663,  # person
    0.022,  # place_differs
    0.01,  # characters_differ
    0.01,  # marked_apart
)


@dataclass(frozen=True)
class FeatureValue:
    """One line of an explanation: what the feature means, its value and its pull."""

    name: str
    value: float
    weight: float
    explanation: str
    typical: float = 0.0

    @property
    def contribution(self) -> float:
        """How far this feature moved the log-odds of a match from a typical pair's: the
        weight times the value's distance from the typical value."""
        return (self.value - self.typical) * self.weight


@dataclass(frozen=True)
class Explanation:
    """A score with the spellings compared and every feature behind it."""

    score: float
    left: str
    right: str
    schema: str
    features: tuple[FeatureValue, ...]

    @property
    def is_match(self) -> bool:
        """Whether the score reaches the calibrated threshold."""
        return self.score >= THRESHOLD


def _docstring(feature: f.Feature) -> str:
    return " ".join((feature.__doc__ or "").split())


_EXPLANATIONS: Final = tuple(_docstring(feature) for feature, _ in FEATURES)
_WEIGHTS: Final = [weight for _, weight in FEATURES]


# Spelling pairs aligned in full: the closest by a quick comparison (benchmark F1 is the
# same with 1, 2 or all pairs; one is 30 % faster).
FORM_PAIRS: Final = 1


def sorted_words(spelling: str) -> str:
    """The spelling's words in lower case and sorted: what ``_closest_pairs`` compares."""
    return " ".join(sorted(spelling.lower().split()))


# Cached for pairs scored one at a time; a pool's listed spellings (``pool_score``) are
# mostly new to each query, and there a cache would only churn.
_sorted_words = lru_cache(maxsize=2**16)(sorted_words)


def _closest_pairs(name1: str, name2: str, schema: str) -> list[tuple[str, str]]:
    """The ``FORM_PAIRS`` pairs of spellings most alike, by a Levenshtein comparison of
    their words in sorted order: cheap, and done before the spellings are parsed."""
    pairs = list(product(spellings(name1, schema), spellings(name2, schema)))
    if len(pairs) <= FORM_PAIRS:
        return pairs
    if FORM_PAIRS == 1:  # the first of the most alike, as the stable sort below ranks it
        return [
            max(
                pairs,
                key=lambda pair: Levenshtein.normalized_similarity(
                    _sorted_words(pair[0]), _sorted_words(pair[1])
                ),
            )
        ]
    ranked = sorted(
        pairs,
        key=lambda pair: (
            -Levenshtein.normalized_similarity(_sorted_words(pair[0]), _sorted_words(pair[1]))
        ),
    )
    return ranked[:FORM_PAIRS]


def best_alignment(
    name1: str,
    name2: str,
    schema: str = PERSON,
    *,
    closest: list[tuple[str, str]] | None = None,
    similar: Similarity | None = None,
) -> Alignment | None:
    """The alignment of the two spellings (one per transliteration) that agree best.

    A Cyrillic name has up to seven spellings; parsing and aligning each is the slowest
    step of screening. The pairs of spellings are first ranked by a quick string
    comparison and only the ``FORM_PAIRS`` closest are parsed and aligned: the
    transliteration nearest to the other spelling is the one worth aligning.
    ``closest`` gives those pairs when already found, ``similar`` the words'
    similarities (``align``): ``pool_score`` works both out for many names at once."""
    if closest is None:
        closest = _closest_pairs(name1, name2, schema)
    found = [(form_of(one, schema), form_of(other, schema)) for one, other in closest]
    candidates = [
        align(one, other, schema, similar)
        for left, right in found
        if left.tokens and right.tokens
        for one in readings(left, schema)
        for other in readings(right, schema)
    ]
    if len(candidates) > 1:
        best: Alignment | None = max(candidates, key=alignment_quality)
    else:
        best = candidates[0] if candidates else None
    if best is None:
        return None
    return Alignment(best.left, best.right, best.pairs, best.schema, (name1, name2))


def feature_values(alignment: Alignment) -> list[float]:
    """The value of every feature of the table, in table order: the same numbers as
    calling each feature (``feature_values_one_by_one``), with what several features
    share (the required words, their keys, the words without a counterpart) worked out
    once per alignment; screening computes this for every candidate it scores."""
    values = bounded_values(alignment, -math.inf)
    assert values is not None  # nothing falls below minus infinity
    return values


def bounded_values(alignment: Alignment, floor: float) -> list[float] | None:
    """``feature_values``, or ``None`` as soon as the log-odds of a match (``BIAS`` plus
    each value times its weight) certainly falls below ``floor``: the features are worked
    out a few at a time, those that raise the score first, and after each few the ones
    not yet known are bounded by what they could add at most. Every value is in [0, 1],
    so a feature of positive weight adds at most its weight and one of negative weight
    nothing (``HEADROOM``). The bound never rejects a pair whose score reaches ``floor``:
    screening skips the rest of a candidate that cannot reach the threshold."""
    left, right = alignment.left, alignment.right
    left_required, right_required = left.required, right.required
    left_keys = [token.key for token in left_required] or [token.key for token in left.tokens]
    right_keys = [token.key for token in right_required] or [token.key for token in right.tokens]
    pairs = alignment.pairs
    left_similar: dict[int, float] = {}
    right_similar: dict[int, float] = {}
    for i, j, similarity in pairs:
        left_similar.setdefault(i, similarity)
        right_similar.setdefault(j, similarity)
    unmatched = (
        sum(
            1
            for index, token in enumerate(left.tokens)
            if not token.optional and left_similar.get(index, 0.0) < COUNTERPART_MIN
        ),
        sum(
            1
            for index, token in enumerate(right.tokens)
            if not token.optional and right_similar.get(index, 0.0) < COUNTERPART_MIN
        ),
    )
    shorter, longer = (0, 1) if len(left_required) <= len(right_required) else (1, 0)
    required_pairs = [
        (i, j, similarity)
        for i, j, similarity in pairs
        if not (left.tokens[i].optional or right.tokens[j].optional)
    ]
    person = alignment.schema == PERSON
    extra = min(unmatched[longer], 3) / 3.0
    values = [0.0] * len(FEATURES)
    # What the alignment gives at once, and the cheap similarities of the names as written.
    values[0] = _quality(alignment, left_required, right_required, required_pairs)
    values[1] = min((similarity for _, _, similarity in required_pairs), default=0.0)
    values[6] = extra if person else 0.0
    values[7] = 0.0 if person else extra
    values[8] = min(unmatched[shorter], 2) / 2.0
    values[9] = float(sorted(left_keys) == sorted(right_keys))
    values[14] = f.written_alike(alignment)
    values[16] = float(person)
    if _below(values, 0, floor):
        return None
    all_paired = bool(left_required and right_required) and not unmatched[shorter]
    aligned_keys = f.aligned_keys(alignment) if all_paired else None
    values[4] = f.compact_of(left_keys, right_keys, aligned_keys)
    values[5] = f.skeleton_of(left_keys, right_keys, aligned_keys)
    if _below(values, 1, floor):
        return None
    values[2] = min(
        (f.prefix_similarity(left.tokens[i], right.tokens[j]) for i, j, _ in required_pairs),
        default=0.0,
    )
    values[12] = f.patronymic_conflict(alignment)
    if _below(values, 2, floor):
        return None
    values[3] = f.TOKEN_SET_RATIO(" ".join(left_keys), " ".join(right_keys)) / 100.0
    values[10] = f.legal_form_conflict(alignment)
    values[11] = f.order_changed(alignment)
    values[13] = f.lineage_swapped(alignment)
    values[15] = f.unpaired_number(alignment)
    values[17] = f.place_differs(alignment)
    values[18] = f.characters_differ(alignment)
    values[19] = f.marked_apart(alignment)
    return values


# The table positions known after each stage of ``bounded_values`` but the last.
STAGES: Final[tuple[frozenset[int], ...]] = (
    frozenset({0, 1, 6, 7, 8, 9, 14, 16}),
    frozenset({0, 1, 4, 5, 6, 7, 8, 9, 14, 16}),
    frozenset({0, 1, 2, 4, 5, 6, 7, 8, 9, 12, 14, 16}),
)
# The most each feature can add to the log-odds: its weight if positive, else nothing.
HEADROOM: Final[list[float]] = [max(weight, 0.0) for _, weight in FEATURES]
# Float sums in another order may differ in the last bits: the bound keeps this margin.
BOUND_MARGIN: Final = 1e-9
Bounds = tuple[tuple[tuple[tuple[int, float], ...], float], ...]


def stage_bounds(headroom: Sequence[float]) -> Bounds:
    """Per stage of ``STAGES``: the known positions with their weights, and what the
    unknown features add at most given each feature's ``headroom`` (a sum worked out
    once, in table order, as ``_below`` once added it at every call)."""
    return tuple(
        (
            tuple((at, weight) for at, (_, weight) in enumerate(FEATURES) if at in known),
            unknown_headroom(known, headroom),
        )
        for known in STAGES
    )


def unknown_headroom(known: frozenset[int], headroom: Sequence[float]) -> float:
    """What the features not in ``known`` add at most, summed in table order."""
    return sum(headroom[at] for at in range(len(FEATURES)) if at not in known)


_KNOWN: Final = stage_bounds(HEADROOM)


def _below(values: list[float], stage: int, floor: float) -> bool:
    """Whether the log-odds cannot reach ``floor`` after ``stage`` (of ``STAGES``)
    whatever the unknown features are: the products added one by one in table order (a
    loop, which compiled adds native floats; ``sum`` over a generator boxes each)."""
    weighed, headroom = _KNOWN[stage]
    added = 0.0
    for at, weight in weighed:
        added += values[at] * weight
    most = BIAS + added
    most += headroom
    return most + BOUND_MARGIN < floor


# Pools smaller than this are scored one alignment at a time (``bounded_values``): the
# array operations of ``pool_values`` cost a few microseconds each whatever their length.
POOL_MIN: Final = 8


def _runs_compiled() -> bool:
    """Whether this module runs compiled by mypyc (``setup.py``): its functions are then
    built-in functions, not Python ones."""
    return not isinstance(_runs_compiled, FunctionType)


# Compiled, ``bounded_values`` one alignment at a time costs less than ``pool_values``'
# array steps (1,000,000 entities, 400 queries' pools: 0.91 against 1.04 ms a query, the
# same values): at a pool's size (median 26 names) each numpy call costs more than the
# compiled loop it replaces. The Python engine keeps the array steps (``PFUND_PURE_PYTHON``).
COMPILED: Final = _runs_compiled()
Rows = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
# The table positions known after each stage of ``pool_values`` but the last: those of
# ``bounded_values`` with the Jaro-Winkler prefix (and the patronymics) before the
# compact and consonant similarities. Over a pool it is the cheaper stage, and it leaves
# fewer names in the running (a fifth of a whole pool's names at 100,000, against four
# fifths after the compact similarities).
POOL_STAGES: Final[tuple[frozenset[int], ...]] = (STAGES[0], STAGES[0] | {2, 12}, STAGES[2])
# Per stage of ``pool_values``: the columns known, their weights, and what the unknown
# features add at most (``_below``).
_BOUNDS: Final = tuple(
    (
        np.array(sorted(known), dtype=np.intp),
        np.array([FEATURES[at][1] for at in sorted(known)]),
        unknown_headroom(known, HEADROOM),
    )
    for known in POOL_STAGES
)


def pool_values(alignments: Sequence[Alignment], floor: float) -> list[list[float] | None]:
    """``bounded_values`` of each alignment of a pool, worked out for the whole pool at
    once: the same numbers, bit for bit, wherever the log-odds reach ``floor``, and
    ``None`` for the others or their values (its stages are not quite the same:
    ``POOL_STAGES``).

    Screening scores every listed name of a query's candidates; one by one, a name costs
    a hundred lines of Python. Here each stage of ``bounded_values`` is a few array
    operations over the alignments still in the running: the words of all the names and
    their pairs gathered once into flat arrays, the string similarities one
    ``rapidfuzz.process.cpdist`` per feature, sums in the order the scorer adds them (an
    ``accumulate`` along a row adds left to right, as ``sum`` does), so that the floats
    agree, and the bound applied to every alignment at once. The features that are
    nearly always 0 (legal forms, patronymics, ``bin``, places, marks, Chinese
    characters) are left to their own functions, called only for the alignments whose
    words can make them nonzero. Compiled (``COMPILED``), each alignment goes through
    ``bounded_values`` instead, which then costs less."""
    if (
        COMPILED
        or len(alignments) < POOL_MIN
        or not all(alignment.left.tokens and alignment.right.tokens for alignment in alignments)
    ):
        return shared_values(alignments, floor)
    pool = _Pool(alignments)
    rows = _reaching(pool.first_stage(), np.arange(len(alignments)), 0, floor)
    pool.prefix_stage(rows)
    rows = _reaching(pool.values, rows, 1, floor)
    pool.compact_stage(rows)
    rows = _reaching(pool.values, rows, 2, floor)
    pool.last_stage(rows)
    found: list[list[float] | None] = [None] * len(alignments)
    for at, row in zip(rows.tolist(), pool.values[rows].tolist(), strict=True):
        found[at] = row
    return found


# The places in the table of the features that read the names as written
# (``Alignment.raw``); every other feature reads the aligned forms alone.
# ``_WRITTEN`` is known from the first stage, ``_SCRIPT`` at the last.
_FEATURE_AT: Final = {feature: at for at, (feature, _) in enumerate(FEATURES)}
_WRITTEN: Final = _FEATURE_AT[f.written_alike]
_SCRIPT: Final = _FEATURE_AT[f.characters_differ]
_WRITTEN_WEIGHT: Final = FEATURES[_WRITTEN][1]


def shared_values(alignments: Sequence[Alignment], floor: float) -> list[list[float] | None]:
    """``bounded_values`` of each alignment, worked out once for alignments that differ
    only in the names as written: a listed alias spelt as the listed name's own
    transliteration, or namesakes, align the same forms the same way (a fifth of a
    pool's alignments at 1,000,000). Of such a group the one whose written similarity
    adds most to the log-odds is worked out; its bound is the highest of the group's at
    every stage (a float sum does not fall when one term rises), so where it falls below
    ``floor`` every other's does too. The others take its values with their own written
    features and are checked against each stage's bound as ``bounded_values`` would."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for at, alignment in enumerate(alignments):
        key = (alignment.left, alignment.right, alignment.pairs, alignment.schema)
        groups.setdefault(key, []).append(at)
    found: list[list[float] | None] = [None] * len(alignments)
    for members in groups.values():
        if len(members) == 1:
            found[members[0]] = bounded_values(alignments[members[0]], floor)
            continue
        written = {at: f.written_alike(alignments[at]) for at in members}
        first = max(members, key=lambda at: _WRITTEN_WEIGHT * written[at])
        values = bounded_values(alignments[first], floor)
        found[first] = values
        if values is None:
            continue
        for at in members:
            if at == first:
                continue
            own = values.copy()
            own[_WRITTEN] = written[at]
            own[_SCRIPT] = f.characters_differ(alignments[at])
            if not any(_below(own, stage, floor) for stage in range(len(STAGES))):
                found[at] = own
    return found


def _reaching(values: Floats, rows: Rows, stage: int, floor: float) -> Rows:
    """The ``rows`` whose log-odds may still reach ``floor`` after ``stage`` (of
    ``POOL_STAGES``): ``_below`` of each, its products added in table order."""
    columns, weights, headroom = _BOUNDS[stage]
    weighed = values[np.ix_(rows, columns)] * weights
    most = BIAS + np.add.accumulate(weighed, axis=1)[:, -1]
    most = most + headroom
    kept: Rows = rows[~(most + BOUND_MARGIN < floor)]
    return kept


def _starts(counts: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Where each block of ``counts`` starts in the flat array of all of them."""
    starts = np.zeros(len(counts), dtype=np.intp)
    np.cumsum(counts[:-1], out=starts[1:])
    return starts


# Scorers whose ``cpdist`` values equal their own, bit for bit. Jaro-Winkler's do not:
# ``cpdist`` gives its ``similarity`` where ``normalized_similarity`` differs in the last
# bit for about a fifth of string pairs (0.43703703703703706 against 0.4370370370370371
# for evich and ovnaevich), so it is called pair by pair.
BATCH_EXACT: Final[frozenset[Callable[..., float]]] = frozenset(
    {Levenshtein.normalized_similarity, fuzz.token_set_ratio}
)


def _similarities(left: list[str], right: list[str], scorer: Callable[..., float]) -> Floats:
    """The scorer's similarity of each string of ``left`` with the one beside it."""
    if not left:
        return np.zeros(0)
    if scorer not in BATCH_EXACT:
        return np.fromiter(map(scorer, left, right), dtype=np.float64, count=len(left))
    found: Floats = matrices.cpdist(left, right, scorer, np.float64)
    return found


_skeleton = lru_cache(maxsize=2**16)(skeleton)


@lru_cache(maxsize=2**16)
def _key_strings(keys: tuple[str, ...]) -> tuple[str, str, str, str, str]:
    """The strings of a name's keys (``features._keys``) that ``compact_of``,
    ``skeleton_of`` and ``token_set_similarity`` compare: run together as written and
    sorted, the consonants sorted and as written, the keys with spaces."""
    skeletons = list(map(_skeleton, keys))
    return (
        "".join(keys),
        "".join(sorted(keys)),
        " ".join(sorted(skeletons)),
        " ".join(skeletons),
        " ".join(keys),
    )


@lru_cache(maxsize=64)
def _upper(width: int) -> Flags:
    """The pairs (a, b) of positions below ``width`` with a before b."""
    found: Flags = np.triu(np.ones((width, width), dtype=np.bool_), 1)
    return found


class _Pool:
    """The alignments of a pool as flat arrays, and the values found so far (a row per
    alignment, a column per feature of ``FEATURES``). The words of every form are in one
    array, the left forms' (the query's) first, then the right forms' (the listed
    names'): form ``k`` is alignment ``k``'s left, form ``count + k`` its right."""

    def __init__(self, alignments: Sequence[Alignment]) -> None:
        count = self.count = len(alignments)
        self.alignments = alignments
        words = [alignment.left.tokens for alignment in alignments]
        words += [alignment.right.tokens for alignment in alignments]
        self.counts = np.fromiter(map(len, words), np.intp, 2 * count)
        self.starts = _starts(self.counts)
        self.segment = np.repeat(np.arange(2 * count), self.counts)  # each word's form
        self.tokens: list[Token] = list(chain.from_iterable(words))
        texts, keys, optional = zip(*self.tokens, strict=True)
        self.texts: tuple[str, ...] = texts
        self.keys: tuple[str, ...] = keys
        self.optional = np.array(optional, dtype=np.bool_)
        self.required = np.add.reduceat(~self.optional, self.starts, dtype=np.intp)
        self.person = np.fromiter(
            (alignment.schema == PERSON for alignment in alignments), np.bool_, count
        )
        self.pair_counts = np.fromiter(
            (len(alignment.pairs) for alignment in alignments), np.intp, count
        )
        pairs = np.array(
            list(chain.from_iterable(alignment.pairs for alignment in alignments)),
            dtype=np.float64,
        ).reshape(-1, 3)
        self.owner = np.repeat(np.arange(count), self.pair_counts)  # each pair's alignment
        self.slot = np.arange(len(pairs)) - _starts(self.pair_counts)[self.owner]
        self.width = int(self.pair_counts.max())
        self.similarity = pairs[:, 2]
        self.i = pairs[:, 0].astype(np.intp)
        self.j = pairs[:, 1].astype(np.intp)
        self.left_at = self.starts[self.owner] + self.i  # each pair's words, flat
        self.right_at = self.starts[count + self.owner] + self.j
        self.required_pair = ~(self.optional[self.left_at] | self.optional[self.right_at])
        self.values = np.zeros((count, len(FEATURES)))

    def first_stage(self) -> Floats:
        """The values ``bounded_values`` works out first, for every alignment."""
        count, values, optional = self.count, self.values, self.optional
        lengths = np.fromiter(map(len, self.texts), np.intp, len(self.texts))
        similar = np.zeros(len(lengths))
        similar[self.left_at] = self.similarity
        similar[self.right_at] = self.similarity
        unmatched = np.add.reduceat(
            ~optional & (similar < COUNTERPART_MIN), self.starts, dtype=np.intp
        )
        left_shorter = self.required[:count] <= self.required[count:]
        shorter = np.where(left_shorter, unmatched[:count], unmatched[count:])
        longer = np.where(left_shorter, unmatched[count:], unmatched[:count])
        self.all_paired = (self.required[:count] > 0) & (self.required[count:] > 0)
        self.all_paired &= shorter == 0
        # alignment quality: the required pairs' weighted similarities added in order
        letters = lengths[self.left_at] + lengths[self.right_at]
        weighted = self._padded(np.where(self.required_pair, self.similarity * letters, 0.0), 0.0)
        matched = np.add.accumulate(weighted, axis=1)[:, -1] if self.width else np.zeros(count)
        weights = np.add.reduceat(np.where(optional, 0, lengths), self.starts)
        weights = weights[:count] + weights[count:]
        values[:, 0] = np.divide(matched, weights, out=np.zeros(count), where=weights > 0)
        values[:, 1] = self._least(np.where(self.required_pair, self.similarity, np.inf))
        extra = np.minimum(longer, 3) / 3.0
        values[:, 6] = np.where(self.person, extra, 0.0)
        values[:, 7] = np.where(self.person, 0.0, extra)
        values[:, 8] = np.minimum(shorter, 2) / 2.0
        values[:, 9] = self._same_words()
        raw = [alignment.raw for alignment in self.alignments]
        values[:, 14] = _similarities(
            [one for one, _ in raw], [other for _, other in raw], Levenshtein.normalized_similarity
        )
        values[:, 16] = self.person
        return values

    def _same_words(self) -> Flags:
        """``same_words``: the keys of ``features._keys`` (the required words', else all)
        compared where their numbers and the sums of their hashes agree."""
        used = ~self.optional | (self.required == 0)[self.segment]
        hashes = np.fromiter(map(hash, self.keys), np.int64, len(self.keys))
        summed = np.add.reduceat(np.where(used, hashes, 0), self.starts)
        counts = np.add.reduceat(used, self.starts, dtype=np.intp)
        self.used = tuple(compress(self.keys, used.tolist()))
        ends = np.cumsum(counts)
        self.used_starts, self.used_ends = (ends - counts).tolist(), ends.tolist()
        count = self.count
        same: Flags = (counts[:count] == counts[count:]) & (summed[:count] == summed[count:])
        for at in np.flatnonzero(same).tolist():
            same[at] = sorted(self._used(at)) == sorted(self._used(count + at))
        return same

    def _used(self, form: int) -> tuple[str, ...]:
        """The keys of form ``form`` that ``features._keys`` gives."""
        return self.used[self.used_starts[form] : self.used_ends[form]]

    def _padded(self, per_pair: Floats, fill: float) -> Floats:
        """A value per pair as a row per alignment, the pairs in order, ``fill`` after."""
        found = np.full((self.count, self.width), fill)
        found[self.owner, self.slot] = per_pair
        return found

    def _least(self, per_pair: Floats) -> Floats:
        """The least of each alignment's finite values per pair, 0 without one."""
        if not self.width:
            return np.zeros(self.count)
        least = self._padded(per_pair, np.inf).min(axis=1)
        found: Floats = np.where(least == np.inf, 0.0, least)
        return found

    def compact_stage(self, rows: Rows) -> None:
        """``compact_of`` and ``skeleton_of`` of the alignments of ``rows``."""
        at = rows.tolist()
        count = self.count
        lefts = [_key_strings(self._used(k)) for k in at]
        rights = [_key_strings(self._used(count + k)) for k in at]
        scorer = Levenshtein.normalized_similarity
        compact = np.maximum(
            _similarities([one[0] for one in lefts], [one[0] for one in rights], scorer),
            _similarities([one[1] for one in lefts], [one[1] for one in rights], scorer),
        )
        skeletons = _similarities([one[2] for one in lefts], [one[2] for one in rights], scorer)
        paired = self.all_paired[rows] & ((compact < 1.0) | (skeletons < 1.0))
        if paired.any():
            self._paired(rows, paired, compact, skeletons, (lefts, rights))
        self.values[rows, 4] = compact
        self.values[rows, 5] = skeletons

    def _paired(
        self,
        rows: Rows,
        paired: Flags,
        compact: Floats,
        skeletons: Floats,
        strings: tuple[list[tuple[str, str, str, str, str]], ...],
    ) -> None:
        """Raise ``compact`` and ``skeletons`` (of ``rows``) to the similarity of the
        names' keys each beside its counterpart (``features.aligned_keys``) where
        ``paired``. Where the right name's words are in the order of their counterparts
        already, that is its keys as written, run together (as ``compact_of`` compared)
        and as consonants in order; elsewhere ``aligned_keys`` puts them in order."""
        lefts, rights = strings
        chosen = np.flatnonzero(paired)
        reordered = self._reordered(rows[chosen])
        ordered = {
            int(k): f.aligned_keys(self.alignments[rows[k]]) for k in chosen[reordered].tolist()
        }
        scorer = Levenshtein.normalized_similarity
        at = chosen.tolist()
        compact[at] = np.maximum(
            compact[at],
            _similarities(
                [lefts[k][0] for k in at],
                ["".join(ordered[k][1]) if k in ordered else rights[k][0] for k in at],
                scorer,
            ),
        )
        skeletons[at] = np.maximum(
            skeletons[at],
            _similarities(
                [lefts[k][3] for k in at],
                [
                    " ".join(map(_skeleton, ordered[k][1])) if k in ordered else rights[k][3]
                    for k in at
                ],
                scorer,
            ),
        )

    def _reordered(self, rows: Rows) -> Flags:
        """For each of ``rows``, whether ``features.aligned_keys`` changes the order of
        the right name's required words: whether their counterparts' positions (the
        left name's length for a word without one) ever decrease."""
        count = self.count
        partner = self.counts[self.segment - count]  # right words only
        partner[self.right_at] = self.i
        wanted = np.zeros(count, dtype=np.bool_)
        wanted[rows] = True
        right = self.segment >= count
        words = np.flatnonzero(right & ~self.optional & wanted[self.segment - count])
        after, owner = partner[words], self.segment[words]
        falls = (after[1:] < after[:-1]) & (owner[1:] == owner[:-1])
        reordered = np.zeros(count, dtype=np.bool_)
        reordered[owner[1:][falls] - count] = True
        found: Flags = reordered[rows]
        return found

    def prefix_stage(self, rows: Rows) -> None:
        """``weakest_pair_prefix`` and ``patronymic_conflict`` of the alignments of ``rows``."""
        alive = np.zeros(self.count, dtype=np.bool_)
        alive[rows] = True
        chosen = np.flatnonzero(self.required_pair & alive[self.owner])
        left, right = self.left_at[chosen].tolist(), self.right_at[chosen].tolist()
        keys, texts = self.keys, self.texts
        scorer = JaroWinkler.normalized_similarity
        prefix = np.maximum(
            _similarities([keys[k] for k in left], [keys[k] for k in right], scorer),
            _similarities([texts[k] for k in left], [texts[k] for k in right], scorer),
        )
        per_pair = np.full(len(self.similarity), np.inf)
        per_pair[chosen] = prefix
        self.values[rows, 2] = self._least(per_pair)[rows]
        self._patronymics(alive)

    def _patronymics(self, alive: Flags) -> None:
        """``patronymic_conflict`` of the people's names of ``alive`` that both have an
        optional word (a patronymic)."""
        count, optional = self.count, self.optional
        optionals = np.add.reduceat(optional, self.starts, dtype=np.intp)
        both = alive & self.person & (optionals[:count] > 0) & (optionals[count:] > 0)
        if not both.any():
            return
        # the position of a form's optional word, where it has one only
        where = np.add.reduceat(np.where(optional, np.arange(len(optional)), 0), self.starts)
        single = (optionals[:count] == 1) & (optionals[count:] == 1)
        tokens = self.tokens
        for k in np.flatnonzero(both).tolist():
            if single[k]:
                one, other = tokens[where[k]], tokens[where[count + k]]
                self.values[k, 12] = float(f._same_father(one, other) < COUNTERPART_MIN)
            else:
                self.values[k, 12] = f.patronymic_conflict(self.alignments[k])

    def last_stage(self, rows: Rows) -> None:
        """The values ``bounded_values`` works out last, for the alignments of ``rows``."""
        at = rows.tolist()
        count, values = self.count, self.values
        values[rows, 3] = (
            _similarities(
                [_key_strings(self._used(k))[4] for k in at],
                [_key_strings(self._used(count + k))[4] for k in at],
                fuzz.token_set_ratio,
            )
            / 100.0
        )
        values[rows, 11] = self._order_changed(rows)
        texts = self.texts
        starts, ends = self.starts.tolist(), (self.starts + self.counts).tolist()
        for k in at:
            alignment = self.alignments[k]
            mine = texts[starts[k] : ends[k]]
            theirs = texts[starts[count + k] : ends[count + k]]
            values[k, 15] = float(_numbered(mine) != _numbered(theirs))
            if "bin" in mine and "bin" in theirs:
                values[k, 13] = f.lineage_swapped(alignment)
            if alignment.left.legal_forms and alignment.right.legal_forms:
                values[k, 10] = f.legal_form_conflict(alignment)
            one, other = alignment.raw
            if not (one.isascii() or other.isascii()):
                values[k, 18] = f.characters_differ(alignment)
            if alignment.schema != PERSON:
                if any(place(text) is not None for text in chain(mine, theirs)):
                    values[k, 17] = f.place_differs(alignment)
                if alignment.schema in ORGANISATION_SCHEMAS and any(
                    entity_marks.mark_of(text) is not None for text in chain(mine, theirs)
                ):
                    values[k, 19] = f.marked_apart(alignment)

    def _order_changed(self, rows: Rows) -> Floats:
        """``order_changed``: the share of the pairs of pairs that cross."""
        if self.width < 2:
            return np.zeros(len(rows))
        i = self._padded(self.i.astype(np.float64), np.nan)[rows]
        j = self._padded(self.j.astype(np.float64), np.nan)[rows]
        crossed = (i[:, :, None] - i[:, None, :]) * (j[:, :, None] - j[:, None, :]) < 0
        crossings = (crossed & _upper(self.width)).sum(axis=(1, 2))
        counts = self.pair_counts[rows]
        total = counts * (counts - 1) // 2
        found: Floats = np.divide(
            crossings, total, out=np.zeros(len(rows)), where=total > 0, dtype=np.float64
        )
        return found


def _numbered(texts: tuple[str, ...]) -> bool:
    """``features._has_number`` of a form's words."""
    return any(text.isdigit() or text in f.ROMAN_NUMERALS for text in texts)


def log_odds(probability: float) -> float:
    """The log-odds at which ``logistic`` gives ``probability``."""
    return math.log(probability / (1.0 - probability))


def _quality(
    alignment: Alignment,
    left_required: tuple[Token, ...],
    right_required: tuple[Token, ...],
    required_pairs: list[tuple[int, int, float]],
) -> float:
    """``alignment_quality`` from the required words and pairs already found."""
    weights = [len(token.text) for token in left_required]
    weights += [len(token.text) for token in right_required]
    left, right = alignment.left.tokens, alignment.right.tokens
    matched = sum(
        similarity * (len(left[i].text) + len(right[j].text)) for i, j, similarity in required_pairs
    )
    return matched / sum(weights) if weights else 0.0


def feature_values_one_by_one(alignment: Alignment) -> list[float]:
    """The value of every feature of the table, each feature called on its own: the
    definition ``feature_values`` must agree with, number for number."""
    return [feature(alignment) for feature, _ in FEATURES]


def logistic(values: list[float], weights: list[float], bias: float) -> float:
    """Map a weighted sum of feature values to a probability-like score in [0, 1]."""
    total = bias + sum(value * weight for value, weight in zip(values, weights, strict=True))
    return 1.0 / (1.0 + math.exp(-total))


def explain(name1: str, name2: str, schema: str = PERSON) -> Explanation:
    """Score two names and say why: the feature values, weights and explanations."""
    return explanation(best_alignment(name1, name2, schema), schema)


def explanation(
    alignment: Alignment | None, schema: str = PERSON, *, values: list[float] | None = None
) -> Explanation:
    """The explanation of one alignment (``None`` when a name has no words: score 0);
    ``values`` are its feature values when already computed (``feature_values``)."""
    if values is None:
        values = feature_values(alignment) if alignment else [0.0] * len(FEATURES)
    lines = tuple(
        FeatureValue(feature.__name__, value, weight, text, typical)
        for (feature, weight), value, text, typical in zip(
            FEATURES, values, _EXPLANATIONS, TYPICAL, strict=True
        )
    )
    left = " ".join(token.text for token in alignment.left.tokens) if alignment else ""
    right = " ".join(token.text for token in alignment.right.tokens) if alignment else ""
    score = logistic(values, _WEIGHTS, BIAS) if alignment else 0.0
    return Explanation(score, left, right, schema, lines)


def alignment_score(alignment: Alignment | None) -> float:
    """The score of one alignment, as ``explanation(alignment).score`` gives it."""
    return logistic(feature_values(alignment), _WEIGHTS, BIAS) if alignment else 0.0


def values_score(values: list[float]) -> float:
    """The score of feature values computed by ``feature_values``."""
    return logistic(values, _WEIGHTS, BIAS)


def score(name1: str, name2: str, schema: str = PERSON) -> float:
    """The calibrated match score of two names in [0, 1]; higher means more alike.
    The same number as ``explain(...).score``, without building the explanation."""
    return alignment_score(best_alignment(name1, name2, schema))


def is_match(name1: str, name2: str, schema: str = PERSON) -> bool:
    """Whether two names match at the calibrated threshold."""
    return score(name1, name2, schema) >= THRESHOLD
