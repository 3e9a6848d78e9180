"""Time reference-class calibration from the store over a fund's finished projects; prints JSON.

Usage: python bench/learning.py [FINISHED] [DATABASE_URL]
(default 5,000 finished projects with an outturn each, in a fresh SQLite file; pass a
PostgreSQL URL to compare: that database is wiped first, point it at a scratch one).

The finished projects are synthetic (``pfund.sample.synthetic``) in the sample fund's
eleven areas, completed, each with a realised cost of 0.8 to 1.9 times its likely
estimate; they are imported through the services (audited) before the clock. Timed:
gathering them from the store (every project, as ``load_inputs`` reads them anyway;
then ``finished_projects``: outturns, indicators, reports, ratios), the calibration of
every area (``calibration``, mode auto), and the uplift of a 1,000-project pipeline.
``bench/results_engines.py`` times the engine alone (``calibrate`` on arrays).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from pfund.domain import ProjectStatus
from pfund.io.dataset import load_dataset
from pfund.sample.synthetic import generate_projects
from pfund.services.imports import import_projects
from pfund.services.learning import calibration, finished_projects, import_outturns, uplifted
from pfund.services.runtime import open_runtime
from pfund.services.setup import init_fund
from pfund.settings import Settings


def _wipe(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def main(n: int, url: str | None) -> dict[str, object]:
    data = load_dataset()
    areas = {a.code: a for a in data.areas}
    regions = [r.code for r in data.regions]
    done = [
        p.model_copy(update={"status": ProjectStatus.COMPLETED, "depends_on": [], "excludes": []})
        for p in generate_projects(n, seed=1, areas=list(areas), regions=regions, link_share=0)
    ]
    rng = np.random.default_rng(2)
    ratios = rng.uniform(0.8, 1.9, n)
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/bench.db"
        if url.startswith("postgresql"):
            _wipe(url)
        rt = open_runtime(Settings(database_url=url, actor="bench"))
        init_fund(rt)
        projects_file = Path(tmp) / "projects.json"
        items = [p.model_dump(mode="json") for p in done]
        projects_file.write_text(json.dumps({"projects": items}), encoding="utf-8")
        import_projects(rt, projects_file)
        outturn_file = Path(tmp) / "outturns.csv"
        rows = [
            f"{p.id},{min(p.costs)},{(p.likely_cost() * Decimal(repr(round(float(r), 4)))):.2f}"
            for p, r in zip(done, ratios, strict=True)
        ]
        outturn_file.write_text("project,year,cost\n" + "\n".join(rows) + "\n", "utf-8")
        import_outturns(rt, outturn_file)
        start = time.perf_counter()
        with rt.uow() as uow:
            stored = uow.projects.list()
            listed = time.perf_counter() - start
            history = finished_projects(uow, stored)
        gathered = time.perf_counter() - start
        start = time.perf_counter()
        cal = calibration("auto", history, areas, {})
        calibrated = time.perf_counter() - start
        pipeline = generate_projects(1000, seed=3, areas=list(areas), regions=regions)
        start = time.perf_counter()
        uplifted(pipeline, cal)
        uplift_seconds = time.perf_counter() - start
        rt.close()
    assert cal is not None
    first = cal.record.areas[0]
    return {
        "bench": "learning",
        "database": url.split(":")[0],
        "finished_projects": len(history),
        "areas": len(cal.record.areas),
        "gather_seconds": round(gathered, 3),
        "of_which_reading_projects_seconds": round(listed, 3),
        "calibrate_seconds": round(calibrated, 4),
        "total_seconds": round(gathered + calibrated, 3),
        "uplift_1000_projects_seconds": round(uplift_seconds, 3),
        "k": cal.record.k,
        "k_from": cal.record.k_from,
        "example": first.model_dump(),
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print(json.dumps(main(count, sys.argv[2] if len(sys.argv) > 2 else None), indent=2))
