"""Screen many names at once: in this process, or spread over a Dask cluster.

Both paths run the same pure function (``screen_chunk``) on the same index, chunk by
chunk, and put the chunks back in the order of the queries, so they return the same hits
with the same scores in the same order. The Dask path sends the index to every worker
once (``scatter(broadcast=True)``), then one task per chunk of queries, on the cluster
`pfund.cluster.dask_client` gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from distributed import Client

from pfund.cluster import dask_client
from pfund.domain.watchlist import WatchlistEntity
from pfund.screening.index import CandidateIndex, Hit
from pfund.screening.names import PERSON
from pfund.screening.score import THRESHOLD

CHUNK_SIZE = 256
LIMIT: int | None = None  # every hit (``CandidateIndex.screen``)


class Query(NamedTuple):
    """One name to screen, its schema and any identifiers (INN, OGRN) given with it."""

    name: str
    schema: str = PERSON
    identifiers: tuple[str, ...] = ()


def as_query(query: Query | str | tuple[str, str]) -> Query:
    """A query from a ``Query``, a bare name (a person) or a (name, schema) pair."""
    if isinstance(query, Query):
        return query
    if isinstance(query, str):
        return Query(query)
    return Query(*query)


def as_index(index_or_entities: CandidateIndex | Iterable[WatchlistEntity]) -> CandidateIndex:
    """The index itself, or one built from the entities."""
    if isinstance(index_or_entities, CandidateIndex):
        return index_or_entities
    return CandidateIndex.build(index_or_entities)


def screen_chunk(
    index: CandidateIndex, chunk: Sequence[Query], threshold: float, limit: int | None
) -> list[list[Hit]]:
    """The hits of every query of a chunk, in order: the unit of work of both paths."""
    return [
        index.screen(q.name, q.schema, identifiers=q.identifiers, limit=limit, threshold=threshold)
        for q in chunk
    ]


def chunks(queries: Sequence[Query], size: int) -> list[Sequence[Query]]:
    """Consecutive slices of at most ``size`` queries, in order."""
    if size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {size}")
    return [queries[start : start + size] for start in range(0, len(queries), size)]


def screen_batch(
    index_or_entities: CandidateIndex | Iterable[WatchlistEntity],
    queries: Iterable[Query | str | tuple[str, str]],
    *,
    threshold: float = THRESHOLD,
    limit: int | None = LIMIT,
    chunk_size: int = CHUNK_SIZE,
) -> list[list[Hit]]:
    """Hits for every query, in query order, computed in this process."""
    index = as_index(index_or_entities)
    asked = [as_query(query) for query in queries]
    found: list[list[Hit]] = []
    for chunk in chunks(asked, chunk_size):
        found.extend(screen_chunk(index, chunk, threshold, limit))
    return found


def screen_batch_dask(
    index_or_entities: CandidateIndex | Iterable[WatchlistEntity],
    queries: Iterable[Query | str | tuple[str, str]],
    *,
    threshold: float = THRESHOLD,
    limit: int | None = LIMIT,
    chunk_size: int = CHUNK_SIZE,
    scheduler: str | Client | None = None,
    n_workers: int | None = None,
) -> list[list[Hit]]:
    """Hits for every query, in query order, computed on a Dask cluster.

    ``scheduler`` is a scheduler address, ``"local"`` or a connected ``Client``; ``None``
    or ``"local"`` starts a local cluster of ``n_workers`` single-threaded worker
    processes (Dask's default count when ``None``), used for this call only.
    """
    index = as_index(index_or_entities)
    asked = [as_query(query) for query in queries]
    with dask_client(scheduler, n_workers) as client:
        return _run(client, index, asked, threshold, limit, chunk_size)


def _run(
    client: Client,
    index: CandidateIndex,
    asked: list[Query],
    threshold: float,
    limit: int | None,
    chunk_size: int,
) -> list[list[Hit]]:
    # A key of its own (hash=False): another scatter of the same index on a shared client
    # cannot release this copy while the tasks need it.
    shared = client.scatter(index, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
    futures = [
        client.submit(screen_chunk, shared, chunk, threshold, limit, pure=False)
        for chunk in chunks(asked, chunk_size)
    ]
    found: list[list[Hit]] = []
    for result in client.gather(futures):  # type: ignore[no-untyped-call]
        found.extend(result)
    return found
