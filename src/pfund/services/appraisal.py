"""Appraising the stored pipeline: cost-benefit, Monte Carlo and multi-criteria value.

The engines are pure; this module gathers their inputs from the store and the fund's
files, runs them, and records the run so every number in a report traces to its inputs.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from pfund import __version__
from pfund.appraisal import (
    Appraisal,
    CriteriaMatrix,
    CriteriaSet,
    Simulation,
    appraise,
    criteria_matrix,
    fix_scales,
    load_criteria,
    pipeline_values,
    resolve_value_mode,
    simulate,
)
from pfund.appraisal.montecarlo import QUANTILES
from pfund.appraisal.schedule import FloatArray
from pfund.domain import FundDefinition, Project, ProjectStatus, Region
from pfund.domain.account import Permission
from pfund.domain.decision import inputs_hash
from pfund.domain.fx import ROUNDING_RULE, RateUsed
from pfund.domain.policy import PortfolioPolicy
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.funding.instruments import FundCost, fund_cost_by_year
from pfund.io.dataset import load_dataset
from pfund.io.policy import load_budget_file, load_policy
from pfund.portfolio.earmarks import EarmarkPool
from pfund.reports.scale import ROBUST_DRAWS, ROBUST_WORK, report_scale
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.donor_earmarks import earmark_pools
from pfund.services.instruments import instrument_costs
from pfund.services.learning import BiasRecord, Calibration, fund_calibration, uplifted
from pfund.services.lifecycle import advance
from pfund.services.rates import conversions, convert_project
from pfund.services.records import save_record
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

INACTIVE = {
    ProjectStatus.SUBMITTED,
    ProjectStatus.RETURNED,
    ProjectStatus.REJECTED,
    ProjectStatus.WITHDRAWN,
    ProjectStatus.CANCELLED,
    ProjectStatus.COMPLETED,
}


@dataclass(frozen=True)
class Inputs:
    """Everything an appraisal or a portfolio run reads, gathered once."""

    fund: FundDefinition
    projects: list[Project]
    regions: list[Region]
    criteria: CriteriaSet
    policy: PortfolioPolicy
    sources: dict[str, str]
    # Where the Monte Carlo runs (``Runtime.dask_scheduler``; None: this process). Not an
    # input of the result, which is the same either way, so not in the hash.
    scheduler: str | None = None
    # Optimism bias: which uplift each area's appraisals use (None: off), and the
    # projects as the appraisal sees them (None: as stored). The portfolio's budgets
    # still count the stored likely costs (see pfund.services.learning).
    calibration: Calibration | None = None
    uplifted: list[Project] | None = None
    # The rate each project currency other than the fund's was converted at: the
    # projects above are in the fund's currency, and the decision record states these.
    conversions: dict[str, RateUsed] = field(default_factory=dict)
    # Donor agreements' earmarked money by year (``pfund.services.donors.earmark_pools``):
    # the optimiser keeps it for the projects each earmark allows.
    earmarks: list[EarmarkPool] = field(default_factory=list)
    # What each project with a loan or guarantee costs the fund (a grant: absent); the
    # optimiser's budget counts this, not the project's cost (``fund_cost_by_year``).
    fund_costs: dict[str, FundCost] = field(default_factory=dict)

    def fund_cost_by_year(self, project: Project) -> dict[int, Decimal]:
        """The one conversion of a project's likely yearly costs into what they cost the
        fund: a grant as they are; a loan scaled to its grant-equivalent, a guarantee to
        its expected cost (pfund.funding.instruments)."""
        costs = project.likely_cost_by_year()
        cost = self.fund_costs.get(project.id)
        return costs if cost is None else fund_cost_by_year(costs, cost)

    @property
    def bias(self) -> BiasRecord | None:
        """What the decision record states of the uplift (None: off)."""
        return self.calibration.record if self.calibration else None

    @property
    def appraised(self) -> list[Project]:
        """The projects the engines value: uplifted for optimism bias, or as stored."""
        return self.projects if self.uplifted is None else self.uplifted

    def source_hash(self) -> str:
        """One hash of the pipeline, criteria and policy, to tell whether inputs changed."""
        return self._hashed([p.model_dump(mode="json") for p in self.projects])

    def appraisal_hash(self) -> str:
        """One hash of what an appraisal's numbers depend on: ``source_hash`` without the
        projects' status, which recording an appraisal itself moves (to *appraised*) and
        which no figure reads (the active projects are the ones listed)."""
        return self._hashed([p.model_dump(mode="json", exclude={"status"}) for p in self.projects])

    def _hashed(self, projects: list[dict[str, Any]]) -> str:
        return inputs_hash(
            {
                "fund": self.fund.model_dump(mode="json"),
                "projects": projects,
                "policy": self.policy.model_dump(mode="json"),
                "criteria": self.sources.get("criteria_text", ""),
            }
            | ({"optimism_bias": self.bias.model_dump(mode="json")} if self.bias else {})
            | (
                {"earmarks": [[e.name, sorted(e.amounts.items())] for e in self.earmarks]}
                if self.earmarks
                else {}
            )
            | ({"conversions": _conversions(self)} if self.conversions else {})
            | ({"instruments": _instruments(self)} if self.fund_costs else {})
        )


def load_inputs(
    rt: Runtime,
    *,
    policy_file: Path | None = None,
    budget_file: Path | None = None,
    criteria_file: Path | None = None,
    optimism_bias: str | None = None,
) -> Inputs:
    """The active pipeline from the store, and the policy and criteria from files.

    ``optimism_bias`` overrides the policy's mode (auto, green-book, history, off); the
    fund's finished projects are read in the same transaction as the pipeline."""
    data = load_dataset(rt.dataset)
    policy_path = policy_file or data.root / "policy.yaml"
    criteria_path = criteria_file or data.root / "criteria.yaml"
    budgets = load_budget_file(budget_file) if budget_file else None
    policy = load_policy(policy_path, budgets=budgets)
    mode = optimism_bias or policy.optimism_bias
    with rt.uow() as uow:
        fund = uow.fund.get()
        if fund is None:
            raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
        stored = uow.projects.list()
        projects = [p for p in stored if p.status not in INACTIVE]
        regions = uow.reference.regions()
        if not projects:
            raise InvalidInput(
                "nothing to appraise", [Problem("the store holds no active project")]
            )
        # projects in other currencies are appraised and chosen in the fund's currency
        rates = conversions(uow, fund, {p.currency for p in projects}, money_gate.today())
        projects = [
            convert_project(p, rates[p.currency]) if p.currency in rates else p for p in projects
        ]
        cal = fund_calibration(uow, projects, mode, policy.optimism_bias_types, stored=stored)
        earmarks = earmark_pools(uow, fund, money_gate.today())
        active = {p.id for p in projects}
        costs = {k: v for k, v in instrument_costs(uow, fund.instruments).items() if k in active}
    return Inputs(
        fund=fund,
        projects=projects,
        regions=regions,
        criteria=load_criteria(criteria_path),
        policy=policy,
        sources={
            "policy": str(policy_path),
            "budget_file": str(budget_file or ""),
            "criteria": str(criteria_path),
            "criteria_text": criteria_path.read_text(encoding="utf-8"),
        },
        scheduler=rt.dask_scheduler,
        calibration=cal,
        uplifted=uplifted(projects, cal) if cal else None,
        conversions=rates,
        earmarks=earmarks,
        fund_costs=costs,
    )


