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

from collections.abc import Collection, Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein

from pfund.screening import align as pairing
from pfund.screening import matrices
from pfund.screening.align import (
    COMPOUND_MIN,
    MATCH_MIN,
    READING_MAX,
    Alignment,
    Pairs,
    alignment_quality,
    token_similarity,
)
from pfund.screening.legal_forms import ready_legal_form_words
from pfund.screening.lexicon import given_name_symbols, ready_places
from pfund.screening.names import PERSON, Form, Token, form_of, readings, spellings
from pfund.screening.phonetic import east_slavic_skeletons, reading_keys
from pfund.screening.score import (
    FORM_PAIRS,
    _closest_pairs,
    _sorted_words,
    best_alignment,
    sorted_words,
)

# Words' similarities as ``cdist`` gives them and ``word_similarities`` returns them.
Matrix = npt.NDArray[np.float64]


def ready_words(texts: Collection[str], person: bool) -> None:
    """Work out now, into their caches, what comparing each of these listed words with a
    query's will ask of it alone (``_similarities``): its keys in other languages'
    readings and, in a person's name, rigour's given-name symbols and its East Slavic
    consonants. Building the index calls this for every word of the list, as it spells
    every word: screening then finds them ready instead of working them out query by
    query for the namesakes it meets (8 % of screening's instructions at 1,000,000). The
    caches hold a million entities' 325,000 distinct words (``translit.WORD_CACHE_SIZE``).
    A firm's words are also made ready for ``strip_legal_forms`` and ``place_differs``
    (``legal_forms.ready_legal_form_words``, ``lexicon.ready_places``)."""
    for text in texts:
        reading_keys(text)
        if person:
            given_name_symbols(text)
            east_slavic_skeletons(text)
    if not person:
        ready_legal_form_words(texts)
        ready_places(texts)


# Between a listed name's spellings as the index keeps them (``listed_spellings``): a
# control character, which no spelling holds (one that did would be kept unpacked).
SEPARATOR: Final = "\x1f"


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
    flat = [sorted_words(spelling) for found in theirs for spelling in found]
    ratios = matrices.cdist(
        [_sorted_words(spelling) for spelling in mine],
        flat,
        Levenshtein.normalized_similarity,
        np.float64,
    )
    if not mine or not theirs or any(not found for found in theirs):
        return _first_largest(mine, theirs, ratios)
    # The first largest of each block in row order: a scan in row order keeps the first
    # of equal values (loops over lists: a pool's blocks are a few cells each).
    rows: list[list[float]] = ratios.tolist()
    chosen: list[list[tuple[str, str]]] = []
    start = 0
    for found in theirs:
        end = start + len(found)
        best, row, column = -1.0, 0, start
        for i, ratio_row in enumerate(rows):
            for j in range(start, end):
                if ratio_row[j] > best:
                    best, row, column = ratio_row[j], i, j
        chosen.append([(mine[row], found[column - start])])
        start = end
    return chosen


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
    found = _similarities(left, right, person, contractions)[0]
    return np.array(found, dtype=np.float64).reshape(len(left), len(right))


Rows = list[list[float]]  # a table of similarities: a row per word of the query


def _similarities(
    left: Sequence[Token], right: Sequence[Token], person: bool, contractions: bool = True
) -> tuple[Rows, Rows]:
    """``word_similarities`` as rows of lists, and the similarities as written (the larger
    OSA similarity of the keys and of the texts, without readings or exceptions), which
    ``_read_alike`` compares with the pairing's. Past the two ``cdist`` calls, the
    conditions are loops over cells: a pool's tables are a few words by a dozen or two
    (median 3 by 13 at 1,000,000), where each numpy call would cost more than the loop
    (compiled, ``setup.py``)."""
    if not left or not right:
        return [[0.0] * len(right) for _ in left], [[0.0] * len(right) for _ in left]
    left_texts = [token.text for token in left]
    right_texts = [token.text for token in right]
    read, plain = _read_similarities(left, right, left_texts, right_texts)
    return _excepted(read, left_texts, right_texts, person, contractions), plain


