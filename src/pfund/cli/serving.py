"""How ``pfund serve`` runs uvicorn: its workers, their metrics, and how it stops.

Three failures seen under load (issue 18) shape this module:

- A worker slower to start than uvicorn's health check (5 s by default) was killed and
  replaced, again and again, with nothing in the log (the log level was ``warning``
  and uvicorn says so at ``info``). The health check here waits ``worker_timeout``
  seconds, and uvicorn's messages are logged.
- A worker whose app could not be built died with a traceback on standard error and
  was replaced for ever. :func:`pfund.api.app.serve_app` now logs the cause and exits
  with uvicorn's start-up failure code, on which the supervisor stops, and so does
  this command (exit 3).
- After SIGTERM, a request that never ended kept the process alive: requests in flight
  now get ``graceful_timeout`` seconds. A single process re-raises SIGTERM once it has
  stopped (uvicorn does, so the default action would end it "killed by SIGTERM"); it
  exits 0 here, as a service manager expects of a requested stop.
- A SIGTERM while the workers were still starting left uvicorn's supervisor waiting
  for ever for workers that catch SIGTERM and carry on starting (and a parent then
  killed left them orphaned). The supervisor now kills the workers still running
  ``graceful_timeout`` (+ ``STOP_MARGIN``) seconds after it told them to stop; a stop
  cuts short its health check (uvicorn's blocks signals for up to ``worker_timeout``
  seconds a worker), no worker is respawned once a stop is asked for, and a worker
  replaced is logged with its cause (exit code, signal, or no answer in time).

With several workers the supervisor writes how many of them listen, and ``/readyz``
says "not ready" until every one does; the request metrics go to
``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary folder unless the operator names one,
which is then emptied first, as prometheus-client requires), so any worker's
``/metrics`` adds up all of them.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import signal
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from pfund.api.logs import log_config
from pfund.api.observe import MULTIPROC_VARIABLE, WORKERS_STATE_VARIABLE

STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start
STOP_MARGIN = 10  # seconds a worker gets, past its graceful timeout, to finish stopping

log = logging.getLogger("uvicorn.error")  # the supervisor's own log, as uvicorn writes it


def serve(*, host: str, port: int, workers: int, worker_timeout: int, graceful_timeout: int) -> int:
    """Run the service until it is stopped; the exit code (0 when asked to stop)."""
    made = _metrics_folder() if workers > 1 else None
    config = uvicorn.Config(
        "pfund.api.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        # The client address is decided by pfund.api.limits.client_address alone, which
        # believes X-Forwarded-For only from PFUND_TRUSTED_PROXIES; uvicorn's own handling
        # would believe it from 127.0.0.1 and let anyone behind it pick their address.
        proxy_headers=False,
        log_config=log_config(),  # JSON lines; no exception text, traceback or query
        timeout_worker_healthcheck=worker_timeout,
        timeout_graceful_shutdown=graceful_timeout,
    )
    try:
        return _run_many(config) if workers > 1 else _run_one(config)
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def _run_one(config: uvicorn.Config) -> int:
    server = uvicorn.Server(config)
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        server.run()
    except SystemExit as stop:
        if stop.code == STARTUP_FAILURE:
            return STARTUP_FAILURE
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0 if server.started else STARTUP_FAILURE


def _stopped(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM re-raised by uvicorn after its graceful stop: a clean exit."""
    raise SystemExit(0)


def _run_many(config: uvicorn.Config) -> int:
    folder = Path(tempfile.mkdtemp(prefix="pfund-serve-"))
    state = folder / "workers.json"
    os.environ[WORKERS_STATE_VARIABLE] = str(state)  # read by every worker's /readyz
    try:
        supervisor = _supervisor(config, state)
        supervisor.run()
        failed = any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return STARTUP_FAILURE if failed else 0


