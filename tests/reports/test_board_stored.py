"""The board report reads the stored appraisal of its inputs (issue 18, point 6).

`pfund appraise` records each project's figures and the NPV draws the report's
robustness reads; the report built from that record has the very numbers of a report
that appraises again (same seed), and never runs the appraisal. With no record of the
current inputs it appraises again and says so.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import pytest

from pfund.reports.board import BoardReport, build_report, render
from pfund.services.appraisal import (
    appraise_pipeline,
    current_appraisal,
    load_inputs,
    record_appraisal,
    stored_appraisal,
)
from pfund.services.runtime import Runtime, open_runtime
from tests.api.conftest import settings_for


@pytest.fixture
def rt(demo_template: Path, tmp_path: Path) -> Any:
    shutil.copy(demo_template, tmp_path / "pfund.db")
    runtime = open_runtime(settings_for(f"sqlite:///{tmp_path / 'pfund.db'}"))
    yield runtime
    runtime.close()


def _build(rt: Runtime) -> BoardReport:
    pa = current_appraisal(rt, load_inputs(rt))
    return build_report(rt, pa, run_id="OPT-0001", robust_weights=2)


def _figures(r: BoardReport) -> str:
    """Every figure of the report that comes from the appraisal or the analyses, as
    JSON (a project without a rate of return has NaN, which equals nothing in Python)."""
    figures = {
        "rows": [row.model_dump() for row in r.rows],
        "robust": r.robust.model_dump(exclude={"seconds", "appraisal_record"}),
        "criteria": r.criteria,
        "draws": (r.draws, r.seed, r.discount_rate, r.hurdle, r.marginal),
        "scenarios": r.money.scenarios.model_dump(),
        "learning": repr(r.learning),
    }
    return json.dumps(figures, sort_keys=True)


def _same_frontier(a: BoardReport, b: BoardReport) -> int:
    """The frontier points both reports solved to optimality have the same cost and
    value; how many there were. (A point a loaded machine stops at its time limit is
    "feasible" in one report and "optimal" in the other: that is the solver's clock,
    not the appraisal.)"""
    left, right = a.frontier.model_dump()["budget"], b.frontier.model_dump()["budget"]
    assert [p["budget_total"] for p in left] == [p["budget_total"] for p in right]
    both = [
        (p, q) for p, q in zip(left, right, strict=True) if p["status"] == q["status"] == "optimal"
    ]
    for p, q in both:
        assert (p["cost"], p["value"]) == (q["cost"], q["value"])
    return len(both)


def _refuse(*_: object, **__: object) -> NoReturn:
    raise AssertionError("the report ran the appraisal")


def test_the_report_reads_the_stored_appraisal_with_the_same_numbers(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No appraisal of these inputs is stored yet: the report appraises and says so.
    assert stored_appraisal(rt, load_inputs(rt)) is None
    again = _build(rt)
    assert again.appraisal_record is None
    assert "No stored appraisal matches these inputs" in render(again, "en")
    assert "Ни одна сохранённая оценка" in render(again, "ru")

    inputs = load_inputs(rt)
    recorded = record_appraisal(rt, inputs, appraise_pipeline(inputs))
    # Recording moved the projects to *appraised*: the appraisal's inputs are the same.
    assert {p.status for p in load_inputs(rt).projects} != {p.status for p in inputs.projects}

    with monkeypatch.context() as patch:  # the stored path never runs the appraisal
        patch.setattr("pfund.services.appraisal.simulate", _refuse)
        patch.setattr("pfund.services.appraisal.appraise_pipeline", _refuse)
        patch.setattr("pfund.reports.board.appraise_pipeline", _refuse)
        stored = _build(rt)
    assert stored.appraisal_record == recorded.record_id
    assert _figures(stored) == _figures(again)
    assert _same_frontier(stored, again) >= len(again.frontier.budget) // 2
    en, ru = render(stored, "en"), render(stored, "ru")
    assert f"read from appraisal {recorded.record_id}" in en
    assert f"взяты из оценки {recorded.record_id}" in ru
    assert "No stored appraisal" not in en


def test_changed_inputs_or_other_draws_appraise_again(rt: Runtime) -> None:
    inputs = load_inputs(rt)
    record_appraisal(rt, inputs, appraise_pipeline(inputs))
    # The record kept the draws of the report's 40 value draws, not of 5: appraise again.
    pa = current_appraisal(rt, load_inputs(rt))
    assert pa.record_id is not None
    other = build_report(rt, pa, run_id="OPT-0001", robust_draws=5, robust_weights=0)
    assert other.appraisal_record is None
    # Another draw count in the policy is another input: no stored appraisal matches.
    changed = load_inputs(rt)
    policy = changed.policy.model_copy(update={"draws": changed.policy.draws + 1})
    assert stored_appraisal(rt, replace(changed, policy=policy)) is None


def test_optimise_reads_the_stored_appraisal_and_chooses_the_same(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pfund.services.portfolio import run_portfolio
    from pfund.services.records import get_record

    inputs = load_inputs(rt)
    fresh = appraise_pipeline(inputs)
    recorded = record_appraisal(rt, inputs, fresh)
    before, problem = run_portfolio(rt, fresh, time_limit=10)
    with monkeypatch.context() as patch:
        patch.setattr("pfund.services.appraisal.simulate", _refuse)
        stored = current_appraisal(rt, load_inputs(rt))
    after, again = run_portfolio(rt, stored, time_limit=10)
    assert stored.record_id == recorded.record_id
    assert (again.value == problem.value).all() and again.ids == problem.ids
    assert after.selected == before.selected
    record = get_record(rt, after.record_id, kind="portfolio")
    assert record.parameters["appraisal_record"] == recorded.record_id


def test_robust_reads_the_stored_appraisal_with_the_same_values(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`portfolio robust` (default draws) re-optimises for the very value rows of a fresh
    appraisal, read from the record, and never runs the Monte Carlo."""
    from pfund.reports.scale import ROBUST_DRAWS
    from pfund.services.analysis import robustness, value_rows
    from pfund.services.records import get_record

    inputs = load_inputs(rt)
    fresh = appraise_pipeline(inputs)
    recorded = record_appraisal(rt, inputs, fresh)
    with monkeypatch.context() as patch:
        patch.setattr("pfund.services.appraisal.simulate", _refuse)
        patch.setattr("pfund.services.appraisal.appraise_pipeline", _refuse)
        stored = current_appraisal(rt, load_inputs(rt), draws=ROBUST_DRAWS)
        kw = {"draws": ROBUST_DRAWS, "weight_sets": 3, "seed": inputs.policy.seed}
        assert (value_rows(stored, **kw) == value_rows(fresh, **kw)).all()
        report = robustness(
            rt, stored, record_id="OPT-0001", draws=ROBUST_DRAWS, weight_sets=3, record=True
        )
    assert stored.record_id == recorded.record_id == report.appraisal_record
    assert report.value_draws == ROBUST_DRAWS and report.re_optimisations > ROBUST_DRAWS
    saved = get_record(rt, report.record_id, kind="robust")
    assert saved.parameters["appraisal_record"] == recorded.record_id
    # more draws than the record kept: appraised again (the patched Monte Carlo refuses)
    monkeypatch.setattr("pfund.services.appraisal.simulate", _refuse)
    with pytest.raises(AssertionError, match="ran the"):
        current_appraisal(rt, load_inputs(rt), draws=fresh.simulation.draws)


def test_the_robust_command_reads_the_stored_appraisal(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from pfund.cli.app import app

    inputs = load_inputs(rt)
    recorded = record_appraisal(rt, inputs, appraise_pipeline(inputs))
    monkeypatch.setattr("pfund.services.appraisal.simulate", _refuse)
    url = f"sqlite:///{tmp_path / 'pfund.db'}"
    args = ["--db", url, "portfolio", "robust", "--weight-sets", "2", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["appraisal_record"] == recorded.record_id
