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
from pfund.screening.align import (
    COMPOUND_MIN,
    MATCH_MIN,
    READING_MAX,
    Alignment,
    alignment_quality,
    token_similarity,
)
from pfund.screening.lexicon import given_name_symbols
from pfund.screening.names import PERSON, Form, Token, form_of, readings, spellings
from pfund.screening.phonetic import east_slavic_skeletons, reading_keys
from pfund.screening.score import FORM_PAIRS, _closest_pairs, _sorted_words, best_alignment

# Words' similarities (``word_similarities``) and which of them a condition selects.
Matrix = npt.NDArray[np.float64]
Selected = npt.NDArray[np.bool_]


def ready_words(texts: Iterable[str], person: bool) -> None:
    """Work out now, into their caches, what comparing each of these listed words with a
    query's will ask of it alone (``_similarities``): its keys in other languages'
    readings and, in a person's name, rigour's given-name symbols and its East Slavic
    consonants. Building the index calls this for every word of the list, as it spells
    every word: screening then finds them ready instead of working them out query by
    query for the namesakes it meets (8 % of screening's instructions at 1,000,000). The
    caches hold a million entities' 325,000 distinct words (``translit.WORD_CACHE_SIZE``)."""
    for text in texts:
        reading_keys(text)
        if person:
            given_name_symbols(text)
            east_slavic_skeletons(text)


# Between a listed name's spellings as the index keeps them (``listed_spellings``): a
# control character, which no spelling holds (one that did would be kept unpacked).
SEPARATOR = "\x1f"


def listed_spellings(name: str, schema: str) -> str | None:
    """``spellings(name, schema)`` as one string, as the index keeps them for each listed
    name (one string a name: a tuple of strings would cost twice the memory), or ``None``
    where they cannot be packed so (none, or one holding ``SEPARATOR``) and are worked out
    when needed. Worked out past ``spellings``' cache, which a whole list would churn."""
    found: tuple[str, ...] = spellings.__wrapped__(name, schema)
    if not found or any(SEPARATOR in spelling for spelling in found):
        return None
    return SEPARATOR.join(found)


