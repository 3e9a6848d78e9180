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
from pfund.domain.conditions import named_verifiers
from pfund.errors import InvalidInput
from pfund.io.dataset import load_dataset
from pfund.reports import plots
from pfund.reports.language import Words
from pfund.services.appraisal import PipelineAppraisal
from pfund.services.conditions import ConditionsView, show, verifiers
from pfund.services.funding import FundSize, LedgerView, fund_size, ledger_view
from pfund.services.names import Name
from pfund.services.runtime import Runtime
from pfund.services.scenarios import ScenarioReport, load_scenario_file, run_scenarios
from pfund.services.tranches import list_tranches


@dataclass(frozen=True)
class MoneyPages:
    """The figures of the funding pages, in no language (names carry both)."""

    size: FundSize
    ledger: LedgerView
    conditions: ConditionsView
    gated: dict[int, dict[str, float]]  # stage -> tranche status -> USD m
    scenarios: ScenarioReport
    envelope: dict[int, float]  # year -> full envelope, USD m
    expected: dict[int, float]  # year -> expected under the weighted scenarios, USD m
    frozen: list[FrozenLine]
    stages: dict[int, Name] = field(default_factory=dict)
    scenario_names: dict[str, Name] = field(default_factory=dict)
    verifiers: dict[str, Name] = field(default_factory=dict)  # by code and by name
    scenarios_problems: list[str] = field(default_factory=list)  # why they are missing


@dataclass(frozen=True)
class FrozenLine:
    """A project whose tranches are frozen, how much, and the conditions (codes) that
    must hold again."""

    project: str
    tranches: int
    amount_m: float
    missing: list[str]
    title: str = ""
    title_ru: str = ""


def build_money_pages(
    rt: Runtime, pa: PipelineAppraisal, *, time_limit: float | None = None
) -> MoneyPages:
    """The funding pages; ``time_limit`` bounds each scenario solve (the policy's if None)."""
    size = fund_size(rt)
    path = load_dataset(rt.dataset).root / "scenarios" / "default.yaml"
    scenarios, problems = _scenarios(rt, pa, path, time_limit)
    with rt.uow() as uow:
        stages = {
            s.number: Name(code=str(s.number), name=s.name, name_ru=s.name_ru)
            for s in uow.stages.list()
        }
    loaded = load_scenario_file(path, list(stages))
    weighted = (
        mix(loaded)
        if all(s.weight is not None for s in loaded.values())
        else next(iter(loaded.values()))
    )
    years = sorted(pa.inputs.policy.budgets)
    full = dict.fromkeys(years, size.total)
    expected = expected_envelope(full, weighted)
    tranches = list_tranches(rt)
    return MoneyPages(
        size=size,
        ledger=ledger_view(rt),
        conditions=show(rt),
        gated=_gated(tranches),
        scenarios=scenarios,
        envelope={y: float(v) / 1e6 for y, v in full.items()},
        expected={y: float(v) / 1e6 for y, v in expected.items()},
        frozen=_frozen(rt, tranches),
        stages=stages,
        scenario_names={
            code: Name(code=code, name=s.english_name, name_ru=s.name_ru)
            for code, s in loaded.items()
        },
        verifiers=_verifiers(rt),
        scenarios_problems=problems,
    )


def _verifiers(rt: Runtime) -> dict[str, Name]:
    """The registered verifiers by code and by English name, for their Russian names."""
    found = {}
    for v in verifiers(rt):
        named = Name(code=v.code, name=v.name, name_ru=v.name_ru)
        found[v.code] = found[v.name] = named
    return found


def _scenarios(
    rt: Runtime, pa: PipelineAppraisal, path: Path, time_limit: float | None = None
) -> tuple[ScenarioReport, list[str]]:
    """Scenarios plan today's pipeline; when it cannot be planned as it stands (a project
    costs money in a year without a budget), the report of a stored run is still written
    and this section says why it is empty (the problems, in English as raised)."""
    try:
        return run_scenarios(rt, pa, path, record=False, time_limit=time_limit), []
    except InvalidInput as err:
        empty = ScenarioReport(record_id="", file=path.name, scenarios=[], by_stage=[])
        return empty, [err.message, *(p.reason for p in err.problems)]


