"""Criteria of multi-criteria value, their value functions and weights, and their loader.

A criterion turns each project into one number (its *level*), measured as an absolute
contribution (USD, people, governance-weighted dollars) so that a portfolio's level is
the sum of its projects' levels; see :mod:`pfund.appraisal.mcda` for why. A value
function maps a level to [0, 1]: linear between a worst and a best level, or piecewise
linear through given points (concave for diminishing returns, say).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import yaml

from pfund.appraisal.schedule import FloatArray
from pfund.appraisal.weights import ExactWeights, IntervalWeights, RankedWeights
from pfund.errors import InvalidInput, Problem

__all__ = [
    "SOURCES",
    "CriteriaSet",
    "Criterion",
    "ValueFunction",
    "ValueMode",
    "load_criteria",
]

Direction = Literal["max", "min"]
ValueMode = Literal["criteria", "score", "auto"]
SOURCES = ("expected_npv", "outcomes", "score", "regional_equity", "risk")
_DIRECTIONS: tuple[str, ...] = get_args(Direction)
_MODES: tuple[str, ...] = get_args(ValueMode)


@dataclass(frozen=True)
class ValueFunction:
    """Piecewise linear through ``(level, value)`` points, flat beyond the ends.

    With no points, it is linear between the pipeline's worst and best levels, the
    baseline (a project's absence, level 0) included, so that "no project" is never
    outside the scale.
    """

    points: tuple[tuple[float, float], ...] = ()

    def resolve(self, levels: FloatArray, direction: Direction) -> ValueFunction:
        """Fix default points from the pipeline's levels."""
        if self.points:
            return self
        lo, hi = min(0.0, float(levels.min(initial=0.0))), max(0.0, float(levels.max(initial=0.0)))
        if hi == lo:
            hi = lo + 1.0  # every level equal: any scale gives every project the same value
        ends = ((lo, 0.0), (hi, 1.0)) if direction == "max" else ((lo, 1.0), (hi, 0.0))
        return ValueFunction(ends)

    def __call__(self, levels: FloatArray) -> FloatArray:
        if not self.points:
            raise ValueError("resolve() the value function against the pipeline first")
        x, v = zip(*self.points, strict=True)
        return np.asarray(np.interp(levels, x, v), dtype=np.float64)


@dataclass(frozen=True)
class Criterion:
    """One criterion: where its level comes from, which way is better, how it is valued."""

    name: str
    source: str
    direction: Direction = "max"
    label: str = ""
    unit: str = ""
    value_function: ValueFunction = field(default_factory=ValueFunction)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CriteriaSet:
    """The fund's criteria and what is known of their weights."""

    criteria: tuple[Criterion, ...]
    point: ExactWeights
    intervals: IntervalWeights | None = None
    ranking: RankedWeights | None = None
    value_mode: ValueMode = "auto"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.criteria)


def load_criteria(path: Path) -> CriteriaSet:
    """Read and validate a criteria file; every problem names the file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InvalidInput(f"cannot read {path.name}", [Problem(str(err), path.name)]) from None
    return parse_criteria(data, source=path.name)


def parse_criteria(data: Any, *, source: str = "criteria") -> CriteriaSet:
    """Build a :class:`CriteriaSet` from parsed YAML or JSON; InvalidInput if wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), dict):
        raise _invalid(source, "criteria", "expected a mapping 'criteria: {name: {...}}'")
    criteria = tuple(_criterion(name, spec, source) for name, spec in data["criteria"].items())
    names = [c.name for c in criteria]
    weights = data.get("weights") or {}
    mode = data.get("value_mode", "auto")
    if mode not in _MODES:
        raise _invalid(source, "value_mode", f"got {mode!r}; choose one of {', '.join(_MODES)}")
    intervals, ranking = _intervals(weights, source, names), _ranking(weights, source, names)
    return CriteriaSet(
        criteria=criteria,
        point=_point(weights, source, names, intervals or ranking),
        intervals=intervals,
        ranking=ranking,
        value_mode=mode,
    )


