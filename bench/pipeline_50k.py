"""The whole pipeline through the CLI on SQLite, stage by stage; prints JSON per stage.

Issue #18, point 6: a 50,000-project pipeline imported, appraised (2,000 draws),
optimised to at most 0.1% gap and reported within 10 minutes on 2 cores in at most 4 GB.
Stages, each a `pfund` child process (what a user runs) except the first:

1. ``generate``: the synthetic pipeline of `pfund.sample.synthetic` written as JSON;
2. ``init``: ``pfund init`` on a fresh SQLite file;
3. ``import``: ``pfund import projects FILE --json``;
4. ``appraise``: ``pfund appraise --json`` (the fund's policy: 2,000 draws);
5. ``optimise``: ``pfund portfolio optimize --time-limit T --json`` (the gap reached is
   read from its JSON);
6. ``report``: ``pfund report DIR --json``, which reads the appraisal stage's stored
   appraisal (``read_stored_appraisal`` says whether it did, from the report's words).

Each stage's line gives wall seconds, CPU seconds (user + system of the child and its
own children, from ``wait4``), the child's peak RSS and the load average when it
started: the machine is shared, so wall seconds alone say little. The last line sums the
stages and says whether the targets hold.

``--from-stage NAME`` with ``--keep DIR`` runs from that stage on over the database a
former run kept there (the totals then count only the stages run).

Usage: python bench/pipeline_50k.py [--projects 50000] [--time-limit 120] [--keep DIR]
       [--from-stage optimise]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 600.0
TARGET_GB = 4.0
TARGET_GAP = 0.001


def stage(name: str, cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run one child to its end and measure it (``wait4`` gives its own rusage)."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own rusage
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        said, complaint = out.read(), err.read()
    wall = time.perf_counter() - start
    row: dict[str, Any] = {
        "stage": name,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "load_average_at_start": round(load, 1),
        "exit": child.returncode,
    }
    if child.returncode != 0:
        row["stderr"] = complaint.decode(errors="replace")[-2000:]
    row["stdout"] = said.decode(errors="replace")
    return row


def main(
    projects: int, time_limit: float, keep: Path | None, from_stage: str | None = None
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as scratch:
        where = keep or Path(scratch)
        where.mkdir(parents=True, exist_ok=True)
        db = where / "pipeline.db"
        if from_stage is None:
            db.unlink(missing_ok=True)
        env = {**os.environ, "PFUND_DATABASE_URL": f"sqlite:///{db}", "PFUND_ACTOR": "bench"}
        pfund = [str(Path(sys.executable).with_name("pfund"))]
        data = where / "projects.json"
        generate = (
            "import json, sys\n"
            "from pfund.io.dataset import load_dataset\n"
            "from pfund.sample.synthetic import generate_projects\n"
            "d = load_dataset()\n"
            f"ps = generate_projects({projects}, seed=1, areas=[a.code for a in d.areas],"
            " regions=[r.code for r in d.regions])\n"
            f"open({str(data)!r}, 'w', encoding='utf-8').write(json.dumps("
            "{'projects': [p.model_dump(mode='json') for p in ps]}))\n"
        )
        steps = [
            ("generate", [sys.executable, "-c", generate]),
            ("init", [*pfund, "init", "--json"]),
            ("import", [*pfund, "import", "projects", str(data), "--json"]),
            ("appraise", [*pfund, "appraise", "--top", "1", "--json"]),
            (
                "optimise",
                [*pfund, "portfolio", "optimize", "--time-limit", str(time_limit), "--json"],
            ),
            ("report", [*pfund, "report", str(where / "report"), "--json"]),
        ]
        if from_stage is not None:
            names = [name for name, _ in steps]
            steps = steps[names.index(from_stage) :]
        rows = []
        for name, cmd in steps:
            row = stage(name, cmd, env)
            text = row.pop("stdout")
            if name == "optimise" and row["exit"] == 0:
                row.update(_solution(text))
            if name == "report" and row["exit"] == 0:
                # whether it read the stored appraisal of `appraise` (else it appraised again)
                page = (where / "report" / "index.html").read_text(encoding="utf-8")
                row["read_stored_appraisal"] = "read from appraisal" in page
            rows.append(row)
            print(json.dumps(row), flush=True)
            if row["exit"] != 0:
                break
    total = {
        "stage": "total",
        "uptime_at_end": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "projects": projects,
        "time_limit": time_limit,
        "wall_seconds": round(sum(r["wall_seconds"] for r in rows), 1),
        "cpu_seconds": round(sum(r["cpu_seconds"] for r in rows), 1),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in rows),
        "all_stages_ran": len(rows) == len(steps) and all(r["exit"] == 0 for r in rows),
    }
    gap = next((r.get("gap") for r in rows if r["stage"] == "optimise"), None)
    total["within_10_minutes"] = total["wall_seconds"] <= TARGET_SECONDS
    total["within_4_gb"] = total["peak_rss_mb"] <= TARGET_GB * 1024
    total["gap_within_0_1_percent"] = gap is not None and gap <= TARGET_GAP
    print(json.dumps(total), flush=True)
    return [*rows, total]


def _solution(text: str) -> dict[str, Any]:
    """Status, gap and solver seconds from ``portfolio optimize --json``."""
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        return {"optimise_output": text[-500:]}
    found = _find(answer, "gap")
    return {
        "status": _find(answer, "status"),
        "gap": found if isinstance(found, int | float) else None,
        "solver_seconds": _find(answer, "seconds"),
        "message": _find(answer, "message"),
    }


def _find(node: Any, key: str) -> Any:
    """The first value under ``key`` anywhere in a JSON answer."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for value in node.values():
            found = _find(value, key)
            if found is not None:
                return found
    if isinstance(node, list):
        for value in node:
            found = _find(value, key)
            if found is not None:
                return found
    return None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--keep", type=Path, help="keep the database and report here")
    parser.add_argument(
        "--from-stage",
        choices=["init", "import", "appraise", "optimise", "report"],
        help="start here, over the database kept in --keep",
    )
    args = parser.parse_args()
    if args.from_stage and not args.keep:
        parser.error("--from-stage needs --keep DIR with a former run's database")
    main(args.projects, args.time_limit, args.keep, args.from_stage)