def _supervisor(config: uvicorn.Config, state: Path) -> Any:
    """uvicorn's supervisor, made to stop every worker on the first SIGTERM whatever they
    are doing, to say why a worker it replaces died, and to write how many of its
    workers listen, so that ``/readyz`` (whichever worker answers it) is ready only when
    every one does."""
    from uvicorn.supervisors import Multiprocess
    from uvicorn.supervisors.multiprocess import Process

    class Supervisor(Multiprocess):
        said: tuple[int, int] = (-1, -1)
        ready: frozenset[int | None] = frozenset()

        def run(self) -> None:
            try:
                super().run()
            finally:  # whatever went wrong, no worker outlives the supervisor
                for process in self.processes:
                    if process.process.is_alive():
                        process.terminate()
                self.join_all()

        def stopping(self) -> bool:
            """A stop is asked for: set, or a SIGTERM/SIGINT waiting to be handled."""
            asked = {signal.SIGTERM, signal.SIGINT}
            return self.should_exit.is_set() or any(s in asked for s in self.signal_queue)

        def keep_subprocess_alive(self) -> None:
            for idx, process in enumerate(self.processes):
                if self.stopping():
                    return
                trouble = self.health(process)
                if trouble is None:
                    continue
                process.kill()
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    # Its app cannot be built; every replacement would fail the same way.
                    log.error(
                        "Child process [%s] failed to start, stopping the parent process.",
                        process.pid,
                    )
                    self.should_exit.set()
                    return
                log.warning("Child process [%s] %s; starting another", process.pid, trouble)
                if self.stopping():
                    return
                fresh = Process(self.config, self.sockets)
                fresh.start()
                self.processes[idx] = fresh
            alive = {p.pid for p in self.processes}
            self.ready = self.ready & alive
            self._say(len(self.ready), len(self.processes))

        def health(self, process: Process) -> str | None:
            """None if the worker answers its health check (or a stop is asked for
            meanwhile); else why it is to be replaced. The wait is cut short by a stop:
            uvicorn's own check blocks signal handling for up to ``worker_timeout``
            seconds per worker."""
            if not process.process.is_alive():
                return f"died ({death(process.exitcode)})"
            conn = process.parent_conn
            timeout = self.config.timeout_worker_healthcheck
            try:
                while conn.poll(0):  # answers to checks that gave up waiting
                    conn.recv()
                conn.send(b"ping")
                deadline = time.monotonic() + timeout
                while not conn.poll(0.5):
                    if not process.process.is_alive():
                        return f"died ({death(process.exitcode)})"
                    if self.stopping():
                        return None
                    if time.monotonic() > deadline:
                        return f"did not answer the health check within {timeout} s: killed"
                started = conn.recv()
            except (OSError, EOFError, pickle.UnpicklingError) as err:
                return f"could not be checked ({type(err).__name__}): killed"
            if started is True:
                self.ready = self.ready | {process.pid}
            return None

        def join_all(self) -> None:
            """Wait for the workers told to stop for their graceful timeout (and a margin
            to finish), then kill those still running: the service stops, always."""
            grace = (self.config.timeout_graceful_shutdown or 0) + STOP_MARGIN
            deadline = time.monotonic() + grace
            for process in self.processes:
                process.process.join(max(0.0, deadline - time.monotonic()))
            for process in self.processes:
                if process.process.is_alive():
                    log.warning(
                        "Child process [%s] still running %d s after SIGTERM: killed",
                        process.pid,
                        grace,
                    )
                    process.kill()
                    process.process.join()

        def _say(self, listening: int, workers: int) -> None:
            if (listening, workers) == self.said:
                return
            self.said = (listening, workers)
            log.info("%d of %d workers listen", listening, workers)
            fresh = state.with_suffix(".tmp")
            fresh.write_text(json.dumps({"listening": listening, "workers": workers}))
            fresh.replace(state)

    return Supervisor(config, sockets=[config.bind_socket()])


def death(exitcode: int | None) -> str:
    """How a worker ended, from its exit code: a signal (negative) or a status."""
    if exitcode is None:
        return "exit code unknown"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _metrics_folder() -> Path | None:
    """Point the workers at an empty metrics folder; the one made here, to remove after."""
    named = os.environ.get(MULTIPROC_VARIABLE)
    if named:
        folder = Path(named)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return None
    made = Path(tempfile.mkdtemp(prefix="pfund-metrics-"))
    os.environ[MULTIPROC_VARIABLE] = str(made)
    return made
