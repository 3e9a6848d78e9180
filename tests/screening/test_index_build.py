"""Building the candidate index: the fast build gives what a plain one gives.

``CandidateIndex.build`` works each distinct word's keys out once, tokenises each name
once and sorts (key, entity) pairs with numpy. The reference here is the plain reading of
the index's definition: each entity's keys are ``name_keys`` of its names (a set), its
compact words ``compact_words`` of its first name, postings are lists appended entity by
entity, and the neighbours table holds every indexed (or common) key's ``_variants``.
"""

from itertools import pairwise
from typing import Any

import numpy as np
import pytest

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening.index import (
    COARSE_MAX_SHARE,
    MAX_SHARE,
    CandidateIndex,
    _patronymic_bits,
    _variants,
    compact_words,
    name_keys,
    normalise_identifier,
)
from pfund.screening.names import PERSON
from pfund.screening.phonetic import COARSE
from pfund.screening.translit import _TRANSLATORS, SCHEMES, strip_marks
from tests.screening.test_index import _synthetic_list

# What the generator has not: Latin names with marks, a name tokenised into several words
# by case and punctuation, weak aliases, OGRN and registration numbers (one shared), legal
# forms alone and in Latin, an object, an entity without names, repeated names.
EXTRA = [
    WatchlistEntity(
        id="x1",
        schema_name="Person",
        names=("Şahin Müller-Lüdenscheidt", "Иванов Пётр Сергеевич"),
        aliases=("Ivanov Piotr", "Иванов Пётр Сергеевич"),
        weak_aliases=("Petya",),
    ),
    WatchlistEntity(
        id="x2",
        schema_name="Company",
        names=("OOO RamiMakhlouf Trading & Co.", "ООО"),
        ogrn=("1027700132195",),
        registration_numbers=("HE-123.456",),
    ),
    WatchlistEntity(
        id="x3",
        schema_name="Organization",
        names=("Открытое акционерное общество «Нефтяная компания Роснефть»",),
        inn=("7706107510",),
        registration_numbers=("he 123456",),
    ),
    WatchlistEntity(id="x4", schema_name="Vessel", names=("MV Akademik Fëdorov",)),
    WatchlistEntity(id="x5", schema_name="Person", names=()),
    WatchlistEntity(
        id="x6",
        schema_name="LegalEntity",
        names=("Tsikhanouskaya Sviatlana Heorhiyeuna", "Ціханоўская Святлана Георгіеўна"),
    ),
]


@pytest.fixture(scope="module")
def listed() -> list[WatchlistEntity]:
    return [*_synthetic_list(20_000), *EXTRA]


def _reference(entities: list[WatchlistEntity]) -> dict[str, object]:
    """The index's tables, built the plain way."""
    postings: dict[str, list[int]] = {}
    identifiers: dict[str, list[int]] = {}
    compact = []
    for position, entity in enumerate(entities):
        names = entity.matchable_names
        keys = set().union(*(name_keys(name, entity.schema_name) for name in names))
        for key in keys:
            postings.setdefault(key, []).append(position)
        for value in {normalise_identifier(value) for value in entity.identifiers}:
            identifiers.setdefault(value, []).append(position)
        person = entity.schema_name == PERSON
        compact.append(
            compact_words(names[0], PERSON if person else "Organization") if names else ()
        )
    limit = max(1, int(MAX_SHARE * len(entities)))
    coarse_limit = max(1, int(COARSE_MAX_SHARE * len(entities)))
    kept = {
        key: found
        for key, found in postings.items()
        if len(found) <= (coarse_limit if key.startswith(COARSE) else limit)
    }
    common = {key for key, found in postings.items() if len(found) > limit}
    persons = [entity.schema_name == PERSON for entity in entities]
    return {
        "postings": kept,
        "identifiers": identifiers,
        "common": common,
        "common_postings": {key: postings[key] for key in common if not key.startswith(COARSE)},
        "skipped": len(postings) - len(kept),
        "compact": [
            tuple(s[0] for s in words) + tuple(o for s in words for o in s[1:]) for words in compact
        ],
        "word_counts": [len(words) for words in compact],
        "patronymic_like": [
            _patronymic_bits(tuple(s[0] for s in words)) if person and len(words) >= 3 else 0
            for words, person in zip(compact, persons, strict=True)
        ],
        "neighbours": {
            (variant.encode(), key)
            for key in [*kept, *common]
            if not key.startswith(COARSE)
            for variant in _variants(key)
        },
    }


def _lists(table: dict[str, np.ndarray]) -> dict[str, list[int]]:
    return {key: found.tolist() for key, found in table.items()}


def _compact(index: CandidateIndex) -> list[tuple[str, ...]]:
    """Each entity's compact words read back from the index's word tables (an entity
    without a name holds one empty word there)."""
    words = index.vocabulary[index.word_numbers].tolist()
    starts = index.word_starts.tolist()
    found = [tuple(words[start:end]) for start, end in pairwise(starts)]
    return [() if entity == ("",) else entity for entity in found]


def _tables(index: CandidateIndex) -> dict[str, object]:
    neighbours = index.neighbours
    return {
        "postings": _lists(index.postings),
        "identifiers": _lists(index.identifiers),
        "common": set(index.common),
        "common_postings": _lists(index.common_postings),
        "skipped": index.skipped,
        "compact": _compact(index),
        "word_counts": index.word_counts.tolist(),
        "patronymic_like": index.patronymic_like.tolist(),
        "neighbours": set(
            zip(
                neighbours.variants.tolist(),
                neighbours.keys[neighbours.owners].tolist(),
                strict=True,
            )
        ),
    }


