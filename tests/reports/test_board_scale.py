"""The board report at scale (issue 18, point 6): what it works out follows the run's
size, it says so in English and Russian, and a small fund's report is what it was.

The rule (``pfund.reports.scale``) as worked examples on a small problem, then the sample
fund's report twice: as it comes (107 projects: every one explained, 40 + 40
re-optimisations, 31 budgets) and with the cap lowered to 10 a side, so the capped
appendix, its sentence in both languages and ``projects.csv`` are read as a board would.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from pfund.portfolio import PortfolioProblem, build_problem
from pfund.reports.board import CSV, BoardReport, build_report, projects_csv, write_report
from pfund.reports.scale import explained, report_scale
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.runtime import open_runtime
from tests.api.conftest import settings_for

M = 1_000_000.0


def test_a_small_run_is_worked_out_in_full() -> None:
    # 107 projects (the sample fund): the report's old figures, nothing cut.
    s = report_scale(107)
    assert (s.explain_each, s.robust_draws, s.robust_weights) == (60, 40, 40)
    assert (s.frontier_points, s.equity_points, s.scenario_seconds) == (31, 15, None)
    assert not s.cut and not s.robust_cut


def test_a_large_run_is_cut_by_its_size() -> None:
    # 10,000 projects: 400,000 // 10,000 = 40 draws (not cut); 300,000 // 10,000 = 30
    # budgets (cut), so 30 // 2 = 15 equity points and scenario solves of 2 s.
    s = report_scale(10_000)
    assert (s.robust_draws, s.frontier_points, s.equity_points) == (40, 30, 15)
    assert s.cut and not s.robust_cut and s.scenario_seconds == 2.0
    # 50,000 projects: 400,000 // 50,000 = 8 draws and 8 weight sets; 300,000 // 50,000
    # = 6 budgets, raised to the floor of 7; 7 // 2 = 3 equity points.
    s = report_scale(50_000)
    assert (s.robust_draws, s.robust_weights, s.frontier_points, s.equity_points) == (8, 8, 7, 3)
    assert s.cut and s.robust_cut
    # 1,000,000 projects: the floors (5 draws, 7 budgets).
    s = report_scale(1_000_000)
    assert (s.robust_draws, s.frontier_points) == (5, 7)
    with pytest.raises(ValueError, match="at least one"):
        report_scale(100, explain_each=0)


def _problem() -> PortfolioProblem:
    """Ten projects costing 1m each in 2027; value per million of cost is the value.

    C1 10, C2 5, C3 3 and M1 1 (must be included) are chosen below; R1 2.9, R2 2,
    R4 1.5, R5 1, R3 0.5 are out, and S1 (50) is out because stage 3 is not unlocked.
    """
    values = {
        "C1": 10, "C2": 5, "C3": 3, "M1": 1, "R1": 2.9,
        "R2": 2, "R3": 0.5, "S1": 50, "R4": 1.5, "R5": 1,
    }  # fmt: skip
    projects = {
        pid: {"value": v, "cost": {2027: M}, "stage": 3 if pid == "S1" else 0}
        for pid, v in values.items()
    }
    return build_problem(projects, {2027: 4 * M}, max_stage=1, must_include=["M1"])


def _ids(problem: PortfolioProblem, chosen: set[str], each: int) -> list[str]:
    x = np.array([pid in chosen for pid in problem.ids], dtype=bool)
    return [problem.ids[i] for i in explained(problem, x, each)]


def test_explained_are_the_nearest_the_line_on_each_side() -> None:
    problem = _problem()
    chosen = {"C1", "C2", "C3", "M1"}
    # 2 a side (10 > 4): the weakest chosen C3 (3), C2 (5), not C1 (10) nor M1, which
    # the rule decides; the strongest rejected R1 (2.9), R2 (2), not S1, which the
    # stage keeps out though it returns 50. In the problem's order.
    assert _ids(problem, chosen, 2) == ["C2", "C3", "R1", "R2"]
    # 3 a side: C1 joins the chosen, R4 (1.5) the rejected.
    assert _ids(problem, chosen, 3) == ["C1", "C2", "C3", "R1", "R2", "R4"]
    # 5 a side: 10 projects are not more than 2 x 5, so every one is explained.
    assert _ids(problem, chosen, 5) == list(problem.ids)


def test_a_short_side_lends_its_places_to_the_other() -> None:
    problem = _problem()
    # Only R5 and S1 are out: 2 rejected, so the chosen side takes 6 - 2 = 4 places,
    # the weakest first: R3 (0.5), R4 (1.5), R2 (2), R1 (2.9); C3 (3) is the fifth.
    chosen = set(problem.ids) - {"R5", "S1"}
    assert _ids(problem, chosen, 3) == ["R1", "R2", "R3", "S1", "R4", "R5"]


@pytest.fixture(scope="module")
def reports(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample fund's report as it comes, and with 10 explained a side."""
    folder = tmp_path_factory.mktemp("scale")
    shutil.copy(demo_template, folder / "pfund.db")
    rt = open_runtime(settings_for(f"sqlite:///{folder / 'pfund.db'}"))
    try:
        pa = appraise_pipeline(load_inputs(rt))
        full = build_report(rt, pa, run_id="OPT-0001", robust_draws=5, robust_weights=5)
        capped = build_report(
            rt, pa, run_id="OPT-0001", explain_each=10, robust_draws=5, robust_weights=5
        )
    finally:
        rt.close()
    write_report(full, folder / "full")
    write_report(capped, folder / "capped")
    _built.update(full=full, capped=capped)
    return {"full": folder / "full", "capped": folder / "capped"}


