"""Where a service's independent solves run: this process, or the fund's Dask cluster.

The engines take a ``Mapper`` (`pfund.portfolio.parallel`); this picks it from the
runtime, so the CLI, the API and the persistent job kinds all follow the one setting
(``PFUND_DASK_SCHEDULER``). `distributed` is imported only when a cluster is set: it adds
a second to every start-up that never uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pfund.portfolio.parallel import Mapper
from pfund.services.runtime import Runtime

__all__ = ["compute_map"]


@contextmanager
def compute_map(rt: Runtime) -> Iterator[Mapper | None]:
    """The cluster's mapper for the call when one is configured, else None (here)."""
    if not rt.dask_scheduler:
        yield None
        return
    from pfund.cluster import cluster_map

    with cluster_map(rt.dask_scheduler) as mapper:
        yield mapper
