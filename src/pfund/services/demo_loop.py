"""The demo's second half: the results loop run on the sample fund, end to end.

After ``pfund demo`` has chosen its portfolio, the members' contributions are received,
the joint committee seated and its decisions taken (``demo_committee``: it approves the
run without one project, a departure from the optimiser), the run approved as the
committee decided, the projects whose first tranches the gate opens (stage 0) report on
their indicators, one report lists its units (sites in two regions), a verifier's sample
is drawn (seeded, so the demo is the same every time) and its recounts recorded, and a
scalable tranche linked to that indicator is released and paid on the verified value
through the ledger. The sample loan's project is paid its first tranche and the
borrower pays the first instalments of its schedule (``demo_loans``). Last, the
fund's history is imported (:func:`load_history`): a
handful of completed projects (``completed`` in the data set's ``fund.yaml``), their
indicators, what their partners reported, one report verified on a sample, and their
outturns (what each really cost: most overran), so ``pfund results expost``, the public
page of a completed project and the board report's learning section have something to
show. Every step goes through the same services as the CLI and the API, so the audit
log, the gate and the ledger's invariants hold for the demo as for a fund.
"""

from __future__ import annotations

import tempfile
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from pydantic import BaseModel

from pfund.domain import TrancheStatus
from pfund.domain.ledger import Tranche
from pfund.domain.results import ReportedValue, ReportInput
from pfund.errors import Conflict, PfundError
from pfund.io.dataset import load_dataset
from pfund.services.demo_committee import CommitteeSample, run_committee_sample
from pfund.services.demo_loans import LoanSample, run_loan_sample
from pfund.services.funding import record_contributions
from pfund.services.imports import import_projects
from pfund.services.learning import import_outturns
from pfund.services.results import (
    IndicatorView,
    import_indicators,
    import_reports,
    project_reports,
    project_results,
    submit_report,
)
from pfund.services.runtime import Runtime
from pfund.services.tranches import approve, list_tranches, release_tranche
from pfund.services.verification import (
    VerificationResult,
    draw_sample,
    import_units,
    link_tranche,
    pay_by_results,
    record_findings,
)

SEED = 2030  # the verifier's seed: the same sample on every run of the demo
UNITS_PER_REGION = 24
REPORTED_SHARE = Decimal("0.9")  # partners report 90 % of each first-period target
# What the verifier recounts, as a share of what each unit reported, in turn: most
# units hold up within 10 %, one in twelve is 30 % short, so the factor is under one.
RECOUNT = tuple(
    Decimal(x) for x in ["1", "0.96", "1", "0.92", "1", "1", "1", "0.97", "1", "1", "0.95", "0.7"]
)


class History(BaseModel):
    """The fund's completed projects the demo imported, and the one report verified."""

    completed: list[str]
    reports: list[str]
    outturns: int
    verification: VerificationResult


class DemoLoop(BaseModel):
    """What the loop did, for the demo's summary."""

    approved: str
    reports: list[str]
    project: str
    verification: VerificationResult
    tranche: str
    tranche_amount: Decimal
    paid: Decimal
    currency: str
    history: History | None = None
    committee: CommitteeSample | None = None
    loan: LoanSample | None = None


def run_results_loop(rt: Runtime, run_id: str, *, year: int) -> DemoLoop:
    """Receive contributions, have the joint committee decide on ``run_id`` (donor seats
    weigh what was received), approve what it passed, report, verify, link and pay."""
    record_contributions(rt, year=year, received=True)
    committee = run_committee_sample(rt, run_id)
    approve(rt, run_id)
    tranche, project, view = _linked_choice(rt)
    period = view.periods[0].period
    reports = _report_under_way(rt)
    report = next(r.id for r in project_reports(rt, project) if r.period == period)
    _list_units(rt, report, view)
    sample = draw_sample(rt, report, view.indicator.code, confidence=0.9, precision=0.1, seed=SEED)
    reported = _unit_values(view)
    recounts = {u: _recount(reported[u], i) for i, u in enumerate(reported)}
    result = record_findings(rt, sample.verification, {u: recounts[u] for u in sample.units})
    target = view.periods[0].target
    formula = {"kind": "scalable", "threshold": target / 2, "target": target}
    link_tranche(rt, tranche.id, view.indicator.code, period, formula)
    _release(rt, tranche.id)
    step = pay_by_results(rt, tranche.id)
    _second_awaiting(rt, project)
    loan = run_loan_sample(rt)
    history = load_history(rt)
    return DemoLoop(
        approved=run_id,
        reports=reports,
        project=project,
        verification=result,
        tranche=tranche.id,
        tranche_amount=tranche.amount,
        paid=step.amount,
        currency=tranche.currency,
        history=history,
        loan=loan,
        committee=committee,
    )


def load_history(rt: Runtime) -> History | None:
    """Import the data set's completed projects with their indicators, reports and
    outturns, and verify the first report on a sample; None when the data set has none.

    Imported, not moved there by the lifecycle: they finished before the fund's store
    (as a fund brings its past into pfund), so they never enter the pipeline the demo
    appraises, and their outturns and verified results are the history that calibrates
    the next appraisal.
    """
    files = load_dataset(rt.dataset).sample_files
    needed = ("completed", "completed_indicators", "completed_reports", "outturns")
    if any(k not in files for k in needed):
        return None
    completed = import_projects(rt, files["completed"]).ids
    import_indicators(rt, files["completed_indicators"])
    reports = import_reports(rt, files["completed_reports"])
    outturns = import_outturns(rt, files["outturns"])
    return History(
        completed=completed,
        reports=reports,
        outturns=outturns.imported,
        verification=_verify_first(rt, completed[0]),
    )


