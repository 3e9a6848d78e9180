"""Time the IATI export (``iati_xml``) on the demo fund and on a synthetic store; prints JSON.

Usage: python bench/iati_export.py [N] [DATABASE_URL]
(default 10000 synthetic projects, each in a fresh SQLite file; pass a PostgreSQL URL to
compare: that database is wiped first, so point it at a scratch database only).

Both stores are funded and approved, so every project is an activity with budgets,
commitments and conditions; on the demo fund one tranche is also released and paid.
The synthetic projects are approved through a recorded selection rather than the
optimiser, whose time is measured elsewhere (bench/portfolio_synthetic.py).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import create_engine, text

from pfund.domain import ProjectStatus
from pfund.io.dataset import load_dataset
from pfund.io.iati import activities_schema
from pfund.sample.synthetic import generate_projects
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo import load_demo
from pfund.services.funding import fund_size, record_contributions
from pfund.services.imports import import_projects
from pfund.services.opendata import iati_xml
from pfund.services.portfolio import run_portfolio
from pfund.services.records import save_record
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.setup import init_fund
from pfund.services.tranches import approve, disburse_tranche, list_tranches, release_tranche
from pfund.settings import Settings


def fresh(url: str) -> Runtime:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return open_runtime(Settings(database_url=url, actor="bench"))


def timed(step: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """The best of ``repeat`` runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(rt: Runtime, repeat: int) -> dict[str, Any]:
    seconds, data = timed(lambda: iati_xml(rt), repeat)
    document = etree.fromstring(data)
    schema = activities_schema()
    validate, valid = timed(lambda: schema.validate(document))
    return {
        "activities": len(document),
        "bytes": len(data),
        "iati_xml_seconds": round(seconds, 3),
        "activities_per_second": round(len(document) / seconds),
        "validate_seconds": round(validate, 3),
        "valid": bool(valid),
    }


def demo(url: str) -> dict[str, Any]:
    rt = fresh(url)
    load_demo(rt)
    record_contributions(rt, year=2023, received=True)
    report, _ = run_portfolio(rt, appraise_pipeline(load_inputs(rt)))
    approve(rt, report.record_id)
    first = next(t for t in list_tranches(rt) if t.stage == 0)
    release_tranche(rt, first.id)
    disburse_tranche(rt, first.id)
    result = measure(rt, repeat=5)
    rt.close()
    return result


def synthetic(url: str, n: int, folder: Path) -> dict[str, Any]:
    rt = fresh(url)
    init_fund(rt)
    data = load_dataset()
    projects = generate_projects(
        n, seed=1, areas=[a.code for a in data.areas], regions=[r.code for r in data.regions]
    )
    path = folder / "projects.json"
    items = [p.model_dump(mode="json") for p in projects]
    path.write_text(json.dumps({"projects": items}), encoding="utf-8")
    import_projects(rt, path)
    needed = sum((p.likely_cost() for p in projects), Decimal(0))
    for _ in range(int(needed / fund_size(rt).total) + 1):
        record_contributions(rt, year=2023, received=True)
    chosen = [p.id for p in projects if p.status is not ProjectStatus.APPROVED]
    record = save_record(
        rt,
        kind="portfolio",
        inputs={"bench": n},
        parameters={},
        status="selected",
        result={"selected": chosen},
    )
    approve_seconds, _ = timed(lambda: approve(rt, record.id))
    result = measure(rt, repeat=1) | {"approve_seconds": round(approve_seconds, 2)}
    rt.close()
    return result


def main(n: int, url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo_url = url or f"sqlite:///{folder}/demo.db"
        out: dict[str, Any] = {
            "bench": "iati_export",
            "database": demo_url.split(":")[0],
            "demo": demo(demo_url),
        }
        out["synthetic"] = {"projects": n} | synthetic(
            url or f"sqlite:///{folder}/synthetic.db", n, folder
        )
    return out


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(json.dumps(main(count, sys.argv[2] if len(sys.argv) > 2 else None)))
