"""A hit's summary is worked out when read, and reads as it did when worked out at once."""

import pickle

import pytest

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening import index as screening_index
from pfund.screening.index import CandidateIndex, Hit, summarise
from pfund.screening.score import best_alignment, explanation

LISTED = [
    ("p1", "Person", ("Сидоров Иван Петрович", "Ivan Sidorov")),
    ("p2", "Person", ("Сидоренко Иван Павлович",)),
    ("c1", "Company", ("ООО Ромашка", "Romashka LLC")),
]


@pytest.fixture(scope="module")
def index() -> CandidateIndex:
    return CandidateIndex.build(
        WatchlistEntity(id=i, schema_name=schema, names=names[:1], aliases=names[1:])
        for i, schema, names in LISTED
    )


def test_screening_explains_no_hit_until_its_summary_is_read(
    index: CandidateIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    explained: list[object] = []
    real = screening_index.explanation  # type: ignore[attr-defined]

    def counting(*args: object, **kwargs: object) -> object:
        explained.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(screening_index, "explanation", counting)
    hits = index.screen("Ivan Sidorov", "Person") + index.screen("Romashka", "Company")
    assert len(hits) >= 2
    assert explained == []
    first = hits[0].summary
    assert len(explained) == 1
    assert hits[0].summary == first  # worked out once
    assert len(explained) == 1


@pytest.mark.parametrize(("query", "schema"), [("Ivan Sidorov", "Person"), ("Romashka", "Company")])
def test_the_summary_is_the_explanation_of_the_best_name(
    index: CandidateIndex, query: str, schema: str
) -> None:
    hit = index.screen(query, schema)[0]
    alignment = best_alignment(query, hit.matched, schema)
    assert alignment is not None
    best = explanation(alignment, schema)
    assert hit.summary == summarise(best)
    assert hit.score == best.score


def test_hits_compare_print_and_pickle_with_their_summary(index: CandidateIndex) -> None:
    hit = index.screen("Ivan Sidorov", "Person")[0]
    copy = pickle.loads(pickle.dumps(hit))
    assert copy == hit and hash(copy) == hash(hit)
    assert copy.summary == hit.summary and "sidorov" in repr(copy)
    other = Hit(hit.entity_id, hit.score, hit.matched, hit.summary + " (changed)")
    assert other != hit


def test_a_hit_needs_its_summary_or_what_it_is_worked_out_from() -> None:
    with pytest.raises(ValueError, match="summary"):
        Hit("p1", 0.9, "Ivan Sidorov")
