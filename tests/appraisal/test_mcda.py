"""Criteria loading, the criteria matrix and additive project values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from pfund.appraisal import (
    appraise,
    criteria_matrix,
    load_criteria,
    parse_criteria,
    pipeline_values,
    project_values,
)
from pfund.appraisal.mcda import CriteriaMatrix
from pfund.errors import InvalidInput
from pfund.io.dataset import bundled_dataset, load_dataset
from tests.appraisal.helpers import make_project

CRITERIA = bundled_dataset() / "criteria.yaml"


def _spec() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(CRITERIA.read_text(encoding="utf-8"))
    return data


def _problem(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_criteria(data, source="criteria.yaml")
    problem = caught.value.problems[0]
    assert problem.file == "criteria.yaml"
    return f"{problem.field}: {problem.reason}"


def test_default_criteria_load_with_all_three_kinds_of_weights() -> None:
    criteria = load_criteria(CRITERIA)
    assert "net_benefit" in criteria.names
    assert criteria.point.point().sum() == pytest.approx(1.0)
    assert criteria.intervals is not None and criteria.ranking is not None
    assert len(criteria.intervals.extreme_points()) > 1


def test_loader_errors_name_the_field_and_the_valid_choices() -> None:
    data = _spec()
    data["criteria"]["net_benefit"]["source"] = "vibes"
    assert _problem(data).startswith("criteria.net_benefit.source: got 'vibes'; choose one of")
    data = _spec()
    data["weights"]["point"]["net_benefit"] = 0.9
    assert _problem(data).startswith("weights.point: weights must sum to 1")
    data = _spec()
    data["weights"]["ranking"][0] = "charisma"
    assert "valid: net_benefit" in _problem(data)
    data = _spec()
    data["weights"]["intervals"]["net_benefit"] = [0.5, 0.3]
    assert _problem(data).startswith("weights.intervals: interval for 'net_benefit'")
    data = _spec()
    data["criteria"]["net_benefit"]["value_function"] = {"points": [[1, 0], [0, 1]]}
    assert "strictly increasing" in _problem(data)


@pytest.mark.parametrize("kept", ["intervals", "ranking"])
def test_any_documented_weight_form_works_alone(kept: str) -> None:
    """Only intervals or only a ranking: the run's weights are the point that form implies."""
    data = _spec()
    data["weights"] = {kept: data["weights"][kept]}
    criteria = parse_criteria(data, source="criteria.yaml")
    known = criteria.intervals if kept == "intervals" else criteria.ranking
    assert known is not None
    assert criteria.point.point() == pytest.approx(known.point())
    assert criteria.point.point().sum() == pytest.approx(1.0)
    if kept == "ranking":  # rank-order centroid: the first criterion weighs most
        assert criteria.point.values[criteria.names.index("net_benefit")] == max(
            criteria.point.values
        )


def test_no_weights_at_all_names_the_forms_to_give() -> None:
    data = _spec()
    data["weights"] = {}
    assert _problem(data) == (
        "weights: give weights.point, weights.intervals or weights.ranking (any one is enough)"
    )


def test_loader_reports_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_text("criteria: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"cannot read criteria\.yaml"):
        load_criteria(path)


def _pipeline() -> tuple[list[Any], CriteriaMatrix]:
    criteria = load_criteria(CRITERIA)
    projects = [
        make_project(
            "GOV-1",
            area="governance",
            regions=["RU-CHU"],
            benefits={"b": {"per_year": [5, 10, 15], "from": 2027, "years": 10}},
            outcomes={"people_trained": [100, 200, 300]},
        ),
        make_project(
            "TRN-1",
            regions=["RU-MOW"],
            risk="high",
            benefits={"b": {"per_year": [10, 20, 30], "from": 2027, "years": 10}},
            scores={"democratic_governance": 1.0},
        ),
    ]
    appraisals = {p.id: appraise(p, rate=0.06, base_year=2026) for p in projects}
    matrix = criteria_matrix(
        projects, criteria, appraisals=appraisals, regions=load_dataset().regions
    )
    return projects, matrix


def test_criteria_matrix_levels_are_absolute_contributions() -> None:
    _, m = _pipeline()
    col = {name: j for j, name in enumerate(m.criteria)}
    pv_cost = 100 / 1.0  # capital of 2026, the base year
    assert m.levels[0, col["people_reached"]] == pytest.approx(200)
    assert m.levels[0, col["democratic_governance"]] == pytest.approx(0.6 * pv_cost)
    assert m.levels[1, col["democratic_governance"]] == pytest.approx(0.1 * pv_cost)
    assert m.levels[0, col["regional_equity"]] == pytest.approx(pv_cost)  # Chukotka is small
    assert m.levels[1, col["regional_equity"]] == 0.0  # Moscow is not
    assert m.levels[1, col["cost_at_risk"]] == pytest.approx(0.3 * pv_cost)


def test_values_are_additive_and_nothing_is_worth_nothing() -> None:
    _, m = _pipeline()
    criteria = load_criteria(CRITERIA)
    nothing = np.zeros((1, m.levels.shape[1]))
    both = m.levels.sum(axis=0, keepdims=True)
    stacked = CriteriaMatrix(
        ("A", "B", "0", "A+B"), m.criteria, np.vstack([m.levels, nothing, both])
    )
    w = criteria.point.point()
    v = project_values(stacked, criteria, w)
    assert v[2] == 0.0
    assert v[3] == pytest.approx(v[0] + v[1])
    assert criteria.intervals is not None
    many = project_values(stacked, criteria, criteria.intervals.extreme_points())
    assert many.shape[1] == 4
    np.testing.assert_allclose(many[:, 3], many[:, 0] + many[:, 1])


def test_value_scores_are_used_as_is_and_never_mixed() -> None:
    projects, m = _pipeline()
    criteria = load_criteria(CRITERIA)
    scored = [
        p.model_copy(update={"value_score": s}) for p, s in zip(projects, (3.0, 4.5), strict=True)
    ]
    assert pipeline_values(scored, m, criteria).tolist() == [3.0, 4.5]
    assert pipeline_values(projects, m, criteria).shape == (2,)
    mixed = [scored[0], projects[1]]
    with pytest.raises(InvalidInput) as caught:
        pipeline_values(mixed, m, criteria)
    assert "TRN-1" in str(caught.value)