def _frozen(rt: Runtime, tranches: list[Tranche]) -> list[FrozenLine]:
    """Frozen tranches by project, with the conditions their gate still misses."""
    with rt.uow() as uow:
        stages = uow.stages.list()
        statuses = statuses_of(uow.conditions.list())
        projects = {p.id: p for p in uow.projects.list()}
    by_project: dict[str, list[Tranche]] = defaultdict(list)
    for t in tranches:
        if t.status is TrancheStatus.FROZEN:
            by_project[t.project_id].append(t)
    lines = []
    for project, items in by_project.items():
        probe = items[0].model_copy(update={"status": TrancheStatus.PLANNED})
        gate = tranche_gate(probe, statuses, stages)
        amount = sum(float(t.amount) for t in items) / 1e6
        p = projects.get(project)
        lines.append(
            FrozenLine(
                project,
                len(items),
                amount,
                list(gate.missing),
                p.title if p else "",
                p.title_ru if p else "",
            )
        )
    return sorted(lines, key=lambda line: -line.amount_m)


def _gated(tranches: list[Tranche]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for t in tranches:
        out[t.stage][t.status.value] += float(t.amount) / 1e6
    return {k: dict(v) for k, v in sorted(out.items())}


def money_charts(p: MoneyPages, w: Words) -> dict[str, str]:
    """The funding pages' charts in the reader's language."""
    top = p.size.members[:15]
    unit = w.gettext("%(currency)s m", currency=w.currency)
    return {
        "members": plots.bar_chart(
            [w.country(m.iso3, m.name) for m in top],
            [float(m.contribution) / 1e9 for m in top],
            xlabel=w.gettext(
                "contribution, %(currency)s bn a year (%(share)s of %(year)s GDP)",
                currency=w.currency,
                share=w.pct(float(p.size.share_of_gdp), 2),
                year=p.size.year,
            ),
            numbers=w.tick,
        ),
        "envelope": plots.years_chart(
            list(p.envelope),
            budget=list(p.envelope.values()),
            used=list(p.expected.values()),
            greedy=list(p.expected.values()),
            labels=(
                w.gettext("expected under the scenarios"),
                "",
                w.gettext("if every stage came at once"),
            ),
            ylabel=unit,
            numbers=w.tick,
        ),
        "stages": plots.stage_chart(
            list(p.gated),
            {s: [p.gated[k].get(s, 0.0) for k in p.gated] for s in _statuses(p.gated)},
            names=[f"{k}: {w.name(p.stages.get(k), str(k))}" for k in p.gated],
            statuses={s: w.word(s) for s in _statuses(p.gated)},
            xlabel=unit,
            numbers=w.tick,
        ),
        "scenarios": plots.bar_chart(
            [scenario_name(p, s.scenario, w) for s in p.scenarios.scenarios],
            [sum(s.expected_spend_m.values()) for s in p.scenarios.scenarios],
            xlabel=w.gettext(
                "expected spending on the scenario's best portfolio, %(unit)s", unit=unit
            ),
            numbers=w.tick,
        )
        if p.scenarios.scenarios
        else "",
    }


def verifier_words(p: MoneyPages, text: str, lang: str) -> tuple[str, bool]:
    """The verifiers a condition's protocol names, each by its registered name in
    ``lang``, and whether all of them are in ``lang`` (a store from before the codes
    holds free text: it is shown as is, marked English by the page)."""
    found = named_verifiers(text, p.verifiers)
    if found is None:
        return text, lang == "en"
    return "; ".join(n.in_language(lang) for n in found), all(
        lang == "en" or n.name_ru for n in found
    )


def scenario_name(p: MoneyPages, code: str, w: Words) -> str:
    """A scenario's name: its ``name_ru`` for a Russian reader, else its English ``name``
    (the code in words when the file gives none)."""
    found = p.scenario_names.get(code)
    return found.in_language(w.lang) if found else w.word(code)


def _statuses(gated: dict[int, dict[str, float]]) -> list[str]:
    order = ["disbursed", "released", "planned", "frozen"]
    present = {s for by in gated.values() for s in by}
    return [s for s in order if s in present] + sorted(present - set(order))
