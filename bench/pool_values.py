"""A/B in one process: a pool's features name by name or all at once; prints JSON.

Usage: python bench/pool_values.py [--n N] [--queries Q] [--rounds R]

Builds the synthetic list of ``screening_index.py`` (N entities, default 100,000), takes
the whole candidate pool of each of its first Q queries (default 1,000; up to 300
candidates however little alike, every listed name of each) and aligns them
(``pool_score.pool_alignments``). Then, round by round and pool by pool, it times in CPU
seconds ``score.bounded_values`` called on each alignment against ``score.pool_values``
on the whole pool, with the floor at the threshold's log-odds (as screening calls them)
and at minus infinity (every feature of every name), and checks that they agree
(``pool_values``'s contract: the scorer's values wherever the floor is reached). The
alignments are ``gc.freeze()``-d first, so that full collections do not walk them, and
each pool's results are dropped once compared. Prints microseconds per listed name.
"""

import argparse
import gc
import json
import math
import os
import time

from pfund.screening.align import Alignment
from pfund.screening.index import CandidateIndex
from pfund.screening.pool_score import pool_alignments
from pfund.screening.score import (
    THRESHOLD,
    bounded_values,
    feature_values,
    log_odds,
    pool_values,
    values_score,
)
from screening_index import entities, generate, queries


def pools(n: int, count: int) -> list[list[Alignment]]:
    """The alignments of the whole candidate pool of each query."""
    rows = generate(n, 7)
    index = CandidateIndex.build(entities(rows, 7))
    found = []
    for _, schema, name in queries(rows, count, 7):
        candidates = index.candidates(name, schema, limit=300, scored=300)
        asked = [(other, index._kind(p, schema)) for p in candidates for other in index.names[p]]
        found.append([alignment for alignment in pool_alignments(name, asked) if alignment])
    return found


def agree(pool: list[Alignment], at_once: list[list[float] | None], floor: float) -> bool:
    """Whether ``pool_values`` kept its contract on the pool: each name's values are the
    scorer's, or ``None`` when the name cannot reach the threshold's floor."""
    for alignment, values in zip(pool, at_once, strict=True):
        exact = feature_values(alignment)
        if values is None:
            if floor == -math.inf or values_score(exact) >= THRESHOLD:
                return False
        elif values != exact:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    built = pools(args.n, args.queries)
    gc.collect()
    gc.freeze()
    names = sum(map(len, built))
    for floor in (log_odds(THRESHOLD), -math.inf):
        for number in range(args.rounds):
            one_by_one = at_once = 0.0
            for pool in built:
                started = time.process_time()
                for alignment in pool:
                    bounded_values(alignment, floor)
                middle = time.process_time()
                found = pool_values(pool, floor)
                at_once += time.process_time() - middle
                one_by_one += middle - started
                assert agree(pool, found, floor)
            print(
                json.dumps(
                    {
                        "n": args.n,
                        "floor": floor,
                        "round": number,
                        "names": names,
                        "names_per_pool": round(names / len(built), 1),
                        "bounded_values_us": round(one_by_one / names * 1e6, 2),
                        "pool_values_us": round(at_once / names * 1e6, 2),
                        "load": round(os.getloadavg()[0], 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
