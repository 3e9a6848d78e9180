"""The jobs a page or an API call of this process queued, run here too unless told not to.

Jobs live in the store (:mod:`pfund.services.jobs`), so any API worker shows any job
and any ``pfund worker`` may run it. So that one ``pfund serve`` needs nothing more,
each API worker also runs queued jobs itself, in one thread that starts when it queues
a job (and when it starts, for jobs left from before) and ends when none waits or runs
(``PFUND_SERVE_RUNS_JOBS=false`` leaves them all to ``pfund worker`` processes). One
thread, because the solver already uses the cores it is given; the claims are the same
as a worker's, so the two never run a job twice.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from pfund.domain.jobs import Job
from pfund.services import jobs
from pfund.services.job_worker import Worker
from pfund.services.runtime import Runtime
from pfund.settings import Settings


class LocalJobs:
    """Queues jobs for the acting user and, unless disabled, runs the queue in a thread."""

    def __init__(self, rt: Runtime, settings: Settings) -> None:
        self.settings = settings
        self.worker = Worker(rt, lease_seconds=settings.job_lease_seconds)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def start(self, rt: Runtime, kind: str, parameters: dict[str, Any] | None = None) -> Job:
        """Queue a job as ``rt``'s principal, then see that it gets run."""
        job = jobs.enqueue(rt, kind, parameters, max_attempts=self.settings.job_max_attempts)
        self.kick()
        return job

    def kick(self) -> None:
        """Run the queue until it is empty, in the thread (started if not running)."""
        if not self.settings.serve_runs_jobs:
            return
        with self._lock:
            self._again = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="pfund-jobs", daemon=True)
                self._thread.start()

    def _drain(self) -> None:
        """Run the queue; while a job runs elsewhere, keep watching it, so that one whose
        process died (its lease runs out) is taken back even if nothing new is queued."""
        while True:
            with self._lock:
                if not self._again or self.worker.stopping.is_set():
                    self._thread = None
                    return
                self._again = False
            if self._work_waiting():
                self.worker.run(drain=True)
            if self._running_elsewhere():
                self._again = True
                self.worker.stopping.wait(self.settings.job_poll_seconds)

    def _work_waiting(self) -> bool:
        """Whether a job waits or a running one's lease ran out, found by reading: on
        SQLite a claim begins ``BEGIN IMMEDIATE``, and an API worker that took the write
        lock at every start and every watch, with nothing to do, would make the requests
        it serves meanwhile wait for it."""
        try:
            return jobs.work_waiting(self.worker.rt)
        except SQLAlchemyError:  # the database is away: the next kick looks again
            return False

    def _running_elsewhere(self) -> bool:
        try:
            return jobs.any_running(self.worker.rt)
        except SQLAlchemyError:  # the database is away: the next kick looks again
            return False

    def shutdown(self) -> None:
        """Claim nothing more and wait for the job running here to end."""
        self.worker.stop()
        thread = self._thread
        if thread is not None:
            thread.join()