def closest_spellings(
    name: str, listed: Sequence[str], schema: str, packed: Sequence[str | None] | None = None
) -> list[list[tuple[str, str]]]:
    """For each listed name, the pairs of spellings ``score._closest_pairs`` would align
    with ``name``: the first of the most alike in the order of ``itertools.product``
    (``argmax`` of the block in row order), from one ``cdist`` for the whole pool.
    ``packed`` holds the listed names' spellings as the index keeps them, where it does
    (``listed_spellings``; ``None`` for a name whose spellings are worked out here)."""
    if FORM_PAIRS != 1:
        return [_closest_pairs(name, other, schema) for other in listed]
    mine = spellings(name, schema)
    if packed is None:
        theirs = [spellings(other, schema) for other in listed]
    else:
        theirs = [
            spellings(other, schema) if spelt is None else tuple(spelt.split(SEPARATOR))
            for other, spelt in zip(listed, packed, strict=True)
        ]
    flat = [_sorted_words(spelling) for found in theirs for spelling in found]
    ratios = process.cdist(
        [_sorted_words(spelling) for spelling in mine],
        flat,
        scorer=Levenshtein.normalized_similarity,
        dtype=np.float64,
        workers=1,
    )
    counts = [len(found) for found in theirs]
    if not mine or not theirs or 0 in counts:
        return _first_largest(mine, theirs, ratios)
    # The first largest of each block in row order: the smallest (row * count + column)
    # among the block's cells equal to its largest.
    starts = np.cumsum([0, *counts[:-1]])
    block = np.repeat(np.arange(len(counts)), counts)
    largest = np.maximum.reduceat(ratios.max(axis=0), starts)
    width = np.asarray(counts)[block]
    place = np.arange(len(mine))[:, None] * width + (np.arange(len(flat)) - starts[block])
    place = np.where(ratios == largest[block], place, np.iinfo(np.int64).max)
    first = np.minimum.reduceat(place.min(axis=0), starts).tolist()
    return [
        [(mine[at // count], found[at % count])]
        for found, count, at in zip(theirs, counts, first, strict=True)
    ]


def _first_largest(
    mine: tuple[str, ...], theirs: list[tuple[str, ...]], ratios: Matrix
) -> list[list[tuple[str, str]]]:
    """``closest_spellings``' choice, one listed name at a time."""
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


def word_similarities(
    left: Sequence[Token], right: Sequence[Token], person: bool, contractions: bool = True
) -> Matrix:
    """``token_similarity(one, other, person, contractions)`` for every word of ``left``
    against every word of ``right``, as a matrix: the same conditions in the same order,
    each worked out for the whole matrix, or for the few pairs it selects."""
    return _similarities(left, right, person, contractions)[0]


def _similarities(
    left: Sequence[Token], right: Sequence[Token], person: bool, contractions: bool = True
) -> tuple[Matrix, Matrix]:
    """``word_similarities``, and the similarities as written (the larger OSA similarity
    of the keys and of the texts, without readings or exceptions), which ``_read_alike``
    compares with the pairing's."""
    left_texts = [token.text for token in left]
    right_texts = [token.text for token in right]
    shape = (len(left), len(right))
    if not left or not right:
        return np.zeros(shape), np.zeros(shape)
    plain = np.maximum(
        _osa([token.key for token in left], [token.key for token in right]),
        _osa(left_texts, right_texts),
    )
    similarity = plain.copy()
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
    if contractions:
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
    return result, plain


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

    def __init__(
        self,
        rows: dict[tuple[str, str], int],
        columns: dict[tuple[str, str], int],
        table: Matrix,
        person: bool,
    ) -> None:
        """The table of words already compared: ``table[rows[word], columns[word]]``."""
        self.person = person
        self.left = rows
        self.right = columns
        self.rows: list[list[float]] = table.tolist()

    @classmethod
    def of_words(cls, left: Sequence[Token], right: Sequence[Token], person: bool) -> "WordTable":
        """The table of each distinct word of ``left`` against each of ``right``."""
        mine = list(dict.fromkeys((token.text, token.key) for token in left))
        theirs = list(dict.fromkeys((token.text, token.key) for token in right))
        return cls(
            {word: i for i, word in enumerate(mine)},
            {word: j for j, word in enumerate(theirs)},
            word_similarities(
                [Token(*word) for word in mine], [Token(*word) for word in theirs], person
            ),
            person,
        )

    def __call__(self, one: Token, other: Token, person: bool) -> float:
        i, j = self.left.get((one.text, one.key)), self.right.get((other.text, other.key))
        if i is None or j is None or person != self.person:
            return token_similarity(one, other, person)
        return self.rows[i][j]


def pool_alignments(
    name: str, listed: Sequence[tuple[str, str]], packed: Sequence[str | None] | None = None
) -> list[Alignment | None]:
    """``score.best_alignment(name, other, schema)`` for each ``(other, schema)`` of
    ``listed``, the spellings chosen and the words compared for each schema's names at
    once (``closest_spellings``, ``WordTable``), and the words paired for all of them at
    once where joining words (acronyms, compounds) changes nothing (``_Pool``).
    ``packed``: the listed names' spellings in their schema as the index keeps them."""
    found: list[Alignment | None] = [None] * len(listed)
    for schema in dict.fromkeys(kind for _, kind in listed):
        at = [number for number, (_, kind) in enumerate(listed) if kind == schema]
        others = [listed[number][0] for number in at]
        kept = None if packed is None else [packed[number] for number in at]
        chosen = closest_spellings(name, others, schema, kept)
        if any(len(pairs) > 1 for pairs in chosen):
            aligned = _each_alone(name, others, schema, chosen)
        else:
            aligned = _Pool(name, others, schema, chosen).alignments()
        for number, alignment in zip(at, aligned, strict=True):
            found[number] = alignment
    return found


def _each_alone(
    name: str, others: list[str], schema: str, chosen: list[list[tuple[str, str]]]
) -> list[Alignment | None]:
    """``best_alignment`` of each name with the pool's table of word similarities."""
    mine = _tokens((spelling for pairs in chosen for spelling, _ in pairs), schema)
    theirs = _tokens((spelling for pairs in chosen for _, spelling in pairs), schema)
    table = WordTable.of_words(mine, theirs, schema == PERSON)
    return [
        best_alignment(name, other, schema, closest=pairs, similar=table)
        for other, pairs in zip(others, chosen, strict=True)
    ]


def _tokens(spelt: Iterable[str], schema: str) -> list[Token]:
    """The words of every reading of the forms of the distinct ``spelt`` spellings."""
    forms = (form_of(spelling, schema) for spelling in dict.fromkeys(spelt))
    return [
        token for form in forms for reading in readings(form, schema) for token in reading.tokens
    ]


Word = tuple[str, str]  # a word's text and key: all its similarities depend on
Unit = tuple[int, Form, Form]  # a listed name's number, a reading of each spelling
Pairs = tuple[tuple[int, int, float], ...]


class _Pool:
    """The alignments of one query with the names of one schema of its pool.

    ``align`` of two readings joins words first (acronyms, then compounds), pairs them
    greedily, most similar first, ties by position (``_pair``), then keys pairs alike in
    another reading (``_read_alike``) and reads paired initials as their partners
    (``_expand_initials``). Here whether any words join is decided for all names at once
    from tables: most names join none, and their greedy pairing is one array loop for
    all of them (``_greedy``); the few whose words join go through ``align`` itself, and
    ``_read_alike`` and ``_expand_initials`` are called only for names where they can
    change something."""

    def __init__(
        self, name: str, others: list[str], schema: str, chosen: list[list[tuple[str, str]]]
    ) -> None:
        self.name, self.others, self.schema = name, others, schema
        self.person = schema == PERSON
        units: list[Unit] = []
        for number, pairs in enumerate(chosen):
            for mine, theirs in pairs:
                left, right = form_of(mine, schema), form_of(theirs, schema)
                if left.tokens and right.tokens:
                    units.extend(
                        (number, one, other)
                        for one in _readings_of(left, schema)
                        for other in _readings_of(right, schema)
                    )
        # A unit's alignment depends on its two readings alone: units of equal readings
        # (a listed alias spelt as the name's own transliteration, namesakes spelt alike:
        # a fifth of a pool's units at 1,000,000) are aligned once, for the first of them.
        first: dict[tuple[Form, Form], int] = {}
        kept: list[Unit] = []
        self.shared: list[int] = []  # for each unit, the kept unit aligned for it
        for unit in units:
            at = first.setdefault((unit[1], unit[2]), len(kept))
            if at == len(kept):
                kept.append(unit)
            self.shared.append(at)
        self.numbers = [number for number, _, _ in units]
        self.units = kept
        rows: dict[Word, int] = {}
        columns: dict[Word, int] = {}
        self.cells: list[list[int]] = []  # each kept unit's listed words, by column
        last = None
        for _, left, right in kept:
            if left is not last:  # the query's few readings repeat from unit to unit
                for token in left.tokens:
                    rows.setdefault((token.text, token.key), len(rows))
                last = left
            self.cells.append(
                [
                    columns.setdefault((token.text, token.key), len(columns))
                    for token in right.tokens
                ]
            )
        self.rows, self.columns = rows, columns

    def alignments(self) -> list[Alignment | None]:
        """``best_alignment`` of the query with each listed name."""
        found: list[list[Alignment]] = [[] for _ in self.others]
        if self.units:
            aligned = self._aligned()
            for number, at in zip(self.numbers, self.shared, strict=True):
                found[number].append(aligned[at])
        result: list[Alignment | None] = []
        for other, candidates in zip(self.others, found, strict=True):
            if not candidates:
                result.append(None)
                continue
            best = candidates[0] if len(candidates) == 1 else max(candidates, key=alignment_quality)
            raw = (self.name, other)
            if best.raw != raw:
                best = Alignment(best.left, best.right, best.pairs, best.schema, raw)
            result.append(best)
        return result

    def _aligned(self) -> list[Alignment]:
        """``align`` of each unit, in order."""
        person, schema = self.person, self.schema
        queried = [Token(*word) for word in self.rows]
        listed = [Token(*word) for word in self.columns]
        table, plain = _similarities(queried, listed, person)
        # Units by the query's reading, told apart by identity: hashing forms costs more.
        by_identity: dict[int, tuple[Form, list[int]]] = {}
        for at, (_, left, _) in enumerate(self.units):
            by_identity.setdefault(id(left), (left, []))[1].append(at)
        groups = list(by_identity.values())
        # Joining words compares them as no person's and without contractions (``_spelt``).
        joined_rows: dict[Word, int] = {}
        for left, _ in groups:
            for _, _, word in _windows(left.tokens):
                joined_rows.setdefault(word, len(self.rows) + len(joined_rows))
        spelt = word_similarities(
            queried + [Token(*word) for word in joined_rows], listed, False, contractions=False
        )
        pad = np.full((len(spelt), 1), -1.0)
        table, plain = (
            np.hstack([table, pad[: len(queried)]]),
            np.hstack([plain, pad[: len(queried)]]),
        )
        spelt = np.hstack([spelt, pad])
        lengths = _Lengths(listed)
        blank = len(listed)  # the padding column

        joined_columns: dict[Word, int] = {}
        staged = []
        for left, ats in groups:
            units = [self.units[at] for at in ats]
            at_rows = [self.rows[token.text, token.key] for token in left.tokens]
            cells = [self.cells[at] for at in ats]
            columns = np.full((len(units), max(map(len, cells))), blank, dtype=np.intp)
            for b, words in enumerate(cells):
                columns[b, : len(words)] = words
            joined = _acronyms_join(left, [right for _, _, right in units], person)
            joined |= _left_joins(left, at_rows, joined_rows, spelt, columns, lengths)
            best_part = spelt[at_rows, :-1].max(axis=0).tolist()
            candidates = _right_candidates(
                left, units, joined, self.columns, joined_columns, best_part
            )
            staged.append((left, ats, units, at_rows, columns, joined, candidates, best_part))
        joined_spelt = word_similarities(
            queried, [Token(*word) for word in joined_columns], False, contractions=False
        )
        aligned: list[Alignment | None] = [None] * len(self.units)
        for left, ats, units, at_rows, columns, joined, candidates, best_part in staged:
            best_joined = joined_spelt[at_rows].max(axis=0).tolist() if joined_columns else []
            for b, column, parts in candidates:
                score = best_joined[column]
                if score >= COMPOUND_MIN and score > max(best_part[part] for part in parts):
                    joined.add(b)
            pairs, read, initial = _greedy(
                table[at_rows][:, columns].transpose(1, 0, 2),
                plain[at_rows][:, columns].transpose(1, 0, 2),
                lengths.same_key(left.tokens, columns),
                np.array([len(token.text) == 1 for token in left.tokens]),
                lengths.initial[columns],
            )
            for b, at in enumerate(ats):
                if b in joined:
                    continue
                one, other = left, units[b][2]
                paired = pairs[b]
                if read[b]:
                    one, other = pairing._read_alike(one, other, paired)
                if initial[b]:
                    one = pairing._expand_initials(one, {i: other.tokens[j] for i, j, _ in paired})
                    other = pairing._expand_initials(
                        other, {j: one.tokens[i] for i, j, _ in paired}
                    )
                raw = (self.name, self.others[units[b][0]])
                aligned[at] = Alignment(one, other, paired, schema, raw)
        similar = None
        result = []
        for at, alignment in enumerate(aligned):
            if alignment is None:
                if similar is None:
                    similar = WordTable(self.rows, self.columns, table[:, :-1], person)
                _, left, right = self.units[at]
                alignment = pairing.align(left, right, schema, similar)
            result.append(alignment)
        return result


def _readings_of(form: Form, schema: str) -> tuple[Form, ...]:
    """``readings(form, schema)``: a form of fewer than three words, or an organisation's,
    is its one reading (no patronymic to choose), found without hashing the form."""
    if schema != PERSON or len(form.tokens) < 3:
        return (form,)
    return readings(form, schema)


def _windows(tokens: tuple[Token, ...]) -> list[tuple[int, int, Word]]:
    """The runs of two and three adjacent words ``merge_compounds`` tries to join, each
    as (start, count, the joined word), in its order."""
    return [
        (start, count, ("".join(t.text for t in part), "".join(t.key for t in part)))
        for start in range(len(tokens) - 1)
        for count in range(2, pairing.COMPOUND_MAX + 1)
        if len(part := tokens[start : start + count]) == count
    ]


class _Lengths:
    """What ``align._LengthFilter`` asks of each listed word (an initial, the lengths a
    joined word may have to reach ``COMPOUND_MIN`` against it), as arrays over the pool's
    words with one padding word (no initial, no length) after them."""

    def __init__(self, listed: list[Token]) -> None:
        texts = [pairing._close_lengths(len(token.text)) for token in listed]
        keys = [pairing._close_lengths(len(token.key)) for token in listed]
        self.initial = np.array([len(token.text) == 1 for token in listed] + [False])
        self.text_low = np.array([found.start for found in texts] + [1])
        self.text_high = np.array([found.stop - 1 for found in texts] + [0])
        self.key_low = np.array([found.start for found in keys] + [1])
        self.key_high = np.array([found.stop - 1 for found in keys] + [0])
        self.key_ids: dict[str, int] = {}
        self.keys = np.array(
            [self.key_ids.setdefault(token.key, len(self.key_ids)) for token in listed] + [-1]
        )

    def could_spell(self, text: int, key: int, columns: npt.NDArray[np.intp]) -> Selected:
        """For each row of ``columns`` (a listed name's words), whether a joined word of
        ``text`` and ``key`` letters could spell one of them (``_LengthFilter``)."""
        fits: Selected = self.initial[columns]
        fits = fits | ((self.text_low[columns] <= text) & (self.text_high[columns] >= text))
        fits = fits | ((self.key_low[columns] <= key) & (self.key_high[columns] >= key))
        found: Selected = np.logical_or.reduce(fits, axis=1)
        return found

    def same_key(self, tokens: tuple[Token, ...], columns: npt.NDArray[np.intp]) -> Selected:
        """Whether each word of ``tokens`` has the key of each listed word of ``columns``:
        (names, words of ``tokens``, listed words)."""
        mine = np.array([self.key_ids.get(token.key, -2) for token in tokens])
        found: Selected = np.equal(mine[None, :, None], self.keys[columns][:, None, :])
        return found


def _acronyms_join(left: Form, rights: list[Form], person: bool) -> set[int]:
    """The names (numbers in ``rights``) whose aligning with ``left`` reads some words as
    an acronym (``align.merge_acronyms``): an acronym of one (a word of two to
    ``ACRONYM_MAX`` letters) spelt by the initials of adjacent words of the other."""
    mine = {token.text for token in left.tokens if 1 < len(token.text) <= pairing.ACRONYM_MAX}
    my_initials = "".join(token.text[0] for token in left.tokens)
    found = set()
    for number, right in enumerate(rights):
        if person and min(len(left.tokens), len(right.tokens)) <= 1:
            continue
        if (
            len(left.tokens) > 1
            and any(
                1 < len(token.text) <= pairing.ACRONYM_MAX and token.text in my_initials
                for token in right.tokens
            )
        ) or (
            mine
            and len(right.tokens) > 1
            and any(acronym in "".join(t.text[0] for t in right.tokens) for acronym in mine)
        ):
            found.add(number)
    return found


def _left_joins(
    left: Form,
    at_rows: list[int],
    joined_rows: dict[Word, int],
    spelt: Matrix,
    columns: npt.NDArray[np.intp],
    lengths: _Lengths,
) -> set[int]:
    """The names (rows of ``columns``) against which ``merge_compounds`` joins words of
    ``left``: a run of its words that could spell a listed word by length, spells one at
    least ``COMPOUND_MIN`` alike, and better than any of its words alone does."""
    windows = _windows(left.tokens)
    if not windows:
        return set()
    alone = spelt[at_rows][:, columns].max(axis=2)  # (words of left, names)
    joins = np.zeros(len(columns), dtype=np.bool_)
    for start, count, word in windows:
        score = spelt[joined_rows[word]][columns].max(axis=1)
        joins |= (
            lengths.could_spell(len(word[0]), len(word[1]), columns)
            & (score >= COMPOUND_MIN)
            & (score > alone[start : start + count].max(axis=0))
        )
    return set(np.flatnonzero(joins).tolist())


def _right_candidates(
    left: Form,
    units: list[Unit],
    joined: set[int],
    columns: dict[Word, int],
    joined_columns: dict[Word, int],
    alone: list[float],
) -> list[tuple[int, int, list[int]]]:
    """The runs of adjacent words of each listed name that ``merge_compounds`` would
    compare with ``left`` (the length filter lets them through), as (name, the joined
    word's number in ``joined_columns``, the run's words): whether they join is then
    looked up in one table of the joined words against the query's. A run with a word
    that alone spells a word of ``left`` exactly (``alone``, by listed word) cannot join:
    the joined word would have to spell one better."""
    anything, texts, keys = pairing._reachable_lengths(left)
    found = []
    for number, (_, _, right) in enumerate(units):
        tokens = right.tokens
        if number in joined or len(tokens) < 2:
            continue
        text_lengths = [len(token.text) for token in tokens]
        key_lengths = [len(token.key) for token in tokens]
        for start in range(len(tokens) - 1):
            for end in range(start + 2, min(start + pairing.COMPOUND_MAX, len(tokens)) + 1):
                if not (
                    anything
                    or sum(text_lengths[start:end]) in texts
                    or sum(key_lengths[start:end]) in keys
                ):
                    continue
                parts = tokens[start:end]
                at = [columns[part.text, part.key] for part in parts]
                if max(alone[column] for column in at) >= 1.0:
                    continue
                word = ("".join(t.text for t in parts), "".join(t.key for t in parts))
                found.append((number, joined_columns.setdefault(word, len(joined_columns)), at))
    return found


def _greedy(
    similar: npt.NDArray[np.float64],
    plain: npt.NDArray[np.float64],
    same_key: Selected,
    my_initials: Selected,
    their_initials: Selected,
) -> tuple[list[Pairs], list[bool], list[bool]]:
    """``align._pair`` of many names at once: ``similar`` holds each name's similarities
    (names, the query's words, the listed name's words; padded with -1). Each round takes
    the first largest similarity of each name's matrix in row order (the order of
    ``_pair``'s sort: most similar, then by the query's word, then by the listed one)
    and strikes out its row and column, while it is at least ``MATCH_MIN``. Also, for
    each name, whether ``_read_alike`` could key a pair in another reading (a pair of
    words, no initial, whose keys differ and whose pairing similarity is not the one as
    written, or is as written at least ``READING_MAX``) and whether an initial is paired
    (``_expand_initials``): the other names' forms stay as they are."""
    names, rows, columns = similar.shape
    work = np.ascontiguousarray(similar)
    flat = work.reshape(names, rows * columns)
    everyone = np.arange(names)
    steps = min(rows, columns)
    at = np.zeros((steps, names), dtype=np.intp)
    value = np.zeros((steps, names))
    taken = np.zeros((steps, names), dtype=np.bool_)
    for step in range(steps):
        best = flat.argmax(axis=1)
        found = flat[everyone, best]
        accepted = found >= MATCH_MIN
        if not accepted.any():
            break
        at[step], value[step], taken[step] = best, found, accepted
        row, column = np.divmod(best[accepted], columns)
        work[everyone[accepted], row, :] = -1.0
        work[everyone[accepted], :, column] = -1.0
    row, column = np.divmod(at, columns)
    written = plain[everyone, row, column]
    initial = taken & (my_initials[row] | their_initials[everyone, column])
    read = (
        taken
        & ~initial
        & ~same_key[everyone, row, column]
        & ~((value <= written) & (written < READING_MAX))
    )
    counts = taken.sum(axis=0).tolist()
    pairs = [
        tuple(zip(i[:count], j[:count], v[:count], strict=True))
        for i, j, v, count in zip(
            row.T.tolist(), column.T.tolist(), value.T.tolist(), counts, strict=True
        )
    ]
    return pairs, _flags(read), _flags(initial)


def _flags(selected: Selected) -> list[bool]:
    """For each name (column), whether any of its pairs (rows) is selected."""
    found: list[bool] = np.logical_or.reduce(selected, axis=0).tolist()
    return found
