"""The tests' Dask cluster made the way a fund runs one (`pfund.cluster.dask_processes`):
`dask scheduler` and `dask worker` as separate processes on free ports."""

from pfund.cluster import dask_processes

__all__ = ["dask_processes"]
