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
import shutil
import signal
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from pfund.api.logs import log_config
from pfund.api.observe import MULTIPROC_VARIABLE, WORKERS_STATE_VARIABLE

STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start

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
    """uvicorn's supervisor, which also writes how many of its workers listen, so that
    ``/readyz`` (whichever worker answers it) is ready only when every one does."""
    from uvicorn.supervisors import Multiprocess

    class Supervisor(Multiprocess):
        said: tuple[int, int] = (-1, -1)
        ready: frozenset[int | None] = frozenset()

        def keep_subprocess_alive(self) -> None:
            super().keep_subprocess_alive()
            if self.should_exit.is_set():
                return
            alive = {p.pid for p in self.processes}
            ready = set(self.ready) & alive
            ready |= {p.pid for p in self.processes if p.pid not in ready and p.is_ready(1)}
            self.ready = frozenset(ready)
            self._say(len(ready), len(self.processes))

        def _say(self, listening: int, workers: int) -> None:
            if (listening, workers) == self.said:
                return
            self.said = (listening, workers)
            log.info("%d of %d workers listen", listening, workers)
            fresh = state.with_suffix(".tmp")
            fresh.write_text(json.dumps({"listening": listening, "workers": workers}))
            fresh.replace(state)

    return Supervisor(config, sockets=[config.bind_socket()])


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