@dataclass(frozen=True)
class PipelineAppraisal:
    """The engines' results for one pipeline, kept together for portfolio runs."""

    inputs: Inputs
    appraisals: dict[str, Appraisal]
    simulation: Simulation
    matrix: CriteriaMatrix
    criteria: CriteriaSet  # value functions pinned to ``matrix``
    value_mode: str
    values: FloatArray
    # Read back from a stored appraisal (``stored_appraisal``): its record, and the NPV
    # draws it kept. Then ``simulation`` holds the summaries only, not every draw.
    record_id: str | None = None
    kept: KeptDraws | None = None

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.inputs.projects]

    def serves(self, picks: list[int]) -> bool:
        """Whether ``npv_draws(picks)`` can answer (a stored appraisal kept only some)."""
        return self.kept is None or set(picks) <= set(self.kept.picks)

    def npv_draws(self, picks: list[int]) -> FloatArray:
        """The NPV draws numbered ``picks``, as ``projects x len(picks)``."""
        if self.kept is None:
            return np.asarray(self.simulation.npv_by_project[:, picks])
        where = {d: j for j, d in enumerate(self.kept.picks)}
        return np.asarray(self.kept.npv[:, [where[d] for d in picks]])


@dataclass(frozen=True)
class KeptDraws:
    """The NPV draws an appraisal record keeps: those the board report's robustness
    reads (``draw_picks`` of the report's draws for the pipeline's size), so the report
    need not run the Monte Carlo again."""

    picks: tuple[int, ...]
    npv: FloatArray  # projects x len(picks), in the appraisal's project order


