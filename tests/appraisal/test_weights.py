"""Exact, interval and ranked weights."""

from __future__ import annotations

import numpy as np
import pytest

from pfund.appraisal import ExactWeights, IntervalWeights, RankedWeights, rank_order_centroid

NAMES = ("a", "b", "c")


def test_rank_order_centroid_for_three_criteria() -> None:
    """Barron and Barrett (1996), Table 1: ROC weights for m = 3 are 11/18, 5/18, 2/18."""
    np.testing.assert_allclose(rank_order_centroid(3), np.array([11, 5, 2]) / 18)


def test_ranked_extreme_points_and_weights_follow_criteria_order() -> None:
    ranked = RankedWeights.of(["c", "a", "b"], NAMES)
    np.testing.assert_allclose(ranked.point(), np.array([5, 2, 11]) / 18)
    np.testing.assert_allclose(
        ranked.extreme_points(), np.array([[0, 0, 1], [0.5, 0, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    )


def test_ranked_samples_respect_the_ranking() -> None:
    w = RankedWeights.of(["a", "b", "c"], NAMES).sample(1_000, seed=1)
    assert np.all(w[:, 0] >= w[:, 1]) and np.all(w[:, 1] >= w[:, 2])
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    np.testing.assert_allclose(w.mean(axis=0), rank_order_centroid(3), atol=0.02)


def test_interval_vertices_samples_and_point_are_feasible() -> None:
    box = IntervalWeights.of({"a": (0.2, 0.6), "b": (0.1, 0.5), "c": (0.1, 0.3)}, NAMES)
    vertices = box.extreme_points()
    np.testing.assert_allclose(vertices.sum(axis=1), 1.0)
    assert len(vertices) >= 3
    for w in (*vertices, box.point(), *box.sample(500, seed=2)):
        assert np.all(w >= np.array(box.low) - 1e-9) and np.all(w <= np.array(box.high) + 1e-9)


def test_interval_validation() -> None:
    with pytest.raises(ValueError, match="low <= high"):
        IntervalWeights.of({"a": (0.5, 0.4), "b": (0, 1), "c": (0, 1)}, NAMES)
    with pytest.raises(ValueError, match="sum to 1"):
        IntervalWeights.of({"a": (0.5, 0.6), "b": (0.4, 0.5), "c": (0.2, 0.3)}, NAMES)


def test_exact_weights_validation_lists_valid_criteria() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        ExactWeights.of({"a": 0.5, "b": 0.3, "c": 0.3}, NAMES)
    with pytest.raises(ValueError, match="valid: a, b, c"):
        ExactWeights.of({"a": 0.5, "b": 0.5, "z": 0.0}, NAMES)
    with pytest.raises(ValueError, match="valid: a, b, c"):
        RankedWeights.of(["a", "x", "c"], NAMES)
    assert ExactWeights.of({"a": 0.5, "b": 0.3, "c": 0.2}, NAMES).sample(4, seed=0).shape == (4, 3)
