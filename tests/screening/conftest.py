"""The screening tests' shared index of the benchmark's 20,000 synthetic entities.

Building it costs seconds, and three modules (pool alignments, pool values, the
candidate stage) only read it: it is built once a process. Whether a test changed it
is checked after every test that used it (``fingerprint``: the index's pickled state and
its derived lookups), and such a test fails there, before another test reads the
changed index.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pfund.screening.index import CandidateIndex
from tests.screening import synthetic

BENCH_SIZE = 20_000


@pytest.fixture(scope="session")
def bench_index() -> CandidateIndex:
    """The index of ``synthetic.listed(20_000)``, shared: tests must not change it."""
    return synthetic.shared("bench_index", CandidateIndex.build(synthetic.listed(BENCH_SIZE)))


@pytest.fixture(autouse=True)
def _shared_indexes_unchanged(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used a shared index (``synthetic.shared``: this one, or a
    module's), itself or through another fixture, fail if its state is not what it was
    built with."""
    yield
    for fixture, (index, built) in synthetic.SHARED.items():
        if fixture in request.fixturenames:
            assert synthetic.fingerprint(index) == built, (
                f"the shared {fixture} is not as built after {request.node.nodeid}: this"
                " test (or, if an earlier one failed so, that one) changed it; copy it instead"
            )