def _read_similarities(
    left: Sequence[Token], right: Sequence[Token], left_texts: list[str], right_texts: list[str]
) -> tuple[Rows, Rows]:
    """The words' similarities raised by their other readings where a reading can raise
    them (``token_similarity`` before its exceptions), and as written: what every use of
    the table shares, a person's or not, with contractions or without (``_excepted``)."""
    plain: Rows = np.maximum(
        _osa([token.key for token in left], [token.key for token in right]),
        _osa(left_texts, right_texts),
    ).tolist()
    their_digits = [text.isdigit() for text in right_texts]
    read: list[tuple[int, int]] = []
    for i, row in enumerate(plain):
        if left_texts[i].isdigit():
            continue
        for j, value in enumerate(row):
            if pairing.READING_MIN <= value < pairing.READING_MAX and not their_digits[j]:
                read.append((i, j))
    similarity = [row.copy() for row in plain]
    if read:
        for (i, j), value in zip(read, _readings(left_texts, right_texts, read), strict=True):
            if value > similarity[i][j]:
                similarity[i][j] = value
    return similarity, plain


def _excepted(
    similarity: Rows,
    left_texts: list[str],
    right_texts: list[str],
    person: bool,
    contractions: bool,
) -> Rows:
    """``token_similarity``'s exceptions applied to a copy of ``_read_similarities``' table:
    in a person's name rigour's equivalent given names and the Belarusian and Ukrainian
    spellings, contractions (unless not ``contractions``), and initials."""
    result = [row.copy() for row in similarity]
    final: set[tuple[int, int]] = set()  # set by an exception that returns at once
    if person:
        for i, j in _shared_symbols(left_texts, right_texts):
            if similarity[i][j] < pairing.EQUIVALENT_NAME:
                result[i][j] = pairing.EQUIVALENT_NAME
                final.add((i, j))
        for i, row in enumerate(similarity):
            for j, value in enumerate(row):
                if (
                    pairing.READING_MIN <= value < pairing.EAST_SLAVIC
                    and (i, j) not in final
                    and pairing._east_slavic_alike(left_texts[i], right_texts[j])
                ):
                    result[i][j] = pairing.EAST_SLAVIC
                    final.add((i, j))
    if contractions:
        their_lengths = [len(text) for text in right_texts]
        for i, row in enumerate(similarity):
            mine = len(left_texts[i])
            for j, value in enumerate(row):
                if (
                    value < pairing.CONTRACTION
                    and _could_contract(mine, their_lengths[j])
                    and (i, j) not in final
                    and pairing._contracts(left_texts[i], right_texts[j])
                ):
                    result[i][j] = pairing.CONTRACTION
    their_initials = [len(text) == 1 for text in right_texts]
    for i, text in enumerate(left_texts):
        initial = len(text) == 1
        for j, other in enumerate(right_texts):
            if initial or their_initials[j]:
                result[i][j] = 1.0 if text[0] == other[0] else 0.0
    return result


def _osa(left: list[str], right: list[str]) -> Matrix:
    found: Matrix = matrices.cdist(left, right, pairing.OSA_SIMILARITY, np.float64)
    return found


def _readings(left: list[str], right: list[str], wanted: list[tuple[int, int]]) -> list[float]:
    """``align._reading_similarity`` of each word pair of ``wanted`` (row, column): the
    best OSA similarity of the two words' reading keys, from one ``cdist`` of every
    reading key of the rows and columns involved, reduced to each pair by maxima."""
    rows = sorted({i for i, _ in wanted})
    columns = sorted({j for _, j in wanted})
    row_keys = [reading_keys(left[i]) for i in rows]
    column_keys = [reading_keys(right[j]) for j in columns]
    row_spans = _spans(row_keys, rows)
    column_spans = _spans(column_keys, columns)
    ratios: Rows = _osa(
        [key for keys in row_keys for key in keys], [key for keys in column_keys for key in keys]
    ).tolist()
    found = []
    for i, j in wanted:
        row_start, row_end = row_spans[i]
        column_start, column_end = column_spans[j]
        best = 0.0
        for ratio_row in ratios[row_start:row_end]:
            for value in ratio_row[column_start:column_end]:
                if value > best:
                    best = value
        found.append(best)
    return found


def _spans(groups: list[tuple[str, ...]], words: list[int]) -> dict[int, tuple[int, int]]:
    """Where each word's keys lie in the flat list of all of them."""
    spans = {}
    start = 0
    for word, group in zip(words, groups, strict=True):
        if not group:
            raise ValueError("a word without reading keys")
        spans[word] = (start, start + len(group))
        start += len(group)
    return spans


def _shared_symbols(left: list[str], right: list[str]) -> list[tuple[int, int]]:
    """The word pairs rigour knows as one given name (``given_name_symbols``)."""
    theirs = [(j, given_name_symbols(text)) for j, text in enumerate(right)]
    theirs = [(j, symbols) for j, symbols in theirs if symbols]
    shared: list[tuple[int, int]] = []
    if not theirs:
        return shared
    for i, text in enumerate(left):
        mine = given_name_symbols(text)
        if mine:
            shared.extend((i, j) for j, symbols in theirs if mine & symbols)
    return shared


