"""Time the synthetic pipeline generator; prints JSON.

Usage: python bench/synthetic.py [PROJECTS] (default 10,000).
The tests check what the generator makes, never how fast: this is where its speed is
measured, with the load average it was measured under.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from importlib.resources import files

from pfund.sample.synthetic import generate_projects


def codes(name: str) -> list[str]:
    text = (files("pfund") / "data" / "rpf" / name).read_text(encoding="utf-8")
    return [row["code"] for row in csv.DictReader(io.StringIO(text))]


def main(n: int) -> dict[str, object]:
    areas, regions = codes("areas.csv"), codes("regions.csv")
    start = time.perf_counter()
    projects = generate_projects(n, seed=7, areas=areas, regions=regions, link_share=0.1)
    seconds = time.perf_counter() - start
    return {
        "projects": len(projects),
        "seconds": round(seconds, 3),
        "projects_per_second": round(len(projects) / seconds),
        "load_average": os.getloadavg()[0],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)))
