"""Batch screening in one process and on a local Dask cluster; print JSON.

Usage: python bench/screening_dask.py [--n N] [--queries Q] [--workers W] [--seed S]
                                       [--scheduler ADDRESS]

Builds the synthetic watchlist of ``bench/screening_index.py`` (default 1,000,000
entities), then screens Q queries (default 2,000) with ``screen_batch`` and with
``screen_batch_dask`` on a ``LocalCluster`` of W single-threaded worker processes
(default 2), or on the cluster at ADDRESS. Prints both throughputs (the Dask figure with
without the one-off cost of sending the index to the workers, estimated by timing one
scatter alone) and whether the two results are identical.
"""

import argparse
import json
import time

from distributed import Client, LocalCluster

from pfund.screening.batch import Query, screen_batch, screen_batch_dask
from pfund.screening.index import CandidateIndex, Hit
from screening_index import entities, generate, peak_rss_mib, queries


def _timed_dask(
    client: Client, index: CandidateIndex, asked: list[Query]
) -> tuple[float, float, list[list[Hit]]]:
    """Seconds to send the index to every worker alone, and for a whole batch call
    (which sends it again, then screens)."""
    started = time.perf_counter()
    sent = client.scatter(index, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
    scatter = time.perf_counter() - started
    sent.release()
    started = time.perf_counter()
    found = screen_batch_dask(index, asked, scheduler=client)
    return scatter, time.perf_counter() - started, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scheduler", default=None)
    args = parser.parse_args()
    rows = generate(args.n, args.seed)
    started = time.perf_counter()
    index = CandidateIndex.build(entities(rows, args.seed))
    build = time.perf_counter() - started
    asked = [Query(name, schema) for _, schema, name in queries(rows, args.queries, args.seed)]
    started, cpu = time.perf_counter(), time.process_time()
    single = screen_batch(index, asked)
    single_seconds, single_cpu = time.perf_counter() - started, time.process_time() - cpu
    if args.scheduler:
        client = Client(args.scheduler)  # type: ignore[no-untyped-call]
    else:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=args.workers, threads_per_worker=1, dashboard_address=None
        )
        client = Client(cluster)  # type: ignore[no-untyped-call]
    with client:
        scatter, total, spread = _timed_dask(client, index, asked)
    count = len(asked)
    print(
        json.dumps(
            {
                "entities": args.n,
                "queries": count,
                "build_seconds": round(build, 1),
                "single_queries_per_second": round(count / single_seconds, 1),
                "single_queries_per_cpu_second": round(count / single_cpu, 1),
                "dask_workers": args.workers if not args.scheduler else args.scheduler,
                "dask_scatter_seconds": round(scatter, 1),
                "dask_queries_per_second": round(count / total, 1),
                "dask_queries_per_second_after_scatter": round(count / (total - scatter), 1),
                "identical": spread == single,
                "hits": sum(map(len, single)),
                "peak_rss_mib_parent": round(peak_rss_mib(), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
