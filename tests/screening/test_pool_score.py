"""Scoring a query against a whole pool of listed names at once gives the scorer's
numbers, bit for bit (issue 14, ``pool_score``).

The word similarities of the pool's table, the spellings chosen for each name and the
alignments are each checked against scoring the pair on its own: on every labelled pair
(the name benchmark's and issue 14's sets), on the whole candidate pools of a few hundred
queries on a synthetic list, and on random pools (hypothesis).
"""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from pfund.screening import align as pairing
from pfund.screening import names, pool_score
from pfund.screening.align import Alignment, Similarity, token_similarity
from pfund.screening.index import RERANKED, CandidateIndex
from pfund.screening.names import Form, Token, form_of, forms, readings
from pfund.screening.pool_score import closest_spellings, pool_alignments, word_similarities
from pfund.screening.score import THRESHOLD, _closest_pairs, best_alignment
from pfund.screening.translit import tokenise
from tests.screening.synthetic import queries
from tests.screening.test_fast_score import PAIRS

BENCH = Path(__file__).parents[2] / "bench"


def _words(name: str, schema: str) -> list[Token]:
    """Every word of every reading of every spelling of a name."""
    return [
        token
        for form in forms(name, schema)
        for reading in readings(form, schema)
        for token in reading.tokens
    ]


def differing_similarities(pairs: list[tuple[str, str, str]]) -> list[tuple[Token, Token, bool]]:
    """The word pairs of ``pairs`` whose similarity in the table is not the scorer's."""
    found = []
    for one, other, schema in pairs:
        left, right = _words(one, schema), _words(other, schema)
        for person in (True, False):
            table = word_similarities(left, right, person)
            for i, a in enumerate(left):
                for j, b in enumerate(right):
                    if table[i, j] != token_similarity(a, b, person):
                        found.append((a, b, person))
    return found


def test_every_word_pair_of_the_labelled_set_has_the_scorers_similarity() -> None:
    pairs = sum(len(_words(one, s)) * len(_words(other, s)) for one, other, s in PAIRS)
    assert pairs > 100_000
    assert differing_similarities(PAIRS) == []


def test_the_exceptions_of_the_similarity_are_met_in_the_labelled_set() -> None:
    """Each rule the table applies to a few pairs (a reading, rigour's equivalents, the
    East Slavic consonants, a contraction, an initial) decides some labelled pair: the
    check above is not passed by rules that never apply."""
    seen = {0.9: 0, 0.8: 0, "read": 0, "initial": 0}
    for one, other, schema in PAIRS[::3]:
        left, right = _words(one, schema), _words(other, schema)
        table = word_similarities(left, right, True)
        for i, a in enumerate(left):
            for j, b in enumerate(right):
                value = float(table[i, j])
                seen["initial"] += len(a.text) == 1 or len(b.text) == 1
                if value in (0.9, 0.8) and len(a.text) > 1 and len(b.text) > 1:
                    seen[value] += 1
        plain = word_similarities(left, right, False)
        seen["read"] += int((plain > _plain(left, right)).sum())
    assert all(count > 0 for count in seen.values()), seen


def _plain(left: list[Token], right: list[Token]) -> np.ndarray:
    """The similarities of the words as written and by key alone, without readings."""
    return np.array(
        [
            [
                max(
                    OSA.normalized_similarity(a.key, b.key),
                    OSA.normalized_similarity(a.text, b.text),
                )
                for b in right
            ]
            for a in left
        ]
    )


def test_leaving_out_the_readings_makes_similarities_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Break the table on purpose: without the readings' keys (French j as ж, German z
    as ц) its similarities are not the scorer's, and the check above fails."""
    monkeypatch.setattr(pool_score, "_readings", lambda *args: [0.0] * len(args[2]))
    assert len(differing_similarities(PAIRS[::5])) > 20


def test_the_spellings_chosen_for_a_pool_are_the_scorers() -> None:
    for schema in ("Person", "Organization"):
        names = [other for _, other, kind in PAIRS if (kind == "Person") == (schema == "Person")]
        for one, _, _ in PAIRS[::40]:
            assert closest_spellings(one, names[:60], schema) == [
                _closest_pairs(one, other, schema) for other in names[:60]
            ]


