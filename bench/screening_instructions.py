"""Count the machine instructions screening takes a query, under callgrind, and print JSON.

Usage: python bench/screening_instructions.py [--n N] [--queries Q] [--seed S] [--first]

``screening_index.py`` times screening in CPU seconds, and the machines here differ by
half from day to day and by a tenth from run to run (its ``machine_reference_cpu_seconds``
says how fast the machine was): a change worth a few per cent cannot be told from the
swing. callgrind (valgrind) counts the instructions executed instead, the same for the
same code, inputs and hash seed whatever else the machine does, so two commits compare
to a fraction of a per cent. It is no timer: a cache miss and an add count alike, so
memory-bound steps (the candidate stage at 1,000,000) weigh less here than in seconds.

The script runs itself again under ``valgrind --tool=callgrind --instr-atstart=no`` with
``PYTHONHASHSEED=0``: it builds an index of N synthetic entities (default 20,000: the
build, uncounted, still runs some 30 times slower under valgrind), screens Q queries once
(``screening_index.queries``: half noisy spellings of listed names, half fresh) to warm the
caches, then switches counting on (``callgrind_control -i on``), screens them again and
switches it off. With ``--first`` the uncounted pass asks for the candidates only
(``query``), as ``screening_index.py`` does before the pass it times: the counted pass is
then the queries' first ``screen``, which also works out what the words met for the
first time need (``"pass": "first"``, else ``"warm"``). Prints the instructions counted,
per query, the engine that ran, and a hash of the hits (ids and scores), which two
commits that should screen alike must share.
Needs valgrind (``callgrind_control`` comes with it).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pfund.screening
import screening_index
from pfund.screening.index import CandidateIndex, Hit

COLLECTED = re.compile(r"Collected : (\d+)")


def screen_counted(n: int, count: int, seed: int, first: bool = False) -> dict[str, object]:
    """Run under callgrind: build, screen once uncounted (or, ``first``, ask for the
    candidates), once counted; the hits' hash."""
    rows = screening_index.generate(n, seed)
    index = CandidateIndex.build(list(screening_index.entities(rows, seed)))
    asked = screening_index.queries(rows, count, seed)
    for _, schema, name in asked:
        if first:
            index.query(name, schema)
        else:
            index.screen(name, schema)
    me = str(os.getpid())
    subprocess.run(["callgrind_control", "-i", "on", me], check=True, capture_output=True)
    hits = [index.screen(name, schema) for _, schema, name in asked]
    subprocess.run(["callgrind_control", "-i", "off", me], check=True, capture_output=True)
    return {
        "engine": pfund.screening.ENGINE,
        "pass": "first" if first else "warm",
        "hits_hash": hits_hash(hits),
    }


def hits_hash(hits: list[list[Hit]]) -> str:
    """What two runs that screen alike share: each query's hits' ids and scores."""
    found = [[(hit.entity_id, round(hit.score, 9)) for hit in each] for each in hits]
    return hashlib.sha256(repr(found).encode()).hexdigest()[:16]


def measure(n: int, count: int, seed: int, first: bool = False) -> dict[str, object]:
    """Run this script under callgrind and read the instructions it counted."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("screening_instructions: valgrind is needed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"  # the profile itself is not kept
        done = _under_callgrind(out, n, count, seed, first)
    counted = COLLECTED.findall(done.stderr)
    if done.returncode or not counted:
        sys.exit(f"screening_instructions: the run under valgrind failed\n{done.stderr[-2000:]}")
    inner = json.loads(done.stdout.strip().splitlines()[-1])
    instructions = int(counted[-1])
    return {
        "entities": n,
        "queries": count,
        "seed": seed,
        **inner,
        "instructions": instructions,
        "instructions_per_query": round(instructions / count),
    }


def _under_callgrind(
    out: Path, n: int, count: int, seed: int, first: bool
) -> subprocess.CompletedProcess[str]:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "--inner",
        "--n",
        str(n),
        "--queries",
        str(count),
        "--seed",
        str(seed),
        *(["--first"] if first else []),
    ]
    environment = os.environ | {"PYTHONHASHSEED": "0"}
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first", action="store_true", help="count the queries' first screen")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(screen_counted(args.n, args.queries, args.seed, args.first)))
        return
    print(json.dumps(measure(args.n, args.queries, args.seed, args.first), indent=2))


if __name__ == "__main__":
    main()