_built: dict[str, BoardReport] = {}


def test_the_sample_fund_explains_every_project(reports: dict[str, Path]) -> None:
    full = _built["full"]
    assert len(full.rows) == 107 and full.explained == frozenset(r.id for r in full.rows)
    assert not full.capped and full.appendix == full.rows
    assert all(row.why for row in full.rows), "every project has its sentence"
    assert full.frontier.budget and len(full.frontier.budget) == 31
    assert full.scale and full.scale.equity_points == 15 and not full.scale.cut
    en = (reports["full"] / "index.html").read_text("utf-8")
    assert "Appendix: every project" in en and "nearest the line" not in en
    assert "(31 budgets from nothing" in en
    assert "Приложение: все проекты" in (reports["full"] / "index.ru.html").read_text("utf-8")
    assert not (reports["full"] / CSV).exists()


def test_a_capped_report_says_what_it_explains(reports: dict[str, Path]) -> None:
    capped, full = _built["capped"], _built["full"]
    assert capped.explained is not None and capped.capped
    assert len(capped.appendix) == 20 and len(capped.rows) == 107
    chosen = capped.explained_chosen
    assert chosen == 10, "the sample chooses more than 10: 10 a side"
    # The same sentences as the full report's for the projects it explains.
    by_id = {row.id: row.why for row in full.rows}
    assert all(row.why == by_id[row.id] for row in capped.appendix)
    assert all(not row.why for row in capped.rows if row.id not in capped.explained)
    # The explained chosen are the weakest by value per million of cost.
    ratio = {r.id: r.value / r.cost_m for r in capped.rows if r.cost_m > 0}
    shown = [r for r in capped.appendix if r.chosen and r.id in ratio]
    hidden = [r for r in capped.rows if r.chosen and r.id not in capped.explained]
    assert max(ratio[r.id] for r in shown) <= min(ratio[r.id] for r in hidden if r.id in ratio)
    en = (reports["capped"] / "index.html").read_text("utf-8")
    ru = (reports["capped"] / "index.ru.html").read_text("utf-8")
    assert "Appendix: the projects nearest the line" in en
    assert "Explained: the 20 nearest the line of 107 projects, 10 chosen" in en
    assert "pfund portfolio explain PROJECT --run OPT-0001" in en and "projects.csv" in en
    assert "Приложение: проекты у границы отбора" in ru
    assert "Объяснены проекты у границы отбора: 20 из 107" in ru
    assert "отобранных с наименьшей ценностью на миллион затрат — 10" in ru
    assert en.count('<tr class="in">') + en.count('<tr class="out">') == 20
    # Every project is in the CSV, the explained ones marked.
    lines = list(csv.DictReader(io.StringIO((reports["capped"] / CSV).read_text("utf-8"))))
    assert len(lines) == 107 and sum(int(x["explained"]) for x in lines) == 20
    assert projects_csv(capped) == (reports["capped"] / CSV).read_text("utf-8")