def draw_picks(draws: int, wanted: int) -> list[int]:
    """The draws a robustness analysis of ``wanted`` value draws reads: evenly spread."""
    return [int(d) for d in np.linspace(0, draws - 1, num=min(wanted, draws)).astype(int)]


def _simulate(inputs: Inputs, rate: float, base_year: int) -> Simulation:
    """The pipeline's Monte Carlo, here or on Dask (imported only then: `distributed` adds
    about a quarter of a second to every start of the CLI and the service)."""
    policy = inputs.policy
    kw: dict[str, Any] = {
        "draws": policy.draws,
        "seed": policy.seed,
        "rate": rate,
        "base_year": base_year,
        "hurdle": policy.hurdle,
        "area_correlation": policy.area_correlation,
    }
    if inputs.scheduler is None:
        return simulate(inputs.appraised, **kw)
    from pfund.appraisal.montecarlo_dask import simulate_dask

    return simulate_dask(inputs.appraised, scheduler=inputs.scheduler, **kw)


def appraise_pipeline(inputs: Inputs) -> PipelineAppraisal:
    """Likely-value CBA, Monte Carlo, and each project's value for the portfolio.

    With ``inputs.scheduler`` the Monte Carlo runs on Dask, with the same result as here.
    Every engine reads the projects uplifted for optimism bias (``inputs.appraised``).
    """
    fund = inputs.fund
    sim = _simulate(inputs, float(fund.discount_rate), fund.first_year)
    npv = _objective_npv(sim, inputs.policy)
    return _valued(inputs, sim, dict(zip(sim.project_ids, npv.tolist(), strict=True)))


def _valued(
    inputs: Inputs, sim: Simulation, npv: dict[str, float], **stored: Any
) -> PipelineAppraisal:
    """The likely-value cost-benefit and the multi-criteria values, the criteria scaled
    on ``npv`` (the objective's NPV by project) and pinned."""
    policy, projects = inputs.policy, inputs.appraised
    rate, base = float(inputs.fund.discount_rate), inputs.fund.first_year
    appraisals = {
        p.id: appraise(p, rate=rate, base_year=base, hurdle=policy.hurdle) for p in projects
    }
    matrix = criteria_matrix(
        projects, inputs.criteria, appraisals=appraisals, regions=inputs.regions, npv=npv
    )
    pinned = fix_scales(inputs.criteria, matrix)
    return PipelineAppraisal(
        inputs=inputs,
        appraisals=appraisals,
        simulation=sim,
        matrix=matrix,
        criteria=pinned,
        value_mode=resolve_value_mode(projects, inputs.criteria.value_mode),
        values=pipeline_values(projects, matrix, pinned),
        **stored,
    )