def _could_contract(mine: int, theirs: int) -> bool:
    """Whether ``align._contracts`` may accept words of these lengths, by length alone
    (at least three letters, at most ``align.CONTRACTION_MAX_SHARE`` of the longer's):
    the rest it rejects."""
    short, long = min(mine, theirs), max(mine, theirs)
    return short >= 3 and short <= pairing.CONTRACTION_MAX_SHARE * long


class WordTable:
    """The similarities of the words of two sets of forms, looked up as ``align`` asks
    for them (``align.Similarity``); a word outside the table (two words joined into one,
    an acronym) is compared by ``token_similarity``."""

    def __init__(
        self,
        rows: dict[tuple[str, str], int],
        columns: dict[tuple[str, str], int],
        table: Rows,
        person: bool,
    ) -> None:
        """The table of words already compared: ``table[rows[word]][columns[word]]``."""
        self.person = person
        self.left = rows
        self.right = columns
        self.rows = table

    @classmethod
    def of_words(cls, left: Sequence[Token], right: Sequence[Token], person: bool) -> "WordTable":
        """The table of each distinct word of ``left`` against each of ``right``."""
        mine = list(dict.fromkeys((token.text, token.key) for token in left))
        theirs = list(dict.fromkeys((token.text, token.key) for token in right))
        return cls(
            {word: i for i, word in enumerate(mine)},
            {word: j for j, word in enumerate(theirs)},
            _similarities(
                [Token(*word) for word in mine], [Token(*word) for word in theirs], person
            )[0],
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
    once where joining words (acronyms, compounds) changes nothing (``_Pool``). A name
    listed more than once (namesakes listed for several entities: 7.5 % of the names a
    query's candidates hold at 1,000,000) is aligned once.
    ``packed``: the listed names' spellings in their schema as the index keeps them."""
    first: dict[tuple[str, str], int] = {}
    distinct = [first.setdefault(pair, len(first)) for pair in listed]
    if len(first) < len(listed):
        spelt_once: list[str | None] | None = None
        if packed is not None:
            spelt_once = [None] * len(first)
            for place, spelt in zip(distinct, packed, strict=True):
                spelt_once[place] = spelt_once[place] or spelt  # a copy kept spelt, if any is
        once = pool_alignments(name, list(first), spelt_once)
        return [once[place] for place in distinct]
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


class _Pool:
    """The alignments of one query with the names of one schema of its pool.

    ``align`` of two readings joins words first (acronyms, then compounds), pairs them
    greedily, most similar first, ties by position (``_pair``), then keys pairs alike in
    another reading (``_read_alike``) and reads paired initials as their partners
    (``_expand_initials``). Here whether any words join is decided for all names at once
    from tables: most names join none, and their greedy pairing looks the pool's table
    up (``_greedy``, a loop over a few words); the few whose words join go through
    ``align`` itself, and ``_read_alike`` and ``_expand_initials`` are called only for
    names where they can change something."""

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
        queried_texts = [token.text for token in queried]
        listed_texts = [token.text for token in listed]
        readings_in, plain = _read_similarities(queried, listed, queried_texts, listed_texts)
        table = _excepted(readings_in, queried_texts, listed_texts, person, True)
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
        # The query's words as no person's, without contractions: its table read again.
        spelt = _excepted(readings_in, queried_texts, listed_texts, False, False)
        if joined_rows:
            joined_words = [Token(*word) for word in joined_rows]
            spelt += _similarities(joined_words, listed, False, contractions=False)[0]
        lengths = _Lengths(listed)

        joined_columns: dict[Word, int] = {}
        staged = []
        for left, ats in groups:
            units = [self.units[at] for at in ats]
            at_rows = [self.rows[token.text, token.key] for token in left.tokens]
            cells = [self.cells[at] for at in ats]
            joined = _acronyms_join(left, [right for _, _, right in units], person)
            joined |= _left_joins(left, at_rows, joined_rows, spelt, cells, lengths)
            best_part = _column_maxima([spelt[row] for row in at_rows])
            candidates = _right_candidates(
                left, units, joined, self.columns, joined_columns, best_part
            )
            staged.append((left, ats, units, at_rows, cells, joined, candidates, best_part))
        joined_spelt = _similarities(
            queried, [Token(*word) for word in joined_columns], False, contractions=False
        )[0]
        aligned: list[Alignment | None] = [None] * len(self.units)
        for left, ats, units, at_rows, cells, joined, candidates, best_part in staged:
            best_joined = (
                _column_maxima([joined_spelt[row] for row in at_rows]) if candidates else []
            )
            for b, column, parts in candidates:
                score = best_joined[column]
                if score >= COMPOUND_MIN and score > max(best_part[part] for part in parts):
                    joined.add(b)
            my_rows = [table[row] for row in at_rows]
            my_plain = [plain[row] for row in at_rows]
            my_keys = [token.key for token in left.tokens]
            my_initials = [len(token.text) == 1 for token in left.tokens]
            for b, at in enumerate(ats):
                if b in joined:
                    continue
                one, other = left, units[b][2]
                paired, read, initial = _greedy(
                    my_rows, my_plain, cells[b], my_keys, my_initials, listed
                )
                if read:
                    one, other = pairing._read_alike(one, other, paired)
                if initial:
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
                    similar = WordTable(self.rows, self.columns, table, person)
                _, left, right = self.units[at]
                alignment = pairing.align(left, right, schema, similar)
            result.append(alignment)
        return result


def _column_maxima(rows: Rows) -> list[float]:
    """The largest value of each column of ``rows`` (at least one row)."""
    found = rows[0].copy()
    for row in rows[1:]:
        for j, value in enumerate(row):
            if value > found[j]:
                found[j] = value
    return found


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
    """What ``align._LengthFilter`` asks of each listed word: whether it is an initial, and
    the lengths (of its text and of its key) a joined word may have to reach
    ``COMPOUND_MIN`` against it."""

    def __init__(self, listed: list[Token]) -> None:
        self.initial = [len(token.text) == 1 for token in listed]
        self.texts = [pairing._close_lengths(len(token.text)) for token in listed]
        self.keys = [pairing._close_lengths(len(token.key)) for token in listed]

    def could_spell(self, text: int, key: int, columns: list[int]) -> bool:
        """Whether a joined word of ``text`` and ``key`` letters could spell one of the
        listed words ``columns`` (a listed name's words; ``_LengthFilter``)."""
        return any(
            self.initial[column] or text in self.texts[column] or key in self.keys[column]
            for column in columns
        )


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
    spelt: Rows,
    cells: list[list[int]],
    lengths: _Lengths,
) -> set[int]:
    """The names (numbers in ``cells``, each its listed words) against which
    ``merge_compounds`` joins words of ``left``: a run of its words that could spell a
    listed word by length, spells one at least ``COMPOUND_MIN`` alike, and better than
    any of its words alone does."""
    windows = _windows(left.tokens)
    found: set[int] = set()
    if not windows:
        return found
    for b, columns in enumerate(cells):
        alone = [max(spelt[row][column] for column in columns) for row in at_rows]
        for start, count, word in windows:
            score = max(spelt[joined_rows[word]][column] for column in columns)
            if (
                score >= COMPOUND_MIN
                and score > max(alone[start : start + count])
                and lengths.could_spell(len(word[0]), len(word[1]), columns)
            ):
                found.add(b)
                break
    return found


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
    similar: Rows,
    plain: Rows,
    columns: list[int],
    my_keys: list[str],
    my_initials: list[bool],
    listed: list[Token],
) -> tuple[Pairs, bool, bool]:
    """``align._pair`` of one name: ``similar`` and ``plain`` hold the query's words' rows
    of the pool's tables, ``columns`` the listed name's words in them. Each round takes
    the first largest similarity in row order (the order of ``_pair``'s sort: most
    similar, then by the query's word, then by the listed one) and strikes out its row
    and column, while it is at least ``MATCH_MIN``. Also whether ``_read_alike`` could
    key a pair in another reading (a pair of words, no initial, whose keys differ and
    whose pairing similarity is not the one as written, or is as written at least
    ``READING_MAX``) and whether an initial is paired (``_expand_initials``): the other
    names' forms stay as they are. A loop over a few words (compiled, ``setup.py``)."""
    rows_left = list(range(len(similar)))
    columns_left = list(range(len(columns)))
    pairs: list[tuple[int, int, float]] = []
    read = initial = False
    while rows_left and columns_left:
        best, row, place = -1.0, 0, 0
        for i in rows_left:
            values = similar[i]
            for j in columns_left:
                value = values[columns[j]]
                if value > best:
                    best, row, place = value, i, j
        if best < MATCH_MIN:
            break
        pairs.append((row, place, best))
        rows_left.remove(row)
        columns_left.remove(place)
        word = listed[columns[place]]
        if my_initials[row] or len(word.text) == 1:
            initial = True
            continue
        written = plain[row][columns[place]]
        if my_keys[row] != word.key and not (best <= written and written < READING_MAX):
            read = True
    return tuple(pairs), read, initial
