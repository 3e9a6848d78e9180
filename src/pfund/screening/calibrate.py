"""Fit the feature weights and measure the scorer on labelled pairs of names."""

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pfund.screening.score import FEATURES, best_alignment, feature_values


@dataclass(frozen=True)
class Case:
    """A labelled pair of names from a benchmark."""

    schema: str
    name1: str
    name2: str
    is_match: bool


@dataclass(frozen=True)
class Metrics:
    """Precision, recall and F1 at a threshold, and the share of exactly tied scores."""

    threshold: float
    precision: float
    recall: float
    f1: float
    tie_share: float
    pairs: int


def parse_cases(lines: Iterable[str]) -> list[Case]:
    """Read cases from CSV lines with columns schema, name1, name2, is_match."""
    return [
        Case(row["schema"], row["name1"], row["name2"], row["is_match"].lower() == "true")
        for row in csv.DictReader(lines)
    ]


def split(cases: Sequence[Case]) -> tuple[list[Case], list[Case]]:
    """Deterministic halves: rows with an even index fit, rows with an odd index test."""
    return list(cases[0::2]), list(cases[1::2])


def design(cases: Sequence[Case]) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and label vector for the cases."""
    rows: list[list[float]] = []
    for case in cases:
        alignment = best_alignment(case.name1, case.name2, case.schema)
        rows.append(feature_values(alignment) if alignment else [0.0] * len(FEATURES))
    labels = [float(case.is_match) for case in cases]
    return np.array(rows, dtype=float), np.array(labels, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, *, l2: float = 0.1, steps: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method with a ridge penalty; returns
    ``[bias, w1, ..., wn]``."""
    data = np.hstack([np.ones((x.shape[0], 1)), x])
    weights = np.zeros(data.shape[1])
    penalty = l2 * np.eye(data.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-data @ weights))
        gradient = data.T @ (p - y) + penalty @ weights
        hessian = (data.T * (p * (1 - p))) @ data + penalty
        weights = weights - np.linalg.solve(hessian, gradient)
    return weights


def predict(weights: np.ndarray, x: np.ndarray) -> list[float]:
    """Scores of the rows of ``x`` under ``[bias, w1, ..., wn]``."""
    return [float(v) for v in 1.0 / (1.0 + np.exp(-(weights[0] + x @ weights[1:])))]


def best_threshold(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The threshold that maximises F1 on these scores, placed midway between the lowest
    score it accepts and the next lower observed score: any threshold in that gap splits
    these pairs alike, and the middle of the gap leaves new pairs the widest margin on
    either side (as a maximum-margin classifier would)."""
    observed = sorted(set(scores))
    best = max(observed, key=lambda t: measure(scores, labels, t).f1)
    below = [score for score in observed if score < best]
    return (best + below[-1]) / 2 if below else best


def tie_share(scores: Sequence[float]) -> float:
    """Share of pairs whose score exactly equals the score of another pair."""
    counts = Counter(scores)
    return sum(n for n in counts.values() if n > 1) / max(len(scores), 1)


def measure(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> Metrics:
    """Precision, recall, F1 and ties of scores against labels at a threshold."""
    predicted = [s >= threshold for s in scores]
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    precision = tp / max(sum(predicted), 1)
    recall = tp / max(sum(labels), 1)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return Metrics(threshold, precision, recall, f1, tie_share(scores), len(scores))
