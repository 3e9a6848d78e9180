"""A Dask cluster made the way a fund runs one: `dask scheduler` and `dask worker` as
separate processes on free ports (not a LocalCluster inside the test's own process).

`dask_processes` starts a scheduler and ``workers`` single-threaded worker processes,
waits until all of them have joined, yields the scheduler's address, and stops them with
SIGTERM (SIGKILL for any that do not stop) so nothing outlives the test module.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
START_DEADLINE = 180.0  # seconds: a busy 2-core machine starts Python processes slowly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dask_processes(workers: int = 2) -> Iterator[str]:
    """A scheduler address with ``workers`` worker processes joined to it."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    dask = str(BIN / "dask")
    with ExitStack() as stack:
        procs = [
            subprocess.Popen(
                [dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ]
        stack.callback(_stop, procs)
        procs += [
            subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--no-nanny"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        deadline = time.monotonic() + START_DEADLINE
        with Client(address, timeout=START_DEADLINE) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
        yield address


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):
        proc.terminate()
    for proc in reversed(procs):
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
