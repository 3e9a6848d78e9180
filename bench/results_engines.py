"""Time the results engines of issue 15; prints JSON.

Usage: python bench/results_engines.py [PROJECTS] [--indicators 5] [--periods 8]
       [--sample 20] [--finished 5000] [--draws 2000]
(default 10,000 projects x 5 indicators x 8 periods = 400,000 reports).

* verification: every report's verification factor and interval in one vectorised call
  (:func:`pfund.results.verification.split_ratio`, the method stored verifications use:
  the invented share apart, with an exact bound), ``--sample`` recounted units per report
  in two strata, 2% of them recounted 0; the synthetic audit data are built before the
  clock. ``ratio_alone_seconds``: the linearised ratio alone, for comparison.
* payment: every report's tranche through :func:`compute_payment` (Decimal, one call per
  report: money is not vectorised on purpose), half scalable, half all-or-nothing, half
  paid on the lower bound; then the same for a vectorised float estimate of the total,
  to show what Decimal costs.
* draws: ``--draws`` seeded stratified draws of 200-unit reports with their records
  (:func:`draw`), timed per draw; the stored side draws one report at a time.
* calibration: reference classes over ``--finished`` finished projects in 12 areas.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from decimal import Decimal
from typing import Any

import numpy as np

from pfund.results.expost import ProjectType, calibrate
from pfund.results.payment_rules import PaymentFormula, VerifiedValue, compute_payment
from pfund.results.sampling import Unit, draw
from pfund.results.verification import combined_ratio, split_ratio


def audit_data(reports: int, sample: int, seed: int) -> dict[str, Any]:
    """Two strata per report, ``sample`` recounted units split between them."""
    rng = np.random.default_rng(seed)
    per = sample // 2
    rows = reports * 2 * per
    stratum = np.repeat(np.arange(reports * 2), per)
    x = rng.gamma(2.0, 50.0, rows)
    y = x * rng.beta(18, 2, rows) * (rng.random(rows) >= 0.02)
    return {
        "report": stratum // 2,
        "stratum": stratum,
        "reported": x,
        "recounted": y,
        "stratum_population": rng.integers(per + 1, 400, reports * 2),
        "stratum_report": np.arange(reports * 2) // 2,
        "reports": reports,
    }


def bench_verification(data: dict[str, Any]) -> tuple[float, float, Any]:
    start = time.perf_counter()
    combined_ratio(**data)
    alone = time.perf_counter() - start
    start = time.perf_counter()
    result = split_ratio(**data)
    return time.perf_counter() - start, alone, result


def bench_payments(result: Any, totals: Any) -> dict[str, float]:
    formulas = [
        PaymentFormula(
            kind=kind,
            threshold=Decimal(8000),
            target=Decimal(12000),
            amount=Decimal(50000),
            currency="USD",
            basis=basis,
        )
        for kind in ("scalable", "all_or_nothing")
        for basis in ("verified", "lower_bound")
    ]
    value = (result.factor * totals).tolist()
    lower = (np.minimum(result.lower, result.factor) * totals).tolist()
    start = time.perf_counter()
    paid = Decimal(0)
    for i, (v, lo) in enumerate(zip(value, lower, strict=True)):
        paid += compute_payment(formulas[i % 4], VerifiedValue.of(v, max(lo, 0.0))).amount.amount
    decimal_seconds = time.perf_counter() - start
    start = time.perf_counter()
    np.clip((np.asarray(value) - 8000) / 4000, 0, 1) * 50000
    float_seconds = time.perf_counter() - start
    return {
        "decimal_seconds": round(decimal_seconds, 3),
        "decimal_us_per_payment": round(1e6 * decimal_seconds / len(value), 2),
        "float_vectorised_seconds": round(float_seconds, 4),
        "total_paid": float(paid),
    }


def bench_draws(count: int) -> dict[str, float]:
    units = [Unit(id=f"site-{i:03d}", stratum="AB"[i % 2], reported=10.0 + i) for i in range(200)]
    start = time.perf_counter()
    for seed in range(count):
        draw(units, 40, seed=seed)
    seconds = time.perf_counter() - start
    return {"draws": count, "ms_per_draw_200_units": round(1e3 * seconds / count, 3)}


def bench_calibration(finished: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    areas = [f"area-{i:02d}" for i in range(12)]
    kinds = list(ProjectType)
    types = {a: kinds[i % len(kinds)] for i, a in enumerate(areas)}
    area = rng.choice(areas, finished)
    est = rng.gamma(3.0, 1e6, finished)
    start = time.perf_counter()
    result = calibrate(
        area=area,
        estimated_cost=est,
        realised_cost=est * rng.lognormal(0.15, 0.25, finished),
        estimated_benefit=est,
        realised_benefit=est * rng.lognormal(-0.1, 0.3, finished),
        area_types=types,
    )
    seconds = time.perf_counter() - start
    first = result[areas[0]]
    return {
        "finished_projects": finished,
        "areas": len(areas),
        "seconds": round(seconds, 4),
        "example": {
            "area": first.area,
            "count": first.count,
            "source": first.source,
            "credibility": round(first.credibility, 4),
            "cost_mean_uplift": round(first.cost.mean, 4),
            "moves_1m_by": round(first.moved_cost(1e6)),
        },
    }


def main(args: argparse.Namespace) -> dict[str, Any]:
    reports = args.projects * args.indicators * args.periods
    data = audit_data(reports, args.sample, seed=1)
    seconds, alone, result = bench_verification(data)
    totals = np.random.default_rng(2).uniform(5000, 15000, reports)
    return {
        "projects": args.projects,
        "indicators": args.indicators,
        "periods": args.periods,
        "reports": reports,
        "sampled_units": int(data["reported"].size),
        "verification_seconds": round(seconds, 3),
        "ratio_alone_seconds": round(alone, 3),
        "verification_mean_factor": round(float(result.factor.mean()), 5),
        "payment": bench_payments(result, totals),
        "draw": bench_draws(args.draws),
        "calibration": bench_calibration(args.finished, seed=3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", type=int, nargs="?", default=10_000)
    parser.add_argument("--indicators", type=int, default=5)
    parser.add_argument("--periods", type=int, default=8)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--finished", type=int, default=5_000)
    parser.add_argument("--draws", type=int, default=2_000)
    json.dump(main(parser.parse_args()), sys.stdout, indent=2)
    print()
