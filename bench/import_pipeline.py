"""Time an import of a synthetic pipeline through the service layer; prints JSON.

Usage: python bench/import_pipeline.py [N] [DATABASE_URL]
(default 10000 projects into a fresh SQLite file; pass a PostgreSQL URL to compare).
The PostgreSQL database is wiped first: point it at a scratch database only.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from pfund.io.dataset import load_dataset
from pfund.sample.synthetic import generate_projects
from pfund.services.imports import import_projects
from pfund.services.runtime import open_runtime
from pfund.services.setup import init_fund
from pfund.services.summary import list_projects
from pfund.settings import Settings


def main(n: int, url: str | None) -> dict[str, object]:
    data = load_dataset()
    projects = generate_projects(
        n, seed=1, areas=[a.code for a in data.areas], regions=[r.code for r in data.regions]
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/bench.db"
        if url.startswith("postgresql"):
            from sqlalchemy import create_engine

            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
        path = Path(tmp) / "projects.json"
        items = [p.model_dump(mode="json") for p in projects]
        path.write_text(json.dumps({"projects": items}), encoding="utf-8")
        rt = open_runtime(Settings(database_url=url, actor="bench"))
        init_fund(rt)
        start = time.perf_counter()
        import_projects(rt, path)
        imported = time.perf_counter() - start
        start = time.perf_counter()
        loaded = len(list_projects(rt))
        listed = time.perf_counter() - start
        rt.close()
    return {
        "bench": "import_pipeline",
        "database": url.split(":")[0],
        "projects": n,
        "import_seconds": round(imported, 2),
        "projects_per_second": round(n / imported),
        "list_all_seconds": round(listed, 2),
        "loaded": loaded,
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(json.dumps(main(count, sys.argv[2] if len(sys.argv) > 2 else None)))
