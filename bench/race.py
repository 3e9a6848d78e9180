"""Race bench: thousands of concurrent money writes against ``pfund serve``; none may move twice.

Builds a fresh store (SQLite in a temporary folder by default; ``--db URL`` for
PostgreSQL, whose schema is dropped and rebuilt): ``pfund demo --no-report``, the 2023
contributions received, a portfolio run approved (OPT-0001) and the stage-1 condition
met, so there are tranches to release and pay. Then ``pfund serve --workers N`` on a
loopback port, and a thread pool (httpx) fires ``--requests`` money writes at it:
releases and payments of every tranche many times over, approvals of the approved run
and contributions already recorded, some sent with an ``Idempotency-Key`` and retried
with it, some without. Requests go to 127.0.0.1 only and stop at ``--seconds``.

Printed as JSON: successes (first answers), replays, refusals by status, double
movements recounted from the ledger afterwards (target 0), the ledger's invariants and
the audit chain, throughput and p50/p99 latency of the money writes.

Usage: python bench/race.py [--requests 10000] [--threads 32] [--workers 2]
                            [--seconds 600] [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.audit import verify
from pfund.services.conditions import set_condition
from pfund.services.funding import ledger_view
from pfund.services.runtime import open_runtime
from pfund.services.tranches import list_tranches
from pfund.settings import Settings
from web_load import reset_postgres  # this folder's service bench: one schema reset

PFUND = str(Path(sys.executable).parent / "pfund")
PASSWORD = "race bench password, long enough"


@dataclass(frozen=True)
class Shot:
    """One request to send: what it is, where, and the key it carries (if any)."""

    kind: str
    path: str
    body: dict[str, Any] | None = None
    key: str | None = None


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PFUND_DATABASE_URL": url, "PFUND_ACTOR": "bench:race"}
    return subprocess.run([PFUND, *args], env=env, capture_output=True, text=True, check=False)


def build(url: str) -> str:
    """The demo fund with money committed and stage 1 open; returns an admin's token."""
    for step in (
        ["demo", "--no-report"],
        ["fund", "contributions", "--year", "2023", "--received"],
        ["portfolio", "optimize", "--time-limit", "30"],
        ["portfolio", "approve", "OPT-0001"],
    ):
        done = cli(url, *step)
        if done.returncode != 0:
            raise RuntimeError(f"pfund {' '.join(step)} failed: {done.stderr or done.stdout}")
    rt = open_runtime(Settings(database_url=url, actor="bench:race"))
    try:
        evidence = {"evidence": "OSCE monitoring report", "verifier": "OSCE"}
        set_condition(rt, "ceasefire_holding", "met", on=date(2026, 4, 1), **evidence)
        accounts.add_user(rt, "bench", PASSWORD, roles=[Role.ADMIN], display_name="Bench")
        return accounts.issue_token(rt, "bench", label="race bench").token
    finally:
        rt.close()


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = os.environ | {"PFUND_DATABASE_URL": url}
    command = [PFUND, "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers with it, so stop() ends them all
    )
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    while time.monotonic() - started < 600:  # spawned workers import everything afresh
        try:
            urllib.request.urlopen(base + "/api/v1/fund", timeout=5)
            return process, base
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise RuntimeError("the service did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the service and its worker processes (its own process group, nothing else)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass


def plan(tranches: list[str], count: int, seed: int) -> list[list[Shot]]:
    """Two waves (releases, then payments) of duplicates, keyed retries and noise."""
    rng = random.Random(seed)
    waves: list[list[Shot]] = []
    for step in ("release", "disburse"):
        shots: list[Shot] = []
        while len(shots) < count // 2:
            tranche = rng.choice(tranches)
            path = f"/api/v1/tranches/{tranche}/{step}"
            roll = rng.random()
            if roll < 0.35:  # a client that retries with its key, 2 to 4 times
                key = f"{step}-{tranche}-{rng.randrange(3)}"
                shots += [Shot(step, path, key=key)] * rng.randint(2, 4)
            elif roll < 0.85:  # a plain duplicate
                shots.append(Shot(step, path))
            elif roll < 0.93:
                shots.append(Shot("approve", "/api/v1/portfolio/runs/OPT-0001/approve"))
            else:
                body = {"year": 2023, "received": True, "members": [rng.choice(["DEU", "FRA"])]}
                shots.append(Shot("contribution", "/api/v1/fund/contributions", body=body))
        rng.shuffle(shots)
        waves.append(shots[: count // 2])
    return waves


def fire(
    base: str, token: str, waves: list[list[Shot]], threads: int, deadline: float
) -> list[dict[str, Any]]:
    local = threading.local()
    auth = {"Authorization": f"Bearer {token}"}

    def send(shot: Shot) -> dict[str, Any]:
        if time.monotonic() > deadline:
            return {"kind": shot.kind, "status": "not sent", "ms": 0.0}
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base, timeout=120)
        headers = auth | ({"Idempotency-Key": shot.key} if shot.key else {})
        start = time.perf_counter()
        try:
            answer = client.post(shot.path, headers=headers, json=shot.body)
            status: int | str = answer.status_code
            replayed = answer.headers.get("idempotent-replayed") == "true"
        except httpx.HTTPError as exc:
            status, replayed = type(exc).__name__, False
        ms = (time.perf_counter() - start) * 1000
        return {"kind": shot.kind, "status": status, "replayed": replayed, "ms": ms}

    results: list[dict[str, Any]] = []
    with ThreadPoolExecutor(threads) as pool:
        for wave in waves:
            results += list(pool.map(send, wave))
    return results


def recount(url: str) -> dict[str, Any]:
    """Double movements from the ledger itself, the invariants and the audit chain."""
    rt = open_runtime(Settings(database_url=url, actor="bench:race"), migrate=False)
    try:
        with rt.uow() as uow:
            rows = uow.session.execute(
                text(
                    "SELECT tranche_id, debit, credit, COUNT(*) AS n FROM ledger_entries "
                    "WHERE tranche_id IS NOT NULL GROUP BY tranche_id, debit, credit"
                )
            ).all()
            audit = verify(uow)
        moves = {(r.debit, r.credit): 0 for r in rows}
        doubles = 0
        for r in rows:
            if (r.debit, r.credit) in {("released", "committed"), ("disbursed", "released")}:
                moves[(r.debit, r.credit)] += r.n
                doubles += r.n - 1
        statuses = Counter(t.status.value for t in list_tranches(rt))
        return {
            "double_movements": doubles,
            "release_entries": moves.get(("released", "committed"), 0),
            "disbursement_entries": moves.get(("disbursed", "released"), 0),
            "tranches_by_status": dict(statuses),
            "ledger_invariants_broken": ledger_view(rt).invariants,
            "audit_intact": audit.intact and audit.head_matches,
        }
    finally:
        rt.close()


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=600, help="stop sending after this")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pfund-race-")
    url = args.db or f"sqlite:///{folder}/race.db"
    if url.startswith("postgresql"):
        reset_postgres(url)
    token = build(url)
    rt = open_runtime(Settings(database_url=url), migrate=False)
    try:
        ids = [t.id for t in list_tranches(rt) if t.stage <= 1]
    finally:
        rt.close()
    waves = plan(ids, args.requests, args.seed)
    process, base = serve(url, args.workers)
    try:
        start = time.perf_counter()
        results = fire(base, token, waves, args.threads, time.monotonic() + args.seconds)
        elapsed = time.perf_counter() - start
    finally:
        stop(process)
    sent = [r for r in results if r["status"] != "not sent"]
    latencies = [r["ms"] for r in sent]
    by_status = Counter(str(r["status"]) for r in sent)
    by_kind = {
        kind: dict(Counter(str(r["status"]) for r in sent if r["kind"] == kind))
        for kind in ("release", "disburse", "approve", "contribution")
    }
    report = {
        "database": url.split(":")[0],
        "workers": args.workers,
        "threads": args.threads,
        "tranches": len(ids),
        "requests_planned": sum(len(w) for w in waves),
        "requests_sent": len(sent),
        "keyed_requests": sum(1 for w in waves for s in w if s.key),
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(sent) / elapsed, 1) if elapsed else 0.0,
        "successes": sum(1 for r in sent if r["status"] == 200 and not r["replayed"]),
        "replays": sum(1 for r in sent if r["replayed"]),
        "by_status": dict(by_status),
        "by_kind": by_kind,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p99": round(percentile(latencies, 99), 1),
        },
        **recount(url),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
