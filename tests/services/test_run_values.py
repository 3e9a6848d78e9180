"""Robustness of a stored run after the pipeline changed: values laid over its projects."""

from __future__ import annotations

import numpy as np

from pfund.portfolio import BudgetPoint, Status, build_problem
from pfund.services.analysis import NO_PORTFOLIO, _budget_point, on_run_projects


def test_rows_follow_the_run_projects_and_keep_recorded_values_of_the_gone() -> None:
    problem = build_problem(
        {
            "A": {"value": 0.5, "cost": {2030: 10.0}},
            "B": {"value": 0.25, "cost": {2030: 10.0}},
        },
        {2030: 15.0},
    )
    current = np.array([[0.9, 0.1, 0.7], [0.8, 0.2, 0.6]])  # today: C, A, new N
    rows = on_run_projects(current, ["A", "N", "C"], problem)
    assert rows.shape == (2, 2)
    assert rows[:, 0].tolist() == [0.9, 0.8]  # A: today's values of the same project
    assert rows[:, 1].tolist() == [0.25, 0.25]  # B: gone from the pipeline, value as recorded


def test_a_budget_without_a_portfolio_says_so_in_words() -> None:
    point = BudgetPoint(
        factor=0.1,
        budget=(1.0,),
        value=float("nan"),
        cost=float("nan"),
        status=Status.INFEASIBLE,
        gap=float("inf"),
        selected=np.zeros(2, dtype=bool),
    )
    shown = _budget_point(point)
    assert shown.value is None and shown.cost is None
    assert shown.answer == NO_PORTFOLIO
    assert "nan" not in shown.model_dump_json().lower()