def _objective_npv(sim: Simulation, policy: PortfolioPolicy) -> FloatArray:
    """Expected NPV, or its chosen quantile for a cautious board."""
    if policy.objective == "quantile":
        return np.asarray(np.quantile(sim.npv_by_project, policy.quantile, axis=1))
    return np.asarray(sim.mean_npv, dtype=np.float64)


class AppraisalLine(BaseModel):
    """One project's appraisal as a reader sees it."""

    id: str
    title: str
    area: str
    stage: int
    pv_costs: float
    npv: float
    bcr: float | None
    err: float | None
    err_status: str
    payback_year: int | None
    expected_npv: float
    npv_p5: float
    npv_p95: float
    p_npv_positive: float
    p_err_hurdle: float
    value: float


class AppraisalReport(BaseModel):
    record_id: str | None
    fund: str
    currency: str
    discount_rate: float
    base_year: int
    hurdle: float
    draws: int
    seed: int
    value_mode: str
    criteria: list[str]
    weights: list[float]
    lines: list[AppraisalLine]
    optimism_bias: BiasRecord | None = None


def report_of(pa: PipelineAppraisal, record_id: str | None = None) -> AppraisalReport:
    sim, policy, fund = pa.simulation, pa.inputs.policy, pa.inputs.fund
    lines = [_line(pa, p, i) for i, p in enumerate(pa.inputs.appraised)]
    return AppraisalReport(
        record_id=record_id,
        fund=fund.name,
        currency=fund.currency,
        discount_rate=float(fund.discount_rate),
        base_year=fund.first_year,
        hurdle=policy.hurdle,
        draws=sim.draws,
        seed=sim.seed,
        value_mode=pa.value_mode,
        criteria=list(pa.criteria.names),
        weights=[float(w) for w in pa.criteria.point.point()],
        lines=sorted(lines, key=lambda line: -line.value),
        optimism_bias=pa.inputs.bias,
    )


def _line(pa: PipelineAppraisal, p: Project, i: int) -> AppraisalLine:
    a, sim = pa.appraisals[p.id], pa.simulation
    return AppraisalLine(
        id=p.id,
        title=p.title,
        area=p.area,
        stage=p.stage,
        pv_costs=a.pv_costs,
        npv=a.npv,
        bcr=a.bcr,
        err=a.err.value,
        err_status=a.err.status,
        payback_year=a.payback_year,
        expected_npv=float(sim.mean_npv[i]),
        npv_p5=float(sim.npv_quantiles[0, i]),
        npv_p95=float(sim.npv_quantiles[-1, i]),
        p_npv_positive=float(sim.p_npv_positive[i]),
        p_err_hurdle=float(sim.p_err_hurdle[i]),
        value=float(pa.values[i]),
    )


def parameters_of(inputs: Inputs) -> dict[str, Any]:
    policy = inputs.policy
    return (
        {
            "discount_rate": str(inputs.fund.discount_rate),
            "base_year": inputs.fund.first_year,
            "hurdle": policy.hurdle,
            "draws": policy.draws,
            "area_correlation": policy.area_correlation,
            "objective": policy.objective,
            "quantile": policy.quantile,
            "policy_file": inputs.sources["policy"],
            "budget_file": inputs.sources["budget_file"],
            "criteria_file": inputs.sources["criteria"],
            "pfund_version": __version__,
            "optimism_bias": _bias(inputs),
        }
        | ({"conversions": _conversions(inputs)} if inputs.conversions else {})
        | ({"instruments": _instruments(inputs)} if inputs.fund_costs else {})
    )


def _instruments(inputs: Inputs) -> dict[str, Any]:
    """What each loan or guarantee costs the fund, as the decision record states it."""
    return {
        pid: {"kind": c.kind, "face": str(c.face), "cost_to_fund": str(c.cost), "basis": c.basis}
        for pid, c in sorted(inputs.fund_costs.items())
    }


