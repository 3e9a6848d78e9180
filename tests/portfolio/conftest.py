"""One parametrised fixture: every shared test runs against every available adapter."""

from __future__ import annotations

import pytest

from pfund.portfolio import SOLVERS, Solver

AVAILABLE = [name for name, cls in SOLVERS.items() if cls().available()]


@pytest.fixture(params=AVAILABLE)
def solver(request: pytest.FixtureRequest) -> Solver:
    """An instance of each installed solver adapter."""
    return SOLVERS[request.param]()
