"""How often the verification factor's interval covers the true factor; prints JSON.

Usage: python bench/verification_coverage.py [--audits 2000] [--units 600] [--sample 240]
       [--strata 1] [--redrawn] [--seed 2026]

Four populations of ``--units`` reported units (issue 15's statistical test):

* ``gamma``: sizes Gamma(2, 50), each recount a Beta(18, 2) share of the report;
* ``gamma+invented``: the same with 5% of the units invented (reported, recount 0);
* ``lognormal+invented``: sizes LogNormal(4, 1), 5% invented;
* ``pareto+invented``: sizes 10 (1 + Lomax(1.5)), heavy-tailed, 5% invented.

Each audit draws ``--sample`` units by simple random sampling without replacement
(proportionally from ``--strata`` equal strata) and computes the 95% interval by the
linearised ratio alone (:func:`combined_ratio`, the method before the split) and by the
split (:func:`split_ratio`, what :func:`verification_factor` uses). One population per
shape, audited ``--audits`` times (design-based); ``--redrawn``: a new population per
audit. Coverage is the share of audits whose interval holds the population's factor;
``low_misses`` are the audits whose lower bound lay above it (paying on it overpays).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from pfund.results.verification import RatioArrays, combined_ratio, split_ratio

SHAPES = ("gamma", "gamma+invented", "lognormal+invented", "pareto+invented")


def population(shape: str, rng: np.random.Generator, size: tuple[int, ...]) -> Any:
    """Reported and true values, ``size`` = (populations, units)."""
    if shape.startswith("gamma"):
        x = rng.gamma(2.0, 50.0, size)
    elif shape.startswith("lognormal"):
        x = rng.lognormal(4.0, 1.0, size)
    else:
        x = 10.0 * (1.0 + rng.pareto(1.5, size))
    y = x * rng.beta(18, 2, size)
    if shape.endswith("+invented"):
        invented = rng.random(size).argsort(axis=-1)[..., : round(0.05 * size[-1])]
        np.put_along_axis(y, invented, 0.0, axis=-1)
    return x, y


def audits(shape: str, args: argparse.Namespace) -> tuple[dict[str, Any], Any]:
    """The sampled rows of every audit, laid out for the vectorised estimators."""
    rng = np.random.default_rng(args.seed)
    count, units, strata = args.audits, args.units, args.strata
    x, y = population(shape, rng, (count if args.redrawn else 1, units))
    x, y = np.broadcast_to(x, (count, units)), np.broadcast_to(y, (count, units))
    per, take = units // strata, args.sample // strata
    picks = [
        np.arange(h, strata * per, strata)[rng.random((count, per)).argsort(axis=1)[:, :take]]
        for h in range(strata)
    ]
    rows = np.concatenate(picks, axis=1)
    report = np.repeat(np.arange(count), strata * take)
    layout = {
        "report": report,
        "stratum": report * strata + np.tile(np.repeat(np.arange(strata), take), count),
        "reported": np.take_along_axis(x, rows, axis=1).ravel(),
        "recounted": np.take_along_axis(y, rows, axis=1).ravel(),
        "stratum_population": np.full(count * strata, per),
        "stratum_report": np.repeat(np.arange(count), strata),
        "reports": count,
    }
    members = np.arange(strata * per)
    true = y[:, members].sum(axis=1) / x[:, members].sum(axis=1)
    return layout, true


def coverage(result: RatioArrays, true: Any) -> dict[str, float]:
    covered = (result.lower <= true) & (true <= result.upper)
    return {
        "coverage": round(float(covered.mean()), 4),
        "low_misses": round(float((result.lower > true).mean()), 4),
        "high_misses": round(float((result.upper < true).mean()), 4),
        "median_width": round(float(np.median(result.upper - result.lower)), 4),
    }


def main(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "audits": args.audits,
        "units": args.units,
        "sample": args.sample,
        "strata": args.strata,
        "populations": "one per audit" if args.redrawn else "one per shape",
        "seed": args.seed,
    }
    for shape in SHAPES:
        layout, true = audits(shape, args)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[shape] = {
                "ratio_alone": coverage(combined_ratio(**layout), true),
                "split": coverage(split_ratio(**layout), true),
            }
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=2000)
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--sample", type=int, default=240)
    parser.add_argument("--strata", type=int, default=1)
    parser.add_argument("--redrawn", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    json.dump(main(parser.parse_args()), sys.stdout, indent=2)
    print()
