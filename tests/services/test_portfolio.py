"""Portfolio runs on the stored pipeline: recorded, reproducible, explained, and refusing
bad policies with reasons instead of stack traces."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pfund.errors import InvalidInput
from pfund.io.dataset import bundled_dataset
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.portfolio import rerun, run_portfolio
from pfund.services.runtime import Runtime


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


def policy_file(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load((bundled_dataset() / "policy.yaml").read_text("utf-8"))
    data.update(changes)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_portfolio_respects_budgets_and_beats_or_equals_ranking(demo: Runtime) -> None:
    pa = appraise_pipeline(load_inputs(demo))
    report, problem = run_portfolio(demo, pa)
    assert report.status == "optimal"
    assert all(y.used <= y.budget + 1e-6 for y in report.years)
    assert report.gain_over_greedy is not None and report.gain_over_greedy >= -1e-9
    chosen = set(report.selected)
    for i, j in problem.excludes:
        assert not {problem.ids[i], problem.ids[j]} <= chosen
    for i, j in problem.depends:
        assert problem.ids[i] not in chosen or problem.ids[j] in chosen
    with demo.uow() as uow:
        assert uow.decisions.get(report.record_id) is not None
        assert [e.action for e in uow.audit.list(record_id=report.record_id)] == ["portfolio.run"]


def test_recorded_run_reruns_exactly_even_after_the_pipeline_changes(
    demo: Runtime, tmp_path: Path
) -> None:
    report, _ = run_portfolio(demo, appraise_pipeline(load_inputs(demo)))
    run_portfolio(
        demo, appraise_pipeline(load_inputs(demo, policy_file=policy_file(tmp_path, max_stage=1)))
    )
    again = rerun(demo, report.record_id)
    assert again.reproduced and again.same_selection and again.differences == []


def test_max_stage_keeps_later_stages_out(demo: Runtime, tmp_path: Path) -> None:
    inputs = load_inputs(demo, policy_file=policy_file(tmp_path, max_stage=1))
    report, _ = run_portfolio(demo, appraise_pipeline(inputs))
    stage = {p.id: p.stage for p in inputs.projects}
    assert report.selected and all(stage[pid] <= 1 for pid in report.selected)


def test_infeasible_policy_is_explained_not_raised(demo: Runtime, tmp_path: Path) -> None:
    path = policy_file(
        tmp_path,
        must_include=["TRN-M11-01", "TRN-M11-02", "TRN-M12-01"],
        budgets=dict.fromkeys(range(2026, 2036), 1000000),
        region_max_share=None,
    )
    report, _ = run_portfolio(demo, appraise_pipeline(load_inputs(demo, policy_file=path)))
    assert report.status == "infeasible"
    assert report.conflict and "budget" in report.conflict


def test_budget_file_missing_a_year_is_refused_and_nothing_recorded(
    demo: Runtime, tmp_path: Path
) -> None:
    budget = tmp_path / "budget.csv"
    budget.write_text("year,budget\n2026,1000\n2027,1000\n2029,1000\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_inputs(demo, budget_file=budget)
    assert any("2028" in p.reason and p.field == "budgets" for p in info.value.problems)
    short = tmp_path / "short.csv"
    short.write_text("year,budget\n2026,1000\n2027,1000\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="budget does not cover"):
        run_portfolio(demo, appraise_pipeline(load_inputs(demo, budget_file=short)))
    with demo.uow() as uow:
        assert uow.decisions.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"hurdle": 0.9}, "hurdle"), ({"area_min_share": {"health": 0.7, "education": 0.5}}, None)],
)
def test_bad_policy_values_are_refused(
    demo: Runtime, tmp_path: Path, change: dict[str, object], field: str | None
) -> None:
    with pytest.raises(InvalidInput) as info:
        load_inputs(demo, policy_file=policy_file(tmp_path, **change))
    assert info.value.problems[0].file == "policy.yaml"
    assert info.value.problems[0].field == field


def test_weights_that_do_not_sum_to_one_are_refused(demo: Runtime, tmp_path: Path) -> None:
    text = (bundled_dataset() / "criteria.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["weights"]["point"] = dict.fromkeys(data["weights"]["point"], 0.5)
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_inputs(demo, criteria_file=path)
    assert info.value.problems[0].file == "criteria.yaml"
    assert "sum" in str(info.value)
