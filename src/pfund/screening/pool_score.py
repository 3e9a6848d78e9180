"""Score one query against many listed names at once, with the scorer's numbers (issue 14).

Screening scores several candidates of one query. Scoring a pair on its own does, for
each pair, two steps that are one array operation over a whole pool:

- choosing the pair of spellings to align (``score._closest_pairs``: the closest by a
  Levenshtein comparison of their sorted words) is one ``rapidfuzz.process.cdist`` of the
  query's spellings against every spelling of every listed name, then the first largest
  of each name's block;
- the similarity of two words (``align.token_similarity``) is, for every word of the
  query against every distinct word of the pool, two ``cdist`` matrices (OSA on keys and
  on texts), the readings' keys compared the same way where a reading can raise it, and
  the rarer exceptions (an initial, rigour's equivalent given names, Belarusian and
  Ukrainian spellings, contractions) where their conditions hold; the greedy pairing of
  ``align`` then looks the similarities up in that table.

Every number is the one scoring the pair on its own gives: ``cdist`` runs the same
scorers, and the exceptions are the scorer's own functions applied where its conditions
select them (``tests/screening/test_pool_score.py`` checks each pair of the labelled sets
and of whole candidate pools). What is not worked out here (joined compound words,
acronyms, the features) is left to ``align`` and ``score`` per pair.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from pfund.screening import align as pairing
from pfund.screening.align import Alignment, token_similarity
from pfund.screening.lexicon import given_name_symbols
from pfund.screening.names import PERSON, Token, form_of, readings, spellings
from pfund.screening.phonetic import reading_keys
from pfund.screening.score import FORM_PAIRS, _closest_pairs, _sorted_words, best_alignment

# Words' similarities (``word_similarities``) and which of them a condition selects.
Matrix = npt.NDArray[np.float64]
Selected = npt.NDArray[np.bool_]


def closest_spellings(name: str, listed: Sequence[str], schema: str) -> list[list[tuple[str, str]]]:
    """For each listed name, the pairs of spellings ``score._closest_pairs`` would align
    with ``name``: the first of the most alike in the order of ``itertools.product``
    (``argmax`` of the block in row order), from one ``cdist`` for the whole pool."""
    if FORM_PAIRS != 1:
        return [_closest_pairs(name, other, schema) for other in listed]
    mine = spellings(name, schema)
    theirs = [spellings(other, schema) for other in listed]
    flat = [_sorted_words(spelling) for found in theirs for spelling in found]
    ratios = process.cdist(
        [_sorted_words(spelling) for spelling in mine],
        flat,
        scorer=Levenshtein.normalized_similarity,
        dtype=np.float64,
        workers=1,
    )
    chosen: list[list[tuple[str, str]]] = []
    start = 0
    for found in theirs:
        count = len(found)
        if len(mine) * count <= 1:
            chosen.append([(one, other) for one in mine for other in found])
        else:
            row, column = divmod(int(ratios[:, start : start + count].argmax()), count)
            chosen.append([(mine[row], found[column])])
        start += count
    return chosen


def word_similarities(left: Sequence[Token], right: Sequence[Token], person: bool) -> Matrix:
    """``token_similarity(one, other, person)`` for every word of ``left`` against every
    word of ``right``, as a matrix: the same conditions in the same order, each worked out
    for the whole matrix, or for the few pairs it selects."""
    left_texts = [token.text for token in left]
    right_texts = [token.text for token in right]
    shape = (len(left), len(right))
    if not left or not right:
        return np.zeros(shape)
    similarity = np.maximum(
        _osa([token.key for token in left], [token.key for token in right]),
        _osa(left_texts, right_texts),
    )
    digits = np.fromiter((text.isdigit() for text in left_texts), np.bool_, len(left))
    their_digits = np.fromiter((text.isdigit() for text in right_texts), np.bool_, len(right))
    read = (similarity >= pairing.READING_MIN) & (similarity < pairing.READING_MAX)
    read &= ~digits[:, None] & ~their_digits[None, :]
    if read.any():
        np.maximum(
            similarity,
            np.where(read, _readings(left_texts, right_texts, read), 0.0),
            out=similarity,
        )
    final = np.zeros(shape, dtype=np.bool_)  # set by an exception that returns at once
    result = similarity.copy()
    if person:
        equivalent = (similarity < pairing.EQUIVALENT_NAME) & _shared_symbols(
            left_texts, right_texts
        )
        result[equivalent] = pairing.EQUIVALENT_NAME
        final |= equivalent
        slavic = ~final & (similarity >= pairing.READING_MIN) & (similarity < pairing.EAST_SLAVIC)
        for i, j in np.argwhere(slavic).tolist():
            if pairing._east_slavic_alike(left_texts[i], right_texts[j]):
                result[i, j] = pairing.EAST_SLAVIC
                final[i, j] = True
    contraction = (
        ~final & (similarity < pairing.CONTRACTION) & _could_contract(left_texts, right_texts)
    )
    for i, j in np.argwhere(contraction).tolist():
        if pairing._contracts(left_texts[i], right_texts[j]):
            result[i, j] = pairing.CONTRACTION
    initials = _initials(left_texts)[:, None] | _initials(right_texts)[None, :]
    if initials.any():
        for i, j in np.argwhere(initials).tolist():
            result[i, j] = 1.0 if left_texts[i][0] == right_texts[j][0] else 0.0
    return result


def _osa(left: list[str], right: list[str]) -> Matrix:
    found: Matrix = process.cdist(
        left, right, scorer=OSA.normalized_similarity, dtype=np.float64, workers=1
    )
    return found


def _readings(left: list[str], right: list[str], wanted: Selected) -> Matrix:
    """``align._reading_similarity`` of the word pairs ``wanted`` selects (others 0): the
    best OSA similarity of the two words' reading keys, from one ``cdist`` of every
    reading key of the rows and columns involved, reduced to words by maxima."""
    rows = np.flatnonzero(wanted.any(axis=1))
    columns = np.flatnonzero(wanted.any(axis=0))
    row_keys = [reading_keys(left[i]) for i in rows.tolist()]
    column_keys = [reading_keys(right[j]) for j in columns.tolist()]
    ratios = _osa(
        [key for keys in row_keys for key in keys], [key for keys in column_keys for key in keys]
    )
    ratios = np.maximum.reduceat(ratios, _starts(row_keys), axis=0)
    ratios = np.maximum.reduceat(ratios, _starts(column_keys), axis=1)
    found = np.zeros(wanted.shape)
    found[np.ix_(rows, columns)] = ratios
    return found


def _starts(groups: list[tuple[str, ...]]) -> npt.NDArray[np.int64]:
    counts = np.fromiter((len(group) for group in groups), np.int64, len(groups))
    if (counts == 0).any():
        raise ValueError("a word without reading keys")
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)[:-1]])


def _shared_symbols(left: list[str], right: list[str]) -> Selected:
    """Whether rigour knows the two words as one given name (``given_name_symbols``)."""
    shared = np.zeros((len(left), len(right)), dtype=np.bool_)
    theirs = [(j, given_name_symbols(text)) for j, text in enumerate(right)]
    theirs = [(j, symbols) for j, symbols in theirs if symbols]
    if not theirs:
        return shared
    for i, text in enumerate(left):
        mine = given_name_symbols(text)
        if mine:
            for j, symbols in theirs:
                if mine & symbols:
                    shared[i, j] = True
    return shared


def _could_contract(left: list[str], right: list[str]) -> Selected:
    """The pairs ``align._contracts`` may accept, by length alone (at least three letters,
    at most ``align.CONTRACTION_MAX_SHARE`` of the longer's): the rest it rejects."""
    mine = np.fromiter(map(len, left), np.float64, len(left))[:, None]
    theirs = np.fromiter(map(len, right), np.float64, len(right))[None, :]
    short, long = np.minimum(mine, theirs), np.maximum(mine, theirs)
    found: Selected = (short >= 3) & (short <= pairing.CONTRACTION_MAX_SHARE * long)
    return found


def _initials(texts: list[str]) -> Selected:
    return np.fromiter((len(text) == 1 for text in texts), np.bool_, len(texts))


class WordTable:
    """The similarities of the words of two sets of forms, looked up as ``align`` asks
    for them (``align.Similarity``); a word outside the table (two words joined into one,
    an acronym) is compared by ``token_similarity``."""

    def __init__(self, left: Sequence[Token], right: Sequence[Token], person: bool) -> None:
        self.person = person
        mine = list(dict.fromkeys((token.text, token.key) for token in left))
        theirs = list(dict.fromkeys((token.text, token.key) for token in right))
        mine_at = {word: i for i, word in enumerate(mine)}
        theirs_at = {word: j for j, word in enumerate(theirs)}
        self.left = {token: mine_at[token.text, token.key] for token in left}
        self.right = {token: theirs_at[token.text, token.key] for token in right}
        self.rows: list[list[float]] = word_similarities(
            [Token(*word) for word in mine], [Token(*word) for word in theirs], person
        ).tolist()

    def __call__(self, one: Token, other: Token, person: bool) -> float:
        i, j = self.left.get(one), self.right.get(other)
        if i is None or j is None or person != self.person:
            return token_similarity(one, other, person)
        return self.rows[i][j]


def pool_alignments(name: str, listed: Sequence[tuple[str, str]]) -> list[Alignment | None]:
    """``score.best_alignment(name, other, schema)`` for each ``(other, schema)`` of
    ``listed``, the spellings chosen and the words compared for each schema's names at
    once (``closest_spellings``, ``WordTable``)."""
    found: list[Alignment | None] = [None] * len(listed)
    for schema in dict.fromkeys(kind for _, kind in listed):
        at = [number for number, (_, kind) in enumerate(listed) if kind == schema]
        others = [listed[number][0] for number in at]
        chosen = closest_spellings(name, others, schema)
        mine = _tokens((spelling for pairs in chosen for spelling, _ in pairs), schema)
        theirs = _tokens((spelling for pairs in chosen for _, spelling in pairs), schema)
        table = WordTable(mine, theirs, schema == PERSON)
        for number, other, pairs in zip(at, others, chosen, strict=True):
            found[number] = best_alignment(name, other, schema, closest=pairs, similar=table)
    return found


def _tokens(spelt: Iterable[str], schema: str) -> list[Token]:
    """The words of every reading of the forms of the distinct ``spelt`` spellings."""
    forms = (form_of(spelling, schema) for spelling in dict.fromkeys(spelt))
    return [
        token for form in forms for reading in readings(form, schema) for token in reading.tokens
    ]