def test_the_build_gives_the_plain_builds_tables(listed: list[WatchlistEntity]) -> None:
    index = CandidateIndex.build(listed)
    built, expected = _tables(index), _reference(listed)
    assert index.ids == [entity.id for entity in listed]
    assert index.names == [list(entity.matchable_names) for entity in listed]
    assert index.persons.tolist() == [entity.schema_name == PERSON for entity in listed]
    assert len(built["postings"]) > 10_000  # type: ignore[arg-type]
    assert built["common"] and built["identifiers"]
    for table in expected:
        assert built[table] == expected[table], table
    variants = index.neighbours.variants
    assert (variants[1:] >= variants[:-1]).all()  # sorted: searched by bisection


def test_the_fast_transliteration_spells_as_iuliia(listed: list[WatchlistEntity]) -> None:
    """Every scheme of ``translit`` gives iuliia's spelling, on listed words and on words
    made to reach the context rules (starts, ends, capitals, signs, punctuation)."""
    words = {word for entity in listed for name in entity.names for word in name.split()}
    letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяЕЁЙЮЯЪЬ-.'1 іў"
    rng = np.random.default_rng(3)
    words |= {"".join(rng.choice(list(letters), int(rng.integers(0, 9)))) for _ in range(20_000)}
    for scheme, translate in zip(SCHEMES, _TRANSLATORS, strict=True):
        wrong = [word for word in words if translate(word) != scheme.translate(word)]
        assert not wrong, (scheme.name, wrong[:5])


@pytest.mark.parametrize(
    "text", ["Пётр Иванов", "Ціханоўская", "T͡svetaeva", "Ｐｅｔｒ", "Й", "Şahin", "и\u0306"]
)
def test_marks_are_stripped_as_icu_strips_them(text: str) -> None:
    """The shortcut for plain Cyrillic and ASCII text leaves what ICU would leave."""
    from pfund.screening.translit import _MARKS

    assert strip_marks(text) == str(_MARKS.transliterate(text))


def test_building_readies_what_screening_asks_of_each_listed_word() -> None:
    """The build works out each listed word's reading keys (and, for persons, its
    given-name symbols and East Slavic consonants; for firms, whether it names a place
    and which legal-form word it misspells) into their caches or sets: screening then
    finds them ready (``pool_score.ready_words``)."""
    from pfund.screening import legal_forms, lexicon
    from pfund.screening.index import _word_tokens
    from pfund.screening.legal_forms import single_word_form
    from pfund.screening.lexicon import given_name_symbols
    from pfund.screening.phonetic import east_slavic_skeletons, reading_keys

    listed = [
        ("p1", "Person", "Зюзюкина Евфросинья Тихоновна"),
        ("p2", "Person", "Siarhei Tsikhanouski"),
        ("c1", "Company", "ООО Шпыняевский комбинат"),
        ("c2", "Company", "Volgotrans Shipping Kazakhstan Aktsionernoe Obschestvo"),
    ]
    for cached in (reading_keys, given_name_symbols, east_slavic_skeletons):
        cached.cache_clear()
    lexicon._NO_PLACE.clear()
    legal_forms._NOT_MISSPELT.clear()
    CandidateIndex.build(
        WatchlistEntity(id=i, schema_name=schema, names=(name,)) for i, schema, name in listed
    )
    checks: list[tuple[Any, str]] = []
    firm_texts: set[str] = set()
    for _, schema, name in listed:
        person = schema == "Person"
        words = [w for w in name.split() if person or single_word_form(w) is None]
        texts = {token.text for word in words for token in _word_tokens(word, not person)}
        checks += [(reading_keys, text) for text in texts]
        if person:
            checks += [(given_name_symbols, text) for text in texts]
            checks += [(east_slavic_skeletons, text) for text in texts]
        else:
            firm_texts |= texts
    assert len(checks) > 20
    for cached, text in checks:
        misses = cached.cache_info().misses
        cached(text)
        assert cached.cache_info().misses == misses, (cached.__name__, text)
    # A firm's words: looked up without working anything out (``_place`` and
    # ``_misspelt`` hold what the sets do not), and with the answers worked out afresh.
    assert {"shpyniaevskii", "volgotrans", "kazakhstan"} <= firm_texts
    for text in sorted(firm_texts):
        places, spelt = (
            lexicon._place.cache_info().misses,
            legal_forms._misspelt.cache_info().misses,
        )
        assert lexicon.place(text) == lexicon._place.__wrapped__(text), text
        assert legal_forms._spelt(text) == legal_forms._misspelt.__wrapped__(text), text
        assert lexicon._place.cache_info().misses == places, text
        assert legal_forms._misspelt.cache_info().misses == spelt, text
    assert lexicon.place("kazakhstan") == "kz"
    # The answers kept in sets, not in the LRU caches, which a million entities' firm
    # words would churn (``_misspelt``'s) or swell (``_place``'s).
    plain = {text for text in firm_texts if legal_forms._misspelt.__wrapped__(text) == text}
    assert plain and plain <= legal_forms._NOT_MISSPELT
    placeless = {text for text in firm_texts if lexicon._place.__wrapped__(text) is None}
    assert placeless and placeless <= lexicon._NO_PLACE
