"""Screening with the cyclic garbage collector off (``index._CollectorPaused``).

A query's thousands of short-lived objects would start collections mid-query, each one
reading objects all over the index's heap (13 % of ``screen`` at 1,000,000 entities).
Turning the collector off for a query is safe only while screening makes no reference
cycles, which reference counting alone would never free: the first test checks that, the
others that the collector stays off through a query and is left as the caller had it.
"""

import gc
from collections.abc import Iterator

import pytest

from pfund.screening.index import CandidateIndex
from tests.screening import synthetic
from tests.screening.conftest import BENCH_SIZE

ASKED = 120


@pytest.fixture
def collector() -> Iterator[list[int]]:
    """The generations of the collections started while a test runs; the collector's
    state and threshold put back as they were afterwards."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    threshold, enabled = gc.get_threshold(), gc.isenabled()
    gc.callbacks.append(note)
    try:
        yield started
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*threshold)
        if enabled:
            gc.enable()
        else:
            gc.disable()


@pytest.mark.usefixtures("collector")  # puts the collector back as it was
def test_screening_makes_no_reference_cycles(bench_index: CandidateIndex) -> None:
    asked = synthetic.queries(BENCH_SIZE, ASKED)
    gc.collect()
    gc.disable()
    hits = [bench_index.screen(name, schema) for _, schema, name in asked]
    candidates = [bench_index.query(name, schema) for _, schema, name in asked]
    assert gc.collect() == 0  # nothing unreachable: reference counting freed it all
    assert any(hits) and any(candidates)  # the queries did screen something


def test_no_collection_starts_during_a_query(
    bench_index: CandidateIndex, collector: list[int]
) -> None:
    _, schema, name = synthetic.queries(BENCH_SIZE, 1)[0]
    gc.enable()
    gc.set_threshold(1)  # any object made with the collector on starts a collection
    for ask in (bench_index.screen, bench_index.candidates):
        collector.clear()
        ask(name, schema)
        # Only the allocations just before the pause takes effect (the pause itself) and
        # just after it ends start one: with the collector on throughout, a query of
        # this list starts hundreds (365 for ``screen``, 43 for ``candidates``).
        assert len(collector) < 10, ask
    collector.clear()
    _ = [{number} for number in range(10)]  # the collector is on again after the query
    assert collector


@pytest.mark.usefixtures("collector")  # puts the collector back as it was
def test_a_query_leaves_the_collector_off_if_it_was(bench_index: CandidateIndex) -> None:
    _, schema, name = synthetic.queries(BENCH_SIZE, 1)[0]
    gc.disable()
    bench_index.screen(name, schema)
    assert not gc.isenabled()
    bench_index.query(name, schema)
    assert not gc.isenabled()
    gc.enable()
    bench_index.screen(name, schema)
    assert gc.isenabled()
