"""Jobs bench: latency from queueing to done with two ``pfund worker`` processes.

Builds an empty store (``--db URL``; PostgreSQL's schema is dropped and rebuilt, so
name a database of its own), starts two ``pfund worker --concurrency C`` processes,
waits until both listen, then queues ``--jobs`` probe jobs (``--steps`` steps of
``--step-seconds`` each) at ``--rate`` per second and waits for every one to end.

Printed as JSON: jobs done and not done, jobs started more than once (target 0), the
latency from queueing to done (p50, p95, max), the wait before a worker claimed a job,
the queueing rate reached, the time to the last job done, how the jobs were shared
between the workers, and the load average.

Usage: python bench/jobs.py --db postgresql+psycopg://postgres@127.0.0.1/pf_bench
                            [--jobs 200] [--rate 20] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

from pfund.domain.jobs import JobState
from pfund.services import jobs
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings
from pfund.store import make_engine

PFUND = str(Path(sys.executable).parent / "pfund")


def fresh(url: str) -> Runtime:
    if url.startswith("postgresql"):
        engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return open_runtime(Settings(database_url=url))


def start_workers(url: str, concurrency: int, folder: Path) -> list[subprocess.Popen[bytes]]:
    env = os.environ | {"PYTHONUNBUFFERED": "1", "PFUND_JOB_POLL_SECONDS": "0.05"}
    started = []
    for n in (1, 2):
        log = folder / f"worker-{n}.log"
        command = [PFUND, "--db", url, "worker", "--concurrency", str(concurrency)]
        with log.open("wb") as out:
            started.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env))
        while "waiting for jobs" not in log.read_text():
            time.sleep(0.1)
    return started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def measure(rt: Runtime, args: argparse.Namespace) -> dict[str, Any]:
    params = {"steps": args.steps, "step_seconds": args.step_seconds}
    began = time.monotonic()
    ids = []
    for n in range(args.jobs):
        ids.append(jobs.enqueue(rt, "probe", params, max_attempts=1).id)
        time.sleep(max(began + (n + 1) / args.rate - time.monotonic(), 0))
    queued = time.monotonic() - began
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if not jobs.list_jobs(rt, state=JobState.QUEUED) and not jobs.list_jobs(
            rt, state=JobState.RUNNING
        ):
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - began
    ended = [jobs.get_job(rt, i) for i in ids]
    done = [j for j in ended if j.state is JobState.DONE]
    with rt.uow() as uow:
        starts = Counter(e.record_id for e in uow.audit.list() if e.action == "job.started")
    latency = [(j.finished_at - j.created_at).total_seconds() for j in done if j.finished_at]
    wait = [(j.started_at - j.created_at).total_seconds() for j in done if j.started_at]
    return {
        "database": rt.engine.dialect.name,
        "jobs": args.jobs,
        "rate_per_second": args.rate,
        "work_seconds_per_job": args.steps * args.step_seconds,
        "workers": 2,
        "concurrency_per_worker": args.concurrency,
        "done": len(done),
        "not_done": len(ended) - len(done),
        "started_more_than_once": sum(1 for n in starts.values() if n > 1),
        "latency_seconds": {
            "p50": round(statistics.median(latency), 3),
            "p95": round(percentile(latency, 0.95), 3),
            "max": round(max(latency), 3),
        },
        "claim_wait_seconds": {
            "p50": round(statistics.median(wait), 3),
            "p95": round(percentile(wait, 0.95), 3),
        },
        "queued_per_second": round(args.jobs / queued, 2),
        "seconds_to_last_done": round(elapsed, 2),
        "share_by_worker": sorted(
            Counter((j.claimed_by or "").rsplit(":", 2)[1] for j in done).values()
        ),
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="a database of its own (default: SQLite)")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="jobs queued per second")
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--step-seconds", type=float, default=0.01)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("PFUND_KEYS_FILE", str(Path(folder) / "pfund.keys"))
        url = args.db or f"sqlite:///{Path(folder) / 'jobs.db'}"
        rt = fresh(url)
        workers = start_workers(url, args.concurrency, Path(folder))
        try:
            print(json.dumps(measure(rt, args), indent=2))
        finally:
            for process in workers:
                process.send_signal(signal.SIGTERM)
            for process in workers:
                process.wait(timeout=120)
            rt.close()


if __name__ == "__main__":
    main()
