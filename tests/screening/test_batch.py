"""Batch screening: the Dask path gives exactly the single-process results."""

import random

import pytest

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening.batch import Query, chunks, screen_batch, screen_batch_dask
from pfund.screening.index import CandidateIndex

SYLLABLES = [c + v for c in "бвгдзклмнпрстфхчшж" for v in "аеиоу"]
FIRST = ["Иван", "Сергей", "Ольга", "Пётр", "Анна", "Юрий", "Фёдор", "Наталья"]
LATIN = str.maketrans("абвгдеёжзиклмнопрстуфхчшюя", "abvgdeezziklmnoprstufhcsuy")


def _surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize() + "ов"


def _watchlist(rng: random.Random, count: int) -> list[WatchlistEntity]:
    people = [
        WatchlistEntity(
            id=f"p{i}", schema_name="Person", names=(f"{_surname(rng)} {rng.choice(FIRST)}",)
        )
        for i in range(count)
    ]
    firms = [
        WatchlistEntity(
            id=f"c{i}",
            schema_name="Company",
            names=(f"ООО {_surname(rng)}строй",),
            inn=(f"77{i:08d}",),
        )
        for i in range(count // 4)
    ]
    return people + firms


def _queries(rng: random.Random, listed: list[WatchlistEntity], count: int) -> list[Query]:
    picked = rng.sample(listed, count // 2)
    near = [Query(e.names[0].lower().translate(LATIN), e.schema_name) for e in picked]
    fresh = [Query(f"{rng.choice(FIRST)} {_surname(rng)}") for _ in range(count // 4)]
    by_id = [Query("Unrelated", "Company", (f"77{i:08d}",)) for i in range(count // 4)]
    return near + fresh + by_id


@pytest.fixture(scope="module")
def case() -> tuple[CandidateIndex, list[Query]]:
    rng = random.Random(5)
    listed = _watchlist(rng, 1200)
    return CandidateIndex.build(listed), _queries(rng, listed, 300)


def test_dask_path_returns_the_same_hits_scores_and_order(
    case: tuple[CandidateIndex, list[Query]],
) -> None:
    index, queries = case
    single = screen_batch(index, queries, chunk_size=64)
    spread = screen_batch_dask(index, queries, chunk_size=37, n_workers=2)
    assert len(single) == len(queries)
    assert sum(bool(hits) for hits in single) >= len(queries) // 2
    assert spread == single


def test_batch_equals_screening_one_name_at_a_time(
    case: tuple[CandidateIndex, list[Query]],
) -> None:
    index, queries = case
    one_by_one = [index.screen(q.name, q.schema, identifiers=q.identifiers) for q in queries]
    assert screen_batch(index, queries, chunk_size=7) == one_by_one


def test_batch_accepts_entities_and_plain_names() -> None:
    listed = [WatchlistEntity(id="x", schema_name="Person", names=("Хрущёв Никита",))]
    hits = screen_batch(listed, ["Nikita Chruschtschow", ("Someone Else", "Person")])
    assert [[hit.entity_id for hit in found] for found in hits] == [["x"], []]


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        chunks([Query("a")], 0)
