"""Learning from results: the fund's finished projects calibrate new appraisals.

Worked by hand: the sample fund types ``education`` (DAC 111) as standard buildings,
whose Green Book uplift is +24% (the upper bound: the guidance starts every appraisal
there), and ``transport`` (DAC 210) as non-standard civil engineering, +66%. Ten
finished education projects that each cost 1.5 times their estimate and delivered 80%
of their outcome give, with one class (k cannot be estimated, so 10): credibility
Z = 10 / (10 + 10) = 0.5, a cost uplift of 0.5 * 1.5 + 0.5 * 1.24 = 1.37 and a benefit
ratio of 0.5 * 0.8 + 0.5 * 1 = 0.9.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from pfund.appraisal import appraise, simulate
from pfund.domain import Project, ProjectStatus
from pfund.errors import InvalidInput
from pfund.io.dataset import load_dataset
from pfund.services.appraisal import appraise_pipeline, load_inputs, parameters_of
from pfund.services.audit import AuditWriter, verify
from pfund.services.learning import (
    Finished,
    calibration,
    expost_lines,
    finished_projects,
    import_outturns,
    uplifted,
)
from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts
from pfund.store.tables import AuditEventRow
from tests.factories import make_project

EDU = "education"


def finished(i: int, cost_ratio: float, outcome_ratio: float, area: str = EDU) -> Finished:
    project = make_project(f"DONE-{i:02d}", area=area, status=ProjectStatus.COMPLETED)
    estimate = float(project.likely_cost())
    return Finished(
        project=project,
        outturn={2029: estimate * cost_ratio},
        estimated_cost=estimate,
        realised_cost=estimate * cost_ratio,
        estimated_benefit=100.0,
        realised_benefit=100.0 * outcome_ratio,
        benefit_scale=outcome_ratio,
        reported=True,
    )


def sample_areas() -> dict[str, object]:
    return {a.code: a for a in load_dataset(None).areas}


def areas_of(*codes: str) -> dict[str, object]:
    known = sample_areas()
    return {c: known[c] for c in codes}


def test_without_history_each_area_takes_the_green_book_uplift_of_its_type() -> None:
    cal = calibration("auto", [], areas_of(EDU, "transport"), {})  # type: ignore[arg-type]
    assert cal is not None
    by_area = cal.record.uplifts()
    assert by_area[EDU].source == "green_book" and by_area[EDU].count == 0
    assert by_area[EDU].project_type == "standard_buildings"
    assert by_area[EDU].type_from == "dac 111"
    assert by_area[EDU].cost_uplift == pytest.approx(1.24)
    assert by_area["transport"].cost_uplift == pytest.approx(1.66)
    assert by_area["transport"].benefit_ratio == 1.0
    assert cal.record.finished == 0


def test_ten_finished_projects_blend_history_with_the_prior_by_credibility() -> None:
    history = [finished(i, 1.5, 0.8) for i in range(10)]
    cal = calibration("auto", history, areas_of(EDU), {})  # type: ignore[arg-type]
    assert cal is not None
    edu = cal.record.uplifts()[EDU]
    assert (edu.source, edu.count, cal.record.k, cal.record.k_from) == (
        "history",
        10,
        10.0,
        "default",
    )
    assert edu.credibility == pytest.approx(0.5)
    assert edu.cost_uplift == pytest.approx(0.5 * 1.5 + 0.5 * 1.24)
    assert edu.benefit_ratio == pytest.approx(0.9)
    assert edu.history_cost_ratio == pytest.approx(1.5)


def test_nine_finished_projects_are_not_yet_enough_history() -> None:
    history = [finished(i, 1.5, 0.8) for i in range(9)]
    cal = calibration("auto", history, areas_of(EDU), {})  # type: ignore[arg-type]
    assert cal is not None
    edu = cal.record.uplifts()[EDU]
    assert (edu.source, edu.count) == ("green_book", 9)
    assert edu.cost_uplift == pytest.approx(1.24)


def test_the_modes_choose_one_source_or_none() -> None:
    history = [finished(i, 1.5, 0.8) for i in range(3)]
    areas = areas_of(EDU)
    only_history = calibration("history", history, areas, {})  # type: ignore[arg-type]
    only_prior = calibration("green-book", history, areas, {})  # type: ignore[arg-type]
    assert only_history is not None and only_prior is not None
    assert only_history.record.uplifts()[EDU].cost_uplift == pytest.approx(1.5)
    assert only_prior.record.uplifts()[EDU].cost_uplift == pytest.approx(1.24)
    assert only_prior.record.finished == 0
    assert calibration("off", history, areas, {}) is None  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="optimism-bias"):
        calibration("sometimes", history, areas, {})  # type: ignore[arg-type]


def test_history_in_two_areas_estimates_k_and_its_uplift_applies() -> None:
    """Two classes of ten with different overruns: Bühlmann-Straub estimates k from them
    (a NumPy number, which the uplift must still read as a Decimal)."""
    history = [finished(i, 1.2 + 0.02 * (i % 5), 1.0) for i in range(10)]
    history += [finished(10 + i, 1.8 + 0.02 * (i % 5), 1.0, "transport") for i in range(10)]
    cal = calibration("auto", history, areas_of(EDU, "transport"), {})  # type: ignore[arg-type]
    assert cal is not None and cal.record.k_from == "estimated"
    assert type(cal.record.k) is float
    edu = cal.record.uplifts()[EDU]
    z = 10 / (10 + cal.record.k)
    assert edu.credibility == pytest.approx(z, abs=1e-6)
    transport = cal.record.uplifts()["transport"]
    # Education's overruns average 1.24, its prior too; transport's 1.84 against 1.66.
    assert edu.cost_uplift == pytest.approx(1.24)
    assert transport.cost_uplift == pytest.approx(z * 1.84 + (1 - z) * 1.66)
    (moved,) = uplifted([make_project(area="transport")], cal)
    assert moved.likely_cost() > make_project().likely_cost()


def test_the_policy_can_choose_an_area_type() -> None:
    cal = calibration("auto", [], areas_of(EDU), {EDU: "equipment_development"})  # type: ignore[arg-type]
    assert cal is not None
    edu = cal.record.uplifts()[EDU]
    assert edu.type_from == "policy"
    assert edu.cost_uplift == pytest.approx(3.0)


def test_the_uplift_lowers_the_monte_carlo_npv_by_the_raised_costs() -> None:
    """Same draws (same seed), costs times 1.24: every draw's NPV falls by 24% of its
    present cost, so the mean falls by 24% of the likely PV of costs, give or take the
    spread of the draws."""
    project = make_project(area=EDU)
    cal = calibration("green-book", [], areas_of(EDU), {})  # type: ignore[arg-type]
    (moved,) = uplifted([project], cal)
    assert float(moved.likely_cost()) == pytest.approx(1.24 * float(project.likely_cost()))
    assert moved.benefits == project.benefits
    plain = simulate([project], draws=400, seed=7, rate=0.06, base_year=2026)
    raised = simulate([moved], draws=400, seed=7, rate=0.06, base_year=2026)
    pv_costs = appraise(project, rate=0.06, base_year=2026).pv_costs
    fall = float(plain.mean_npv[0] - raised.mean_npv[0])
    assert fall > 0
    assert fall == pytest.approx(0.24 * pv_costs, rel=0.15)
    assert raised.p_npv_positive[0] <= plain.p_npv_positive[0]


# -- the store --------------------------------------------------------------------------
def bare(project_id: str, **overrides: object) -> Project:
    """A project the bundled fund can store without organisations or links."""
    fields: dict[str, object] = {
        "proponent": None,
        "partners": [],
        "contacts": [],
        "depends_on": [],
        "excludes": [],
    }
    return make_project(project_id, **fields | overrides)


def _add(rt: Runtime, *projects: Project) -> None:
    with rt.uow() as uow:
        for p in projects:
            uow.projects.add(p)
            AuditWriter(uow, rt.actor).record("project.created", "project", p.id)
        uow.commit()


def _policy_without_the_setting(tmp_path: Path) -> Path:
    """The sample policy as an imported fund might write it: no ``optimism_bias``."""
    source = load_dataset(None).root / "policy.yaml"
    text = source.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("optimism_bias")]
    path = tmp_path / "policy.yaml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def test_a_fund_without_history_appraises_with_the_green_book_prior_and_records_it(
    rt: Runtime, tmp_path: Path
) -> None:
    _add(rt, bare("NEW-01", area="transport", stage=0))
    inputs = load_inputs(rt, policy_file=_policy_without_the_setting(tmp_path))
    assert inputs.bias is not None and inputs.bias.mode == "auto"
    line = inputs.bias.uplifts()["transport"]
    assert (line.source, line.count) == ("green_book", 0)
    assert line.cost_uplift == pytest.approx(1.66)
    stored = inputs.projects[0].likely_cost()
    assert inputs.appraised[0].likely_cost() > stored
    assert parameters_of(inputs)["optimism_bias"]["areas"][0]["source"] == "green_book"
    plain = appraise_pipeline(load_inputs(rt, optimism_bias="off"))
    raised = appraise_pipeline(inputs)
    assert raised.simulation.mean_npv[0] < plain.simulation.mean_npv[0]
    assert plain.inputs.bias is None


def test_outturns_of_completed_projects_become_the_funds_history(
    rt: Runtime, tmp_path: Path
) -> None:
    done = bare("DONE-01", area=EDU, status=ProjectStatus.COMPLETED)
    _add(rt, done)
    estimate = done.likely_cost()
    path = tmp_path / "outturns.csv"
    path.write_text(
        f"project,year,cost\nDONE-01,2028,{estimate}\nDONE-01,2029,{estimate / 2}\n",
        encoding="utf-8",
    )
    result = import_outturns(rt, path)
    assert (result.imported, result.projects) == (2, ["DONE-01"])
    with rt.uow() as uow:
        (one,) = finished_projects(uow)
        actions = uow.session.execute(select(AuditEventRow.action)).scalars().all()
    assert one.realised_cost / one.estimated_cost == pytest.approx(1.5)
    assert "results.outturn_set" in actions
    (line,) = expost_lines(rt, "DONE-01")
    assert line.ex_ante_npv is not None and line.ex_post_npv < line.ex_ante_npv
    assert line.reported is False and line.benefit_scale == 1.0


def test_an_outturn_for_a_project_not_completed_is_refused_and_nothing_is_written(
    rt: Runtime, tmp_path: Path
) -> None:
    _add(
        rt,
        bare("RUN-01", area=EDU, status=ProjectStatus.IN_PROGRESS),
    )
    path = tmp_path / "outturns.csv"
    path.write_text("project,year,cost\nRUN-01,2028,100\nNOPE,2028,5\n", encoding="utf-8")
    with rt.uow() as uow:
        before = table_counts(uow.session)
    with pytest.raises(InvalidInput) as info:
        import_outturns(rt, path)
    assert [p.row for p in info.value.problems] == [2, 3]
    with rt.uow() as uow:
        assert table_counts(uow.session) == before


def test_an_outturn_edited_behind_the_service_breaks_the_audit(rt: Runtime, tmp_path: Path) -> None:
    """An outturn moves every later appraisal of its area: the log vouches for it."""
    _add(rt, bare("DONE-01", area=EDU, status=ProjectStatus.COMPLETED))
    path = tmp_path / "outturns.csv"
    path.write_text("project,year,cost\nDONE-01,2028,1000000\n", encoding="utf-8")
    import_outturns(rt, path)
    with rt.uow() as uow:
        assert verify(uow).intact
        uow.session.execute(text("UPDATE project_outturns SET cost = '1'"))
        uow.session.commit()
    with rt.uow() as uow:
        found = verify(uow)
    assert [(b.table, b.kind) for b in found.row_breaks] == [("project_outturns", "changed")]
