"""How independent solves are run: the engines ask for a `map`, the caller picks where.

The portfolio engines stay free of any cluster or process machinery: robustness and
frontiers cut their work into pieces that depend only on the input (never on how many
workers there are) and hand them to a ``Mapper``, a callable used like the built-in
``map``. The built-in runs them here one after another; `pfund.cluster.dask_map` runs
them on a Dask cluster. Results come back in input order either way, so a run on a
cluster is the one-process run, solution for solution.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["Mapper", "serial_map"]

# ``mapper(fn, xs, ys, ...)`` yields ``fn(x, y, ...)`` in input order, like ``map``.
Mapper = Callable[..., Iterable[Any]]


def serial_map(fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterable[Any]:
    """This process, one piece after another (the reference every other mapper matches)."""
    return map(fn, *iterables)
