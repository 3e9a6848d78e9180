"""The loop of ``pfund worker`` (and of ``pfund serve``'s own job thread).

Each of ``concurrency`` threads takes back jobs whose worker died, claims the oldest
queued job, and runs it as the user who queued it, while a heartbeat thread renews its
lease every third of the lease time. The heartbeat also brings back a cancellation
request, or the news that the lease was lost (the database was unreachable longer than
the lease and another worker took the job over): either stops the work at its next
progress point, and a lost job is not ended by this worker, so it is never finished twice.

A stop (SIGTERM) ends the claiming; jobs already running go on to their end.

Given ``prune_days``, the worker also removes the files of jobs that ended longer ago
than that (:func:`pfund.services.job_files.prune`), when it starts and every
``prune_every`` seconds after, in whichever of its threads comes first.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field, replace

from pfund.domain.account import Principal
from pfund.domain.jobs import Job, JobState
from pfund.errors import PfundError
from pfund.services import job_files, jobs
from pfund.services.job_kinds import KINDS
from pfund.services.runtime import Runtime

log = logging.getLogger("pfund.worker")


class Stopped(Exception):
    """Raised at a progress point: the job was cancelled, or this worker lost its lease."""

    def __init__(self, cancelled: bool) -> None:
        super().__init__("cancelled" if cancelled else "lease lost")
        self.cancelled = cancelled


def worker_name() -> str:
    """This process's name in the ``claimed_by`` column: host and process id."""
    return f"{socket.gethostname()[:150]}:{os.getpid()}"


@dataclass
class Heartbeat:
    """Renews one job's lease in a thread of its own while the job runs."""

    rt: Runtime
    job_id: str
    worker: str
    lease_seconds: float
    progress: float = 0.0
    cancel: threading.Event = field(default_factory=threading.Event)
    lost: threading.Event = field(default_factory=threading.Event)
    _done: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(target=self._beat, name=f"beat-{self.job_id}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self.lease_seconds / 3):
            try:
                beat = jobs.renew(
                    self.rt,
                    self.job_id,
                    self.worker,
                    lease_seconds=self.lease_seconds,
                    progress=self.progress,
                )
            except Exception:  # the database is away: try again at the next beat
                log.warning("could not renew the lease of %s", self.job_id, exc_info=True)
                continue
            if not beat.held:
                self.lost.set()
                return
            if beat.cancel:
                self.cancel.set()

    def report(self, fraction: float) -> None:
        """The work's progress callback: note how far it is, stop it if it must stop."""
        self.progress = min(max(fraction, 0.0), 1.0)
        if self.lost.is_set() or self.cancel.is_set():
            raise Stopped(cancelled=not self.lost.is_set())


@dataclass
class Worker:
    """Runs queued jobs from the store until stopped (or, ``drain``, until none waits)."""

    rt: Runtime
    lease_seconds: float
    poll_seconds: float = 1.0
    concurrency: int = 1
    name: str = field(default_factory=worker_name)
    prune_days: int | None = None
    prune_every: float = 3600.0
    stopping: threading.Event = field(default_factory=threading.Event)
    ran: int = 0
    _count: threading.Lock = field(default_factory=threading.Lock)
    _pruning: threading.Lock = field(default_factory=threading.Lock)
    _pruned_at: float | None = None

    def run(self, *, drain: bool = False) -> int:
        """Work until :meth:`stop` (or, with ``drain``, until no job waits); how many
        jobs this worker ran."""
        threads = [
            threading.Thread(target=self._loop, args=(f"{self.name}:{i}", drain), name=f"job-{i}")
            for i in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.ran

    def stop(self) -> None:
        """Claim nothing more; the jobs running now go on to their end."""
        self.stopping.set()

    def _loop(self, who: str, drain: bool) -> None:
        while not self.stopping.is_set():
            self.prune_if_due(who)
            try:
                worked = self.run_one(who)
            except Exception:  # the database is away: wait, then try again
                log.exception("the job worker %s could not reach the store", who)
                worked = False
            if not worked and (drain or self.stopping.wait(self.poll_seconds)):
                return

    def prune_if_due(self, who: str) -> None:
        """Remove old jobs' files if ``prune_every`` has passed since this worker last
        did (or it never did); one thread prunes while the others go on with jobs."""
        if self.prune_days is None or not self._pruning.acquire(blocking=False):
            return
        try:
            moment = time.monotonic()
            if self._pruned_at is not None and moment - self._pruned_at < self.prune_every:
                return
            self._pruned_at = moment
            pruned = job_files.prune(
                self.rt, older_than_days=self.prune_days, actor=f"worker:{who}"
            )
            if pruned.files:
                log.info(
                    "removed %d files (%d bytes) of %d jobs that ended before %s",
                    pruned.files,
                    pruned.bytes,
                    pruned.jobs,
                    pruned.before.isoformat(timespec="seconds"),
                )
        except Exception:  # the database is away: the next round tries again
            log.exception("the job worker %s could not remove old jobs' files", who)
        finally:
            self._pruning.release()

    def run_one(self, who: str) -> bool:
        """Take back dead workers' jobs, then claim and run one; False when none waited."""
        for job in jobs.reap(self.rt, who):
            log.warning("job %s: its worker %s stopped answering", job.id, job.claimed_by)
        claimed = jobs.claim(self.rt, who, lease_seconds=self.lease_seconds)
        if claimed is None:
            return False
        self.execute(claimed, who)
        with self._count:
            self.ran += 1
        return True

    def execute(self, job: Job, who: str) -> None:
        """Run a claimed job to its end state (unless its lease was lost meanwhile)."""
        with Heartbeat(self.rt, job.id, who, self.lease_seconds) as beat:
            state, result, error = self._outcome(job, beat)
        if beat.lost.is_set() or not jobs.end(
            self.rt, job.id, who, state, result=result, error=error
        ):
            log.warning(
                "job %s was taken from %s before it ended; its end is not kept", job.id, who
            )

    def _outcome(self, job: Job, beat: Heartbeat) -> tuple[JobState, str | None, str | None]:
        try:
            beat.report(0.0)
            result = KINDS[job.kind].run(self._acting(job), job.id, job.parameters, beat.report)
        except Stopped as stop:
            return (JobState.CANCELLED if stop.cancelled else JobState.FAILED), None, None
        except PfundError as err:
            return JobState.FAILED, None, str(err)
        except Exception as err:
            log.exception("job %s (%s) failed", job.id, job.kind)
            return JobState.FAILED, None, f"internal error ({type(err).__name__})"
        return JobState.DONE, result, None

    def _acting(self, job: Job) -> Runtime:
        """The runtime acting as whoever queued the job: a user's job is checked against
        that user's roles as they are now; a console's (``cli:...``) acts as the console."""
        if not job.actor.startswith("user:"):
            return replace(self.rt, actor=job.actor, principal=None)
        with self.rt.uow() as uow:
            user = uow.users.get(job.actor.removeprefix("user:"))
        return replace(self.rt, actor=job.actor, principal=Principal(user=user))
