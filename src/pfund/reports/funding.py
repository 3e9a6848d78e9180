"""The board report's funding, conditions and scenario pages, gathered from the store.

Kept apart from the portfolio pages so each can be read alone; every figure comes from
the ledger, the conditions register or a recorded scenario run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pfund.conditions import expected_envelope, mix, statuses_of, tranche_gate
from pfund.domain import Tranche, TrancheStatus
from pfund.errors import InvalidInput
from pfund.io.dataset import load_dataset
from pfund.reports import plots
from pfund.services.appraisal import PipelineAppraisal
from pfund.services.conditions import ConditionsView, show
from pfund.services.funding import FundSize, LedgerView, fund_size, ledger_view
from pfund.services.names import words
from pfund.services.runtime import Runtime
from pfund.services.scenarios import ScenarioReport, load_scenario_file, run_scenarios
from pfund.services.tranches import list_tranches


@dataclass(frozen=True)
class MoneyPages:
    size: FundSize
    ledger: LedgerView
    conditions: ConditionsView
    gated: dict[int, dict[str, float]]  # stage -> tranche status -> USD m
    scenarios: ScenarioReport
    envelope: dict[int, float]  # year -> full envelope, USD m
    expected: dict[int, float]  # year -> expected under the weighted scenarios, USD m
    charts: dict[str, str]
    frozen: list[FrozenLine]
    stage_names: dict[int, str] = field(default_factory=dict)
    scenarios_note: str = ""  # why the scenarios are missing, when they are


@dataclass(frozen=True)
class FrozenLine:
    """A project whose tranches are frozen, how much, and what must hold again."""

    project: str
    tranches: int
    amount_m: float
    missing: str
    title: str = ""


def build_money_pages(rt: Runtime, pa: PipelineAppraisal) -> MoneyPages:
    size = fund_size(rt)
    path = load_dataset(rt.dataset).root / "scenarios" / "default.yaml"
    scenarios, note = _scenarios(rt, pa, path)
    with rt.uow() as uow:
        stage_names = {s.number: s.name for s in uow.stages.list()}
    stage_numbers = list(stage_names)
    loaded = load_scenario_file(path, stage_numbers)
    weighted = (
        mix(loaded)
        if all(s.weight is not None for s in loaded.values())
        else next(iter(loaded.values()))
    )
    years = sorted(pa.inputs.policy.budgets)
    full = dict.fromkeys(years, size.total)
    expected = expected_envelope(full, weighted)
    tranches = list_tranches(rt)
    gated = _gated(tranches)
    pages = MoneyPages(
        size=size,
        ledger=ledger_view(rt),
        conditions=show(rt),
        gated=gated,
        scenarios=scenarios,
        envelope={y: float(v) / 1e6 for y, v in full.items()},
        expected={y: float(v) / 1e6 for y, v in expected.items()},
        charts={},
        frozen=_frozen(rt, tranches),
        stage_names=stage_names,
        scenarios_note=note,
    )
    return MoneyPages(**{**pages.__dict__, "charts": _charts(pages)})


def _scenarios(rt: Runtime, pa: PipelineAppraisal, path: Path) -> tuple[ScenarioReport, str]:
    """Scenarios plan today's pipeline; when it cannot be planned as it stands (a project
    costs money in a year without a budget), the report of a stored run is still written
    and this section says why it is empty."""
    try:
        return run_scenarios(rt, pa, path, record=False), ""
    except InvalidInput as err:
        why = "; ".join([err.message, *(p.reason for p in err.problems)])
        empty = ScenarioReport(record_id="", file=path.name, scenarios=[], by_stage=[])
        return empty, f"Not computed: today's pipeline cannot be planned as it stands ({why})."


def _frozen(rt: Runtime, tranches: list[Tranche]) -> list[FrozenLine]:
    """Frozen tranches by project, with the conditions their gate still misses (by title)."""
    with rt.uow() as uow:
        conditions, stages = uow.conditions.list(), uow.stages.list()
        titles = {p.id: p.title for p in uow.projects.list()}
    statuses = statuses_of(conditions)
    named = {c.code: c.title for c in conditions}
    by_project: dict[str, list[Tranche]] = defaultdict(list)
    for t in tranches:
        if t.status is TrancheStatus.FROZEN:
            by_project[t.project_id].append(t)
    lines = []
    for project, items in by_project.items():
        probe = items[0].model_copy(update={"status": TrancheStatus.PLANNED})
        gate = tranche_gate(probe, statuses, stages)
        amount = sum(float(t.amount) for t in items) / 1e6
        missing = ", ".join(named.get(code) or words(code) for code in gate.missing)
        lines.append(FrozenLine(project, len(items), amount, missing, titles.get(project, "")))
    return sorted(lines, key=lambda line: -line.amount_m)


def _gated(tranches: list[Tranche]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for t in tranches:
        out[t.stage][t.status.value] += float(t.amount) / 1e6
    return {k: dict(v) for k, v in sorted(out.items())}


def _charts(p: MoneyPages) -> dict[str, str]:
    top = p.size.members[:15]
    return {
        "members": plots.bar_chart(
            [m.name for m in top],
            [float(m.contribution) / 1e9 for m in top],
            xlabel=f"contribution, USD bn a year ({p.size.share_of_gdp:.2%} of {p.size.year} GDP)",
        ),
        "envelope": plots.years_chart(
            list(p.envelope),
            budget=list(p.envelope.values()),
            used=list(p.expected.values()),
            greedy=list(p.expected.values()),
            labels=("expected under the scenarios", "", "if every stage came at once"),
        ),
        "stages": plots.stage_chart(
            list(p.gated),
            {s: [p.gated[k].get(s, 0.0) for k in p.gated] for s in _statuses(p.gated)},
            names=[f"{k}: {p.stage_names.get(k) or 'stage ' + str(k)}" for k in p.gated],
        ),
        "scenarios": plots.bar_chart(
            [words(s.scenario) for s in p.scenarios.scenarios],
            [sum(s.expected_spend_m.values()) for s in p.scenarios.scenarios],
            xlabel="expected spending on the scenario's best portfolio, USD m",
        )
        if p.scenarios.scenarios
        else "",
    }


def _statuses(gated: dict[int, dict[str, float]]) -> list[str]:
    order = ["disbursed", "released", "planned", "frozen"]
    present = {s for by in gated.values() for s in by}
    return [s for s in order if s in present] + sorted(present - set(order))