def _point(
    weights: Mapping[str, Any],
    source: str,
    names: Sequence[str],
    known: IntervalWeights | RankedWeights | None,
) -> ExactWeights:
    """The weights a single run uses: given exactly, or the point the other forms imply.

    Every documented form works alone: with only intervals the point is their centre
    (normalised, kept inside the box), with only a ranking the rank-order centroid
    weights; the robustness analysis still uses the whole interval or ranked set.
    """
    if "point" in weights:
        given: ExactWeights = _weights(
            source, "weights.point", lambda: ExactWeights.of(weights["point"], names)
        )
        return given
    if known is None:
        reason = "give weights.point, weights.intervals or weights.ranking (any one is enough)"
        raise _invalid(source, "weights", reason)
    centre = known.point()
    # Rounding the implied point to a sum of exactly 1 keeps ExactWeights' check honest.
    return ExactWeights(tuple(names), tuple(float(w) for w in centre / centre.sum()))


def _criterion(name: str, spec: Any, source: str) -> Criterion:
    where = f"criteria.{name}"
    if not isinstance(spec, dict):
        raise _invalid(source, where, "expected a mapping of the criterion's settings")
    kind, direction = spec.get("source"), spec.get("direction", "max")
    if kind not in SOURCES:
        raise _invalid(source, f"{where}.source", f"got {kind!r}; choose one of {SOURCES}")
    if direction not in _DIRECTIONS:
        raise _invalid(source, f"{where}.direction", f"got {direction!r}; choose max or min")
    known = {"source", "direction", "label", "unit", "value_function"}
    return Criterion(
        name=name,
        source=kind,
        direction=direction,
        label=str(spec.get("label", "")),
        unit=str(spec.get("unit", "")),
        value_function=_value_function(spec.get("value_function"), source, where),
        options={k: v for k, v in spec.items() if k not in known},
    )


def _value_function(spec: Any, source: str, where: str) -> ValueFunction:
    """``{worst: x, best: y}`` or ``{points: [[level, value], ...]}``; none = pipeline."""
    if spec is None:
        return ValueFunction()
    try:
        if "points" in spec:
            points = tuple((float(x), float(v)) for x, v in spec["points"])
        else:
            worst, best = float(spec["worst"]), float(spec["best"])
            points = tuple(sorted([(worst, 0.0), (best, 1.0)]))
    except (KeyError, TypeError, ValueError):
        message = "give {worst: x, best: y} or {points: [[level, value], ...]}"
        raise _invalid(source, f"{where}.value_function", message) from None
    levels = [x for x, _ in points]
    if len(points) < 2 or levels != sorted(set(levels)):
        message = "needs two or more points with strictly increasing levels"
        raise _invalid(source, f"{where}.value_function", message)
    return ValueFunction(points)


def _intervals(
    weights: Mapping[str, Any], source: str, names: Sequence[str]
) -> IntervalWeights | None:
    if "intervals" not in weights:
        return None
    bounds = weights["intervals"]
    built = _weights(source, "weights.intervals", lambda: IntervalWeights.of(bounds, names))
    return built if isinstance(built, IntervalWeights) else None


def _ranking(weights: Mapping[str, Any], source: str, names: Sequence[str]) -> RankedWeights | None:
    if "ranking" not in weights:
        return None
    order = weights["ranking"]
    built = _weights(source, "weights.ranking", lambda: RankedWeights.of(order, names))
    return built if isinstance(built, RankedWeights) else None


def _weights(source: str, where: str, build: Any) -> Any:
    """Turn a weight class's ValueError (or a malformed entry) into a located problem."""
    try:
        return build()
    except KeyError as err:
        raise _invalid(source, where, f"missing {err.args[0]!r}") from None
    except (ValueError, TypeError, IndexError) as err:
        raise _invalid(source, where, str(err)) from None


def _invalid(source: str, where: str, reason: str) -> InvalidInput:
    return InvalidInput(f"invalid criteria in {source}", [Problem(reason, source, None, where)])
