"""Time the screening index's build alone on the index benchmark's list and print JSON.

Usage: python bench/screening_index_build.py [--n N] [--seed S]

``bench/screening_index.py`` also runs queries and scores every candidate for its
ceiling, which takes long at 1,000,000 entities; this builds the index only. The list
(``generate`` and ``entities`` of that benchmark, seed 7 as there) is made first and
timed apart (``input_*``); ``build_*`` is ``CandidateIndex.build`` on it, wall clock and
CPU seconds of this process; ``peak_rss_mib`` is the process's peak, the list included.
``load_average`` is the machine's 1-minute load before and after: with more runnable
processes than cores, wall clock says little and CPU seconds are the figure to compare.
Target (issue #14): 1,000,000 entities in 120 s within 4 GB.
"""

import argparse
import json
import os
import resource
import time

from pfund.screening.index import CandidateIndex
from screening_index import entities, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    watchlist = list(entities(generate(args.n, args.seed), args.seed))
    input_wall, input_cpu = time.perf_counter() - wall, time.process_time() - cpu
    input_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu = time.perf_counter(), time.process_time()
    index = CandidateIndex.build(watchlist)
    build_wall, build_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        json.dumps(
            {
                "entities": len(index),
                "input_seconds": round(input_wall, 1),
                "input_cpu_seconds": round(input_cpu, 1),
                "input_peak_rss_mib": round(input_rss),
                "build_seconds": round(build_wall, 1),
                "build_cpu_seconds": round(build_cpu, 1),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "indexed_keys": len(index.postings),
                "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
