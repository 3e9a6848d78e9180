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
_built: dict[str, tuple[CandidateIndex, str]] = {}


@pytest.fixture(scope="session")
def bench_index() -> CandidateIndex:
    """The index of ``synthetic.listed(20_000)``, shared: tests must not change it."""
    index = CandidateIndex.build(synthetic.listed(BENCH_SIZE))
    _built["bench_index"] = (index, synthetic.fingerprint(index))
    return index


@pytest.fixture(autouse=True)
def _bench_index_unchanged(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the shared index (itself or through a fixture of its
    module), fail if its state is not what it was built with."""
    yield
    if "bench_index" in request.fixturenames and "bench_index" in _built:
        index, built = _built["bench_index"]
        assert synthetic.fingerprint(index) == built, (
            f"{request.node.nodeid} changed the shared bench_index; copy it instead"
        )