def test_each_labelled_query_against_a_pool_aligns_as_each_pair_alone() -> None:
    listed = [(other, schema) for _, other, schema in PAIRS]
    for number, (one, _, _) in enumerate(PAIRS[::25]):
        pool = listed[number * 25 : number * 25 + 40]
        assert pool_alignments(one, pool) == [best_alignment(one, o, s) for o, s in pool], one


@pytest.fixture(scope="module")
def synthetic(bench_index: CandidateIndex) -> tuple[CandidateIndex, list[tuple[str, str, str]]]:
    """The shared index of the benchmark's 20,000 entities, and 300 of its queries."""
    return bench_index, queries(20_000, 300)


def test_whole_candidate_pools_align_and_screen_as_each_pair_alone(
    synthetic: tuple[CandidateIndex, list[tuple[str, str, str]]],
) -> None:
    """Every candidate of each query's pool (up to ``RERANKED``, however little alike) is
    aligned as on its own, and screening the pool at once gives the hits of screening
    each candidate alone, in the same order."""
    index, asked = synthetic
    compared = hits = 0
    for _, schema, name in asked:
        found = index.candidates(name, schema, limit=RERANKED, scored=RERANKED)
        pool = [(other, index._kind(p, schema)) for p in found for other in index.names[p]]
        assert pool_alignments(name, pool) == [best_alignment(name, o, k) for o, k in pool]
        alone = [index._name_hit(p, name, schema, THRESHOLD) for p in found]
        at_once = index._name_hits(found, name, schema, THRESHOLD)
        assert at_once == [hit for hit in alone if hit is not None], name
        compared += len(pool)
        hits += len(at_once)
    assert len(asked) == 300 and compared > 5_000 and hits > 300


