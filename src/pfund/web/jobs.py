"""Long work started from a page (appraise, optimise) runs in one background thread.

The page that started it redirects to the job's page, which refreshes itself every two
seconds (a meta refresh: no script needed) until the job is done and links to its
result. One worker, because the solver already uses the cores it is given.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Lock

from pfund.errors import PfundError


@dataclass
class Job:
    id: str
    kind: str
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: str | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started


class Jobs:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pfund-job")
        self._jobs: dict[str, Job] = {}
        self._lock = Lock()

    def start(self, kind: str, work: Callable[[], str]) -> Job:
        job = Job(id=secrets.token_hex(6), kind=kind)
        with self._lock:
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[], str]) -> None:
        try:
            job.result = work()
        except PfundError as err:
            job.error = str(err)
        except Exception as err:
            job.error = f"internal error ({type(err).__name__})"
        finally:
            job.finished = time.monotonic()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