def _conversions(inputs: Inputs) -> dict[str, Any]:
    """Each converted currency's rate as the record states it, and the rounding rule."""
    return {
        c: {
            "rate": str(r.rate),
            "date": r.day.isoformat(),
            "source": r.source,
            "stated": r.stated(),
            "rounding": ROUNDING_RULE,
        }
        for c, r in sorted(inputs.conversions.items())
    }


def _bias(inputs: Inputs) -> dict[str, Any]:
    """The record's statement of the uplift used: mode, history size, each area's uplift."""
    if inputs.bias is None:
        return {"mode": "off"}
    return inputs.bias.model_dump(mode="json")


def _appraised(uow: UnitOfWork, audit: AuditWriter, ids: list[str]) -> None:
    """The projects a recorded appraisal includes are appraised (see services.lifecycle)."""
    advance(uow, audit, ids, ProjectStatus.APPRAISED, "appraisal recorded")


def record_appraisal(rt: Runtime, inputs: Inputs, pa: PipelineAppraisal) -> AppraisalReport:
    """Report an appraisal and keep it as a decision record, so its numbers can be traced."""
    rt.require(Permission.APPRAISE)
    report = report_of(pa)
    record = save_record(
        rt,
        kind="appraisal",
        inputs={"source_hash": inputs.source_hash(), "appraisal_hash": inputs.appraisal_hash()},
        parameters={
            "draws": report.draws,
            "hurdle": report.hurdle,
            "optimism_bias": _bias(inputs),
        },
        status="done",
        result={"lines": [line.model_dump() for line in report.lines], "kept": _kept(pa)},
        seed=report.seed,
        then=lambda uow, audit: _appraised(uow, audit, [line.id for line in report.lines]),
    )
    return report.model_copy(update={"record_id": record.id})


def _kept(pa: PipelineAppraisal) -> dict[str, Any]:
    """What a report reads back instead of re-running the Monte Carlo: the projects'
    order, the objective's NPV (mean or quantile) the criteria were scaled on, and the
    NPV draws of the report's robustness analysis (``KeptDraws``), bytes as base64; a
    pipeline small enough (``ROBUST_WORK`` draws x projects) keeps those of ``portfolio
    robust``'s default draws too, so that reads the record as well."""
    sim = pa.simulation
    n = len(sim.project_ids)
    picks = draw_picks(sim.draws, report_scale(n).robust_draws)
    if n * ROBUST_DRAWS <= ROBUST_WORK:
        picks = sorted({*picks, *draw_picks(sim.draws, ROBUST_DRAWS)})
    draws = np.ascontiguousarray(sim.npv_by_project[:, picks], dtype=np.float64)
    return {
        "ids": list(sim.project_ids),
        "objective_npv": _objective_npv(sim, pa.inputs.policy).tolist(),
        "picks": picks,
        "npv": base64.b64encode(draws.tobytes()).decode("ascii"),
    }