def _verify_first(rt: Runtime, project: str) -> VerificationResult:
    """The project's first report on its first indicator: the report lists its units (as
    many grants as the demo's other verified report lists sites) and a seeded sample of
    them is recounted, a few short, as the verifier would find them."""
    report = min((r for r in project_reports(rt, project) if r.submitted), key=lambda r: r.period)
    value = next(v for v in report.values if not v.region)
    units = _split(value.value, [f"G-{i + 1:02d}" for i in range(UNITS_PER_REGION * 2)])
    _write_units(rt, report.id, value.indicator, units)
    sample = draw_sample(rt, report.id, value.indicator, confidence=0.9, precision=0.1, seed=SEED)
    recounts = {u: _recount(units[u], i) for i, u in enumerate(units)}
    return record_findings(rt, sample.verification, {u: recounts[u] for u in sample.units})


def _linked_choice(rt: Runtime) -> tuple[Tranche, str, IndicatorView]:
    """The earliest planned stage-0 tranche (ties by id) of a project whose first
    indicator counts at least 100 of something in its first period: enough units for a
    verifier's sample. The one the demo pays by results."""
    planned = [t for t in list_tranches(rt) if t.stage == 0 and t.status is TrancheStatus.PLANNED]
    for t in sorted(planned, key=lambda t: (t.year, t.id)):
        views = project_results(rt, t.project_id).indicators
        if views and views[0].periods[0].target >= 100:
            return t, t.project_id, views[0]
    raise Conflict("the sample fund has no approved project to pay by results")


def _report_under_way(rt: Runtime) -> list[str]:
    """Every project with a stage-0 tranche (work the gate lets start) reports its first
    period: 90 % of each indicator's target, as its partner would."""
    under_way = sorted({t.project_id for t in list_tranches(rt) if t.stage == 0})
    sent = []
    for project in under_way:
        views = project_results(rt, project).indicators
        if not views:
            continue
        period = views[0].periods[0].period
        values = [
            ReportedValue(
                indicator=v.indicator.code,
                value=_reported_total(v),
                unit=v.indicator.unit,
            )
            for v in views
            if v.periods[0].period == period
        ]
        report = ReportInput(project=project, period=period, values=values)
        sent.append(submit_report(rt, report, [], channel="api").id)
    return sent


def _second_awaiting(rt: Runtime, verified: str) -> None:
    """Another report lists its units and waits for its verifier: the queue's first line."""
    for project in sorted({t.project_id for t in list_tranches(rt) if t.stage == 0}):
        views = project_results(rt, project).indicators
        if project != verified and views and views[0].periods[0].target >= 100:
            period = views[0].periods[0].period
            report = next(r.id for r in project_reports(rt, project) if r.period == period)
            _list_units(rt, report, views[0])
            return


def _unit_values(view: IndicatorView) -> dict[str, Decimal]:
    """The units behind the reported total: sites in the indicator's first two regions
    (the strata) or, for an indicator not disaggregated by region, grants ``G-01``...
    in one stratum."""
    regions = view.indicator.regions[:2] or ["G"]
    per = UNITS_PER_REGION * 2 // len(regions)
    names = [f"{r}-{i + 1:02d}" for r in regions for i in range(per)]
    return _split(_reported_total(view), names)


def _split(total: Decimal, names: list[str]) -> dict[str, Decimal]:
    """``total`` as whole counts over ``names`` that add up to it (the remainder one
    each to the first units)."""
    each, left = divmod(total, len(names))
    return {name: each + (1 if i < left else 0) for i, name in enumerate(names)}


def _recount(reported: Decimal, i: int) -> Decimal:
    """What the verifier finds at the ``i``-th unit: a whole count, as recounted."""
    return (reported * RECOUNT[i % len(RECOUNT)]).quantize(Decimal(1), ROUND_HALF_EVEN)


def _reported_total(view: IndicatorView) -> Decimal:
    return (view.periods[0].target * REPORTED_SHARE).quantize(Decimal(1), ROUND_HALF_EVEN)


def _list_units(rt: Runtime, report: str, view: IndicatorView) -> None:
    _write_units(rt, report, view.indicator.code, _unit_values(view))


def _write_units(rt: Runtime, report: str, indicator: str, units: dict[str, Decimal]) -> None:
    """The report's units for one indicator, imported as a verifier's file would be."""
    lines = ["report,indicator,unit,stratum,reported"]
    lines += [
        f"{report},{indicator},{unit},{_stratum(unit)},{value}" for unit, value in units.items()
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "units.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_units(rt, path)


def _stratum(unit: str) -> str:
    region = unit.rsplit("-", 1)[0]
    return "" if region == "G" else region


def _release(rt: Runtime, tranche_id: str) -> None:
    """Release through the gate; a tranche whose year has not come is released early,
    with the reason kept in the audit log, as a person would decide it."""
    try:
        release_tranche(rt, tranche_id)
    except PfundError:
        release_tranche(rt, tranche_id, early=True, reason="demo: paid on its verified result")
