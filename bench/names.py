"""Measure the name scorer on the OpenSanctions name benchmark and print JSON.

Usage: python bench/names.py [CASES_CSV] [--fit]

CASES_CSV defaults to ../shared/data/benchmarks/names/cases.csv (relative to the repo
root), falling back to tests/cases/names_cases.csv. With --fit, also refits the weights
on the even rows and prints them with the metrics on the odd rows.
"""

import json
import sys
import time
from pathlib import Path

from pfund.screening import lexicon
from pfund.screening.calibrate import (
    Case,
    Metrics,
    best_threshold,
    design,
    fit,
    measure,
    parse_cases,
    predict,
    split,
)
from pfund.screening.score import FEATURES, THRESHOLD, score

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "benchmarks" / "names" / "cases.csv"
FALLBACK = ROOT / "tests" / "cases" / "names_cases.csv"


def cases_path(argv: list[str]) -> Path:
    """The benchmark file named on the command line, else the shared one, else the copy."""
    named = [arg for arg in argv if not arg.startswith("--")]
    if named:
        return Path(named[0])
    return DEFAULT if DEFAULT.exists() else FALLBACK


def metrics_json(metrics: Metrics) -> dict[str, object]:
    """Metrics rounded for printing."""
    return {
        "threshold": round(float(metrics.threshold), 4),
        "precision": round(metrics.precision, 4),
        "recall": round(metrics.recall, 4),
        "f1": round(metrics.f1, 4),
        "tie_share": round(metrics.tie_share, 4),
        "pairs": metrics.pairs,
    }


def evaluate(cases: list[Case]) -> dict[str, object]:
    """Score every case with the shipped weights; report metrics and speed (rigour's
    taggers are loaded first and timed apart: a one-off cost of a process)."""
    started = time.perf_counter()
    lexicon.load()
    loading = time.perf_counter() - started
    started = time.perf_counter()
    scores = [score(case.name1, case.name2, case.schema) for case in cases]
    elapsed = time.perf_counter() - started
    labels = [case.is_match for case in cases]
    result: dict[str, object] = metrics_json(measure(scores, labels, THRESHOLD))
    test_half = measure(scores[1::2], labels[1::2], THRESHOLD)
    result["test_half"] = metrics_json(test_half)
    result["pairs_per_second"] = round(len(cases) / elapsed, 1)
    result["lexicon_load_seconds"] = round(loading, 2)
    return result


def refit(cases: list[Case]) -> dict[str, object]:
    """Refit the weights on the even rows; report them and the odd-row metrics."""
    train, test = split(cases)
    x, y = design(train)
    weights = fit(x, y)
    threshold = best_threshold(predict(weights, x), [bool(v) for v in y])
    x_test, y_test = design(test)
    test_scores = predict(weights, x_test)
    names = ["bias"] + [feature.__name__ for feature, _ in FEATURES]
    return {
        "weights": {name: round(float(w), 2) for name, w in zip(names, weights, strict=True)},
        "test_half": metrics_json(measure(test_scores, [bool(v) for v in y_test], threshold)),
    }


def main(argv: list[str]) -> None:
    """Print the benchmark JSON."""
    path = cases_path(argv)
    cases = parse_cases(path.read_text(encoding="utf-8").splitlines())
    result = {"cases": str(path), **evaluate(cases)}
    if "--fit" in argv:
        result["fit"] = refit(cases)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
