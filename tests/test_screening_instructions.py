"""``bench/screening_instructions.py``: instructions counted under callgrind for the very
screens it names by their hits' hash, and a clear refusal without valgrind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pfund.screening.index import CandidateIndex
from tests.screening import synthetic

SCRIPT = synthetic.BENCH / "screening_instructions.py"
ENTITIES, QUERIES, SEED = 300, 5, 0


def _run(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "--n", str(ENTITIES), "--queries", str(QUERIES)]
    command += ["--seed", str(SEED)]
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)


def test_it_counts_the_screens_whose_hits_it_names() -> None:
    done = _run(dict(os.environ))
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert (found["entities"], found["queries"], found["seed"]) == (ENTITIES, QUERIES, SEED)
    # A screen of this list takes hundreds of thousands of instructions at the least:
    # a count of only the switching on and off would be a few thousand.
    assert found["instructions_per_query"] > 100_000
    assert found["instructions_per_query"] == round(found["instructions"] / QUERIES)
    # The same screens, here and without valgrind: the hits the count belongs to.
    script = synthetic.bench_module("screening_instructions")
    bench = script.screening_index
    rows = bench.generate(ENTITIES, SEED)
    index = CandidateIndex.build(list(bench.entities(rows, SEED)))
    asked = bench.queries(rows, QUERIES, SEED)
    hits = [index.screen(name, schema) for _, schema, name in asked]
    assert any(hits)
    assert found["hits_hash"] == script.hits_hash(hits)


def test_without_valgrind_it_says_so_and_fails() -> None:
    done = _run(dict(os.environ) | {"PATH": str(Path(sys.executable).parent)})
    assert done.returncode != 0
    assert "valgrind is needed" in done.stderr
