"""Load the public reads of the web service from a second process on loopback.

Builds the sample fund (loaded, contributions received, optimised, approved) in SQLite
and, with ``--postgres URL``, in PostgreSQL; serves each with ``pfund serve`` in its own
process; then drives it with wrk (Debian's package) when installed, or with a bounded
Python client otherwise, and prints JSON: requests per second and p50 / p99 latency for
the public project list (page and API) and one project page.

Usage: python bench/web_load.py [--seconds 10] [--connections 16] [--workers 2]
                                [--postgres postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import text

from pfund.domain import Contributor
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo import load_demo
from pfund.services.funding import record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.tranches import approve
from pfund.settings import Settings
from pfund.store import make_engine

TARGETS = {
    "project list page": "/projects",
    "project list API": "/api/v1/projects",
    "project page": "/projects/TRN-M11-03",
}


def build(url: str) -> None:
    rt = open_runtime(Settings(database_url=url, actor="bench"))
    try:
        load_demo(rt)
        year = max(c.year for c in _contributors(rt))
        record_contributions(rt, year=year, received=True)
        report, _ = run_portfolio(rt, appraise_pipeline(load_inputs(rt)), time_limit=30)
        approve(rt, report.record_id)
    finally:
        rt.close()


def _contributors(rt: Runtime) -> list[Contributor]:
    with rt.uow() as uow:
        return uow.reference.contributors()


def reset_postgres(url: str) -> None:
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def settle_postgres(url: str) -> None:
    """Analyse and checkpoint the fresh database, so autovacuum and the checkpointer do
    not run in the middle of the measurement (they did: second-long stalls)."""
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
        connection.execute(text("CHECKPOINT"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {"PFUND_DATABASE_URL": url}
    pfund = str(Path(sys.executable).parent / "pfund")
    command = [pfund, "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/api/v1/fund", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the service did not start")


def with_wrk(url: str, seconds: int, connections: int) -> dict[str, Any]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "client": "wrk",
        "requests_per_second": round(rps, 1),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": int(errors.group(1)) if errors else 0,
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return round(float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 2)


def with_python(url: str, seconds: int, connections: int) -> dict[str, Any]:
    """A bounded client: ``connections`` threads, each one request at a time."""
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                urllib.request.urlopen(url, timeout=10).read()
                elapsed = time.perf_counter() - start
                with lock:
                    times.append(elapsed)
            except OSError:
                with lock:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cuts = statistics.quantiles(times, n=100)
    return {
        "client": "python",
        "requests_per_second": round(len(times) / seconds, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "errors": errors,
    }


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    process, base = serve(url, args.workers)
    try:
        load = with_wrk if shutil.which("wrk") else with_python
        results = {}
        for name, path in TARGETS.items():
            load(base + path, 3, args.connections)  # warm the caches and the workers
            results[name] = load(base + path, args.seconds, args.connections)
        return results
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("PFUND_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    report: dict[str, Any] = {
        "cores": os.cpu_count(),
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "load_average": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite:///{Path(folder) / 'bench.db'}"
        build(sqlite)
        report["sqlite"] = measure(sqlite, args)
    if args.postgres:
        reset_postgres(args.postgres)
        build(args.postgres)
        settle_postgres(args.postgres)
        report["postgresql"] = measure(args.postgres, args)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
