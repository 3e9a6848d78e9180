"""Where work that outgrows one process runs: a Dask cluster, local or remote.

One place for the rule batch screening, Monte Carlo, robustness, frontiers and scenario
portfolios follow, so that a fund
configures its cluster once (``PFUND_DASK_SCHEDULER``): a scheduler address
(``tcp://host:8786``) or a connected ``Client`` is used and left running; ``None`` or
``"local"`` starts a ``LocalCluster`` of single-threaded worker processes on this machine
for the one call and closes it afterwards.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster

LOCAL = "local"


@contextmanager
def dask_client(scheduler: str | Client | None, n_workers: int | None = None) -> Iterator[Client]:
    """A client for the call: the one given, one to the address, or a local cluster's."""
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None and scheduler != LOCAL:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    # distributed ships no type hints for these calls.
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, dashboard_address=None)  # type: ignore[no-untyped-call]
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def worker_threads(client: Client) -> int:
    """How many tasks the cluster runs at once (at least 1)."""
    return max(1, sum(client.nthreads().values()))  # type: ignore[no-untyped-call]


def dask_map(client: Client) -> Callable[..., Iterator[Any]]:
    """A `pfund.portfolio.parallel.Mapper` that runs each piece as a task on the cluster.

    Every task is submitted at once (so idle workers start at once) and the results are
    yielded in input order, whichever finishes first: callers fold them exactly as the
    built-in ``map`` would give them. ``pure=False`` so two equal pieces are two tasks,
    and no other call's results are taken for these.
    """

    def mapper(fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        futures = client.map(fn, *(list(it) for it in iterables), pure=False)
        return (future.result() for future in futures)

    return mapper


@contextmanager
def cluster_map(
    scheduler: str | Client | None, n_workers: int | None = None
) -> Iterator[Callable[..., Iterator[Any]]]:
    """`dask_map` on the client `dask_client` gives, for one call."""
    with dask_client(scheduler, n_workers) as client:
        yield dask_map(client)


@contextmanager
def dask_processes(workers: int = 2, *, start_timeout: float = 180.0) -> Iterator[str]:
    """A `dask scheduler` and ``workers`` one-thread `dask worker` processes on this
    machine, on a free port, as the Procfile starts them; yields the scheduler's address
    once every worker has joined, and stops them all afterwards.

    For tests and benchmarks that must show the work crossing process boundaries (a
    LocalCluster would not show that pickling and the scheduler work); a fund runs its
    processes from the Procfile or its own service manager instead.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    worker = [dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--no-nanny"]
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"], **quiet
        )
    ]
    try:
        procs += [subprocess.Popen(worker, **quiet) for _ in range(workers)]
        with Client(address, timeout=start_timeout) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(workers, timeout=start_timeout)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
