"""The index benchmark's synthetic list (``bench/screening_index.py``), made once a process.

Several modules screen the same 20,000 entities: the list and its index are built once
(``tests/screening/conftest.py`` shares the index) rather than once a module. The list
is a tuple of frozen ``WatchlistEntity`` models, so no test can change it for another.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import pickle
import sys
from pathlib import Path
from types import ModuleType

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening.index import CandidateIndex

BENCH = Path(__file__).parents[2] / "bench"
SEED = 7


@functools.cache
def bench_module(name: str = "screening_index") -> ModuleType:
    """A script of ``bench/`` as a module (those import ``screening_index`` beside them)."""
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


@functools.cache
def rows(count: int) -> tuple[tuple[str, str, str], ...]:
    """The generator's (id, schema, Cyrillic name) rows."""
    return tuple(bench_module().generate(count, SEED))


@functools.cache
def listed(count: int) -> tuple[WatchlistEntity, ...]:
    """Persons and firms from the generator, in Cyrillic (some with a Latin alias)."""
    return tuple(bench_module().entities(list(rows(count)), SEED))


def queries(count: int, asked: int) -> list[tuple[str, str, str]]:
    """``asked`` of the benchmark's queries on the list of ``count`` (noisy and fresh)."""
    return list(bench_module().queries(list(rows(count)), asked, SEED))


# Indexes shared by several tests, by the name of their fixture, with their fingerprint
# when built: ``tests/screening/conftest.py`` checks them after each test that used one.
SHARED: dict[str, tuple[CandidateIndex, str]] = {}


def shared(fixture: str, index: CandidateIndex) -> CandidateIndex:
    """Register ``index``, the value of ``fixture``, as read by several tests."""
    SHARED[fixture] = (index, fingerprint(index))
    return index


def fingerprint(index: CandidateIndex) -> str:
    """A digest of what an index holds (its pickled state: ids, names, postings,
    identifiers, word tables; and the lookups derived from it once, which pickling
    leaves out), to tell whether a test changed it. Only the common keys' bitmaps, a
    cache that queries fill as they need them, are not in it."""
    state = (index, index.weights, index.common_variants)
    return hashlib.sha256(pickle.dumps(state, protocol=5)).hexdigest()