SYLLABLES = ["ka", "ro", "shi", "ev", "ov", "ich", "na", "zh", "tch", "ya", "в", "ов", "ич"]
SYLLABLES += ["j", "ie", "sz", "cz", "ovna", "a", "2", "ооо", "Ив"]
word = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map("".join)
name = st.lists(word, min_size=1, max_size=4).map(" ".join)
schemas = st.sampled_from(["Person", "Company", "Organization"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one=name, pool=st.lists(st.tuples(name, schemas), min_size=1, max_size=12))
def test_random_pools_align_as_each_pair_alone(one: str, pool: list[tuple[str, str]]) -> None:
    assert pool_alignments(one, pool) == [best_alignment(one, o, s) for o, s in pool]
    for other, schema in pool:
        left, right = _words(one, schema), _words(other, schema)
        table = word_similarities(left, right, schema == "Person")
        assert table.tolist() == [
            [token_similarity(a, b, schema == "Person") for b in right] for a in left
        ]


# Names whose aligning joins words or changes a form after the pairing, each with the
# query it is aligned with: ``_Pool`` must send the first two kinds to ``align`` and
# call ``_read_alike``/``_expand_initials`` for the others.
JOINING = [
    ("Xi Jin Ping", "Person", "Xi Jinping"),  # the query's words join
    ("Xi Jinping", "Person", "Xi Jin Ping"),  # the listed name's words join
    ("Vanderbilt Cornelius", "Person", "Cornelius van der Bilt"),  # three words
    ("People's Liberation Army", "Organization", "PLA"),  # an acronym
    ("PLA Navy", "Organization", "People's Liberation Army Navy"),
    ("JC Juncker", "Person", "Jean Claude Juncker"),
]
CHANGED_AFTER = [
    ("Joukov Georgy", "Person", "Zhukov Georgii"),  # French j as ж (``_read_alike``)
    ("Zwetajewa Marina", "Person", "Tsvetaeva Marina"),  # German z as ц
    ("Hryhorii Ivanov", "Person", "Grigorii Ivanov"),  # Ukrainian h as г
    ("J. Smith", "Person", "John Smith"),  # an initial (``_expand_initials``)
    ("John Smith", "Person", "J Smith"),
    ("Ivan Sergeevich Rabinovich", "Person", "Ivan Rabinovich Sergeevich"),  # two readings
]
PLAIN = [("Ivanov Petr", "Person"), ("Smithson Ltd", "Organization"), ("Marina Ivanova", "Person")]


@pytest.mark.parametrize(("query", "schema", "listed"), JOINING + CHANGED_AFTER)
def test_names_that_join_words_or_change_after_the_pairing_align_as_alone(
    query: str, schema: str, listed: str
) -> None:
    pool = [(listed, schema), *PLAIN, (listed.upper(), schema)]
    assert pool_alignments(query, pool) == [best_alignment(query, o, s) for o, s in pool]


def test_only_names_whose_words_join_go_through_align(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken where nothing joins, and left where words join: counted by
    which pairs reach ``align`` (``score.best_alignment`` has its own reference)."""
    aligned: list[tuple[str, ...]] = []
    original = pairing.align

    def counting(left: Form, right: Form, schema: str, similar: Similarity) -> Alignment:
        aligned.append(tuple(token.text for token in right.tokens))
        return original(left, right, schema, similar)

    monkeypatch.setattr(pairing, "align", counting)
    for query, schema, listed in JOINING:
        aligned.clear()
        pool_alignments(query, [(listed, schema), *PLAIN])
        assert len(aligned) == 1, (query, listed, aligned)
    for query, schema, listed in CHANGED_AFTER:
        aligned.clear()
        pool_alignments(query, [(listed, schema), *PLAIN])
        assert aligned == [], (query, listed, aligned)


# Letters, marks and punctuation that ``tokenise`` treats specially (joiners, separators,
# camel case, combining marks, compatibility forms, Cyrillic), and spaces of several kinds.
PIECES = ["a", "B", "rami", "Makhlouf", "É", "e\u0301", "t\u0361s", "ß", "ﬁ", "Ж", "ёж", "1"]
PIECES += [" ", "  ", "\u00a0", "\t", ".", "'", "´", "&", "-", "/", "_", "GmbH", "Σ", "one"]


@settings(max_examples=300, deadline=None)
@given(spelling=st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_a_spelling_parsed_by_its_runs_between_spaces_gives_its_words(spelling: str) -> None:
    """``names._words`` caches the words of each run of a spelling between spaces: the
    same words as tokenising the whole spelling."""
    whole = tuple(pair for word in tokenise(spelling) for pair in names._word_pairs(word))
    assert names._words(spelling) == whole
    assert form_of(spelling) == names.Form(*_whole_form(spelling))


def _whole_form(spelling: str) -> tuple[tuple[Token, ...], frozenset[str]]:
    """The person's form of a spelling as ``names._form`` built it before its caches."""
    found = tuple(pair for word in tokenise(spelling) for pair in names._word_pairs(word))
    keys = tuple(dict(found)[text] for text, _ in found)
    patronymic = next(iter(names.patronymic_positions(keys)), -1)
    tokens = tuple(
        names._particle(i, Token(text, key, i == patronymic))
        for i, (text, key) in enumerate(zip((text for text, _ in found), keys, strict=True))
    )
    return tokens, frozenset()


def test_names_read_alike_are_aligned_once_each_with_its_own_raw_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Listed names whose chosen spellings read the same (an alias written as the name's
    own transliteration, namesakes written alike) share one alignment, and each still
    gets the alignment ``best_alignment`` gives it, its own raw names included."""
    paired: list[int] = []
    original = pool_score._greedy

    def counting(*args: Any) -> object:
        paired.append(1)  # one name paired
        return original(*args)

    monkeypatch.setattr(pool_score, "_greedy", counting)
    pool = [
        ("Иванов Пётр Сергеевич", "Person"),
        ("Ivanov Pyotr Sergeyevich", "Person"),
        ("IVANOV PYOTR SERGEYEVICH", "Person"),
        ("Иванов Пётр Сергеевич", "Person"),
        ("Petrov Ivan", "Person"),
        ("Petrov  Ivan", "Person"),
        ("Smirnova Anna", "Person"),
        ("Ivanova Petra", "Person"),
    ]
    query = "Ivanov Pyotr"
    found = pool_alignments(query, pool)
    assert found == [best_alignment(query, other, schema) for other, schema in pool]
    assert [alignment.raw for alignment in found if alignment] == [(query, o) for o, _ in pool]
    assert 0 < sum(paired) <= 5  # eight names, five distinct readings at most