def stored_appraisal(rt: Runtime, inputs: Inputs) -> PipelineAppraisal | None:
    """The newest recorded appraisal of exactly these inputs (``appraisal_hash``), read
    back with the same numbers as appraising again, without the Monte Carlo: the
    likely-value cost-benefit is worked out again (cheap, no draws), the simulation's
    summaries and kept draws come from the record. None when no record matches (or the
    record predates kept draws): then appraise."""
    rt.require(Permission.READ_INTERNAL)
    want = inputs.appraisal_hash()
    with rt.uow() as uow:
        found = uow.decisions.newest_with_input(kind="appraisal", key="appraisal_hash", value=want)
        record = uow.decisions.get(found) if found else None
    kept = record.result.get("kept") if record else None
    projects = inputs.appraised
    if record is None or kept is None or kept["ids"] != [p.id for p in projects]:
        return None
    policy, fund = inputs.policy, inputs.fund
    rate, base = float(fund.discount_rate), fund.first_year
    lines = {line["id"]: line for line in record.result["lines"]}
    n, picks = len(projects), tuple(int(d) for d in kept["picks"])

    def column(key: str) -> FloatArray:
        return np.array([lines[p.id][key] for p in projects], dtype=np.float64)

    npv = np.frombuffer(base64.b64decode(kept["npv"]), dtype=np.float64).reshape(n, len(picks))
    mid = np.full(n, np.nan)  # the median is in no line: nothing reads it from here
    sim = Simulation(
        project_ids=tuple(p.id for p in projects),
        draws=int(record.parameters["draws"]),
        seed=int(record.seed if record.seed is not None else policy.seed),
        method="pert",
        rate=rate,
        hurdle=policy.hurdle,
        base_year=base,
        area_correlation=policy.area_correlation,
        npv_by_project=npv,
        mean_npv=column("expected_npv"),
        p_npv_positive=column("p_npv_positive"),
        p_err_hurdle=column("p_err_hurdle"),
        npv_quantiles=np.vstack(
            [column("npv_p5"), *([mid] * (len(QUANTILES) - 2)), column("npv_p95")]
        ),
        bcr_quantiles=np.full((len(QUANTILES), n), np.nan),
        conventional=np.ones(n, dtype=bool),
        outcome_keys=(),
        outcome_mean=np.zeros((0, n)),
    )
    objective = dict(zip(kept["ids"], kept["objective_npv"], strict=True))
    return _valued(
        inputs, sim, objective, record_id=record.id, kept=KeptDraws(picks=picks, npv=npv)
    )


def current_appraisal(
    rt: Runtime, inputs: Inputs, *, draws: int | None = None
) -> PipelineAppraisal:
    """The stored appraisal of these inputs if there is one, else a new one (not
    recorded): ``record_id`` tells which. The board report, ``portfolio optimize`` and
    ``portfolio robust`` read it, so a pipeline appraised once is not simulated again.

    ``draws``: a robustness analysis of that many value draws will read the NPV draws
    (``draw_picks``); a record that did not keep all of them is not used, since reading
    fewer draws would change the analysis.
    """
    stored = stored_appraisal(rt, inputs)
    if stored is not None and (
        draws is None
        or stored.value_mode == "score"
        or stored.serves(draw_picks(stored.simulation.draws, draws))
    ):
        return stored
    return appraise_pipeline(inputs)


class OutcomeCost(BaseModel):
    """Present value of a project's costs per unit of one outcome (cost-effectiveness)."""

    key: str
    name: str
    name_ru: str
    unit: str
    cost_per_unit: float
    currency: str


def costs_per_outcome(fund: FundDefinition, project: Project) -> list[OutcomeCost]:
    """Cost per unit of each outcome at likely values, discounted at the fund's rate to its
    first year (the appraisal's `cost_per_unit`), for pages that list projects.

    Names: the outcome's own ``name`` / ``name_ru`` when the data gives them, else its key
    with underscores as spaces.
    """
    a = appraise(project, rate=float(fund.discount_rate), base_year=fund.first_year)
    lines = []
    for key, cost in sorted(a.cost_per_unit.items()):
        if cost is None:
            continue
        outcome = project.outcomes[key]
        name = str(getattr(outcome, "name", "") or key.replace("_", " "))
        lines.append(
            OutcomeCost(
                key=key,
                name=name,
                name_ru=str(getattr(outcome, "name_ru", "") or name),
                unit=outcome.unit,
                cost_per_unit=cost,
                currency=project.currency,
            )
        )
    return lines


def outcome_costs(rt: Runtime, ids: list[str]) -> dict[str, list[OutcomeCost]]:
    """Cost per outcome of the stored projects named (staff views: internal figures)."""
    rt.require(Permission.READ_INTERNAL)
    wanted = set(ids)
    with rt.uow() as uow:
        fund = uow.fund.get()
        projects = [p for p in uow.projects.list() if p.id in wanted]
    if fund is None:
        return {}
    return {p.id: costs_per_outcome(fund, p) for p in projects}
