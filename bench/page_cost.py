"""Page cost: CPU milliseconds and SQL statements per request of the service bench's
slow routes, in process (FastAPI's TestClient), so the figures do not depend on the
machine's load the way latencies do.

Builds the sample fund as ``service.py`` does (``--build``; else uses the store ``--db``
already holds), then asks each route cold (the page cache emptied first, as after a
change to the store) and warm (answered again at once), ``--repeat`` times, and the
page of every public project with the portal's shared parts already cached (what a
reader meets after a change: each project page is built on its first request). Printed
as JSON: the least CPU of the repeats (process time, so the client's share is in it
too) and the statements of the last.

Usage: python bench/page_cost.py --db postgresql+psycopg://postgres@127.0.0.1/pf_bench
                                 [--build] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))

from pfund.api import create_app
from pfund.services import portal
from pfund.settings import Settings
from service import PASSWORD, USER, _csrf, build
from web_load import reset_postgres, settle_postgres

PUBLIC = {
    "home": "/",
    "project list page": "/projects",
    "results page": "/results",
    "funding": "/funding",
    "decisions": "/decisions",
}
STAFF = {
    "staff home": "/staff",
    "staff tranches": "/staff/tranches",
    "staff payments": "/staff/results/payments",
    "staff conditions": "/staff/conditions",
    "staff agreements": "/staff/agreements",
}


def measure(call: Callable[[], Any], counter: list[int]) -> tuple[float, int]:
    counter[0] = 0
    began = time.process_time()
    answer = call()
    spent = time.process_time() - began
    if answer.status_code != 200:
        raise RuntimeError(f"answered {answer.status_code}")
    return spent * 1000, counter[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--build", action="store_true", help="build the sample fund first")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.setdefault("PFUND_KEYS_FILE", str(Path(folder) / "pfund.keys"))
    if args.build:
        if args.db.startswith("postgresql"):
            reset_postgres(args.db)
        build(args.db)
        if args.db.startswith("postgresql"):
            settle_postgres(args.db)
    app = create_app(Settings(database_url=args.db, actor="bench"))
    counter = [0]

    def count(*_: Any) -> None:
        counter[0] += 1

    event.listen(app.state.runtime.engine, "before_cursor_execute", count)
    report: dict[str, Any] = {"database": app.state.runtime.engine.dialect.name}
    with TestClient(app) as public, TestClient(app) as staff:
        ids = [p["id"] for p in public.get("/api/v1/projects").json()]
        form = staff.get("/signin").text
        login = {"username": USER, "password": PASSWORD, "csrf_token": _csrf(form)}
        if staff.post("/signin", data=login, follow_redirects=False).status_code != 303:
            raise RuntimeError("sign-in refused")
        routes = {
            **{n: (public, p) for n, p in PUBLIC.items()},
            "project page": (public, f"/projects/{ids[0]}"),
            **{n: (staff, p) for n, p in STAFF.items()},
        }
        for name, (client, path) in routes.items():
            ask = partial(client.get, path)
            ask()
            cold = []
            for _ in range(args.repeat):
                portal._caches.clear()
                cold.append(measure(ask, counter))
            warm = measure(ask, counter)
            report[name] = {
                "cold_cpu_ms": round(min(ms for ms, _ in cold), 1),
                "cold_statements": cold[-1][1],
                "warm_cpu_ms": round(warm[0], 1),
                "warm_statements": warm[1],
            }
        portal._caches.clear()
        public.get(f"/projects/{ids[0]}")
        each = [measure(partial(public.get, f"/projects/{i}"), counter) for i in ids[1:]]
        report["every project page, shared parts cached"] = {
            "pages": len(each),
            "median_cpu_ms": round(statistics.median(ms for ms, _ in each), 1),
            "total_cpu_s": round(sum(ms for ms, _ in each) / 1000, 2),
            "median_statements": statistics.median(n for _, n in each),
            "max_statements": max(n for _, n in each),
        }
    report["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
