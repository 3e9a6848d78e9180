"""The demo's results loop on the sample fund, on both stores: projects under way report,
a seeded sample is verified, a scalable tranche is paid on the verified value through the
ledger (whose sums still balance), and a second report waits for its verifier. Then the
fund's history: completed projects with outturns (most over budget, one under) and
reports, one verified, which ``results expost``, the public page and the board report's
learning section show."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pfund.services import portal
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.audit import verify
from pfund.services.demo import load_demo
from pfund.services.demo_loop import load_history, run_results_loop
from pfund.services.funding import ledger_view
from pfund.services.instruments import loan_view
from pfund.services.learning import (
    expost_lines,
    fund_calibration,
    history_by_area,
    public_expost,
)
from pfund.services.portfolio import run_portfolio
from pfund.services.results import project_results
from pfund.services.runtime import Runtime
from pfund.services.verification import payments_due
from pfund.services.verification_views import verification_queue

# The demo as shipped: the joint committee approves the run before any money moves.
pytestmark = pytest.mark.committee_gate


def test_the_demo_ends_with_a_tranche_paid_on_its_verified_result(rt: Runtime) -> None:
    summary = load_demo(rt)
    assert summary.envelope_year is not None
    report, _ = run_portfolio(rt, appraise_pipeline(load_inputs(rt)), time_limit=20)
    loop = run_results_loop(rt, report.record_id, year=summary.envelope_year)
    assert len(loop.reports) >= 5
    v = loop.verification
    assert v.status == "verified" and v.lqas_accepted is True
    assert v.factor is not None and v.lower is not None and v.upper is not None
    assert v.lower < v.factor < 1 < v.upper + 0.05  # a few units recounted short
    assert Decimal(0) < loop.paid < loop.tranche_amount
    (due,) = payments_due(rt)
    assert (due.tranche, due.status, due.amount) == (loop.tranche, "disbursed", loop.paid)
    assert due.branch == "pro_rata" and due.verification == v.verification
    queue = verification_queue(rt)
    # the next report awaits its verifier; the two verified are the tranche's and the history's
    assert [a.verified for a in queue] == [False, True, True]
    shown = project_results(rt, loop.project, public=True).indicators[0].periods[0].verified
    assert shown is not None and shown.verification == v.verification  # where people read it
    assert (shown.paid, shown.currency) == (loop.paid, loop.currency)
    line = next(p for p in portal.projects(rt) if p.id == loop.project)
    assert line.disbursed == loop.paid  # the portal's "paid out" is what the ledger paid
    assert ledger_view(rt).invariants == []
    # the sample loan: its project's first tranche paid out, then its first instalment
    # repaid: 0.375% of USD 60 m = 225,000.00 interest and 644,511.48 principal
    lent = loop.loan
    assert lent is not None and (lent.project, lent.tranche) == ("GOV-MED-01", "GOV-MED-01-2026")
    assert lent.disbursed == Decimal("12000000.00") and lent.instalments == 1
    assert (lent.interest, lent.principal) == (Decimal("225000.00"), Decimal("644511.48"))
    view = loan_view(rt, "GOV-MED-01")
    assert (view.disbursed, view.principal_repaid, view.interest_received) == (
        Decimal("12000000.00"),
        Decimal("644511.48"),
        Decimal("225000.00"),
    )
    assert view.outstanding == Decimal("59355488.52")
    balances = ledger_view(rt).balances
    assert balances["principal_repaid"] and balances["interest_received"]
    with rt.uow() as uow:
        assert verify(uow).intact


def test_the_demo_ends_with_completed_projects_learned_from(rt: Runtime) -> None:
    summary = load_demo(rt)
    assert summary.envelope_year is not None
    report, _ = run_portfolio(rt, appraise_pipeline(load_inputs(rt)), time_limit=20)
    history = run_results_loop(rt, report.record_id, year=summary.envelope_year).history
    assert history is not None and 4 <= len(history.completed) <= 6
    assert history.verification.status == "verified"
    lines = {line.id: line for line in expost_lines(rt)}
    assert set(lines) == set(history.completed)
    ratios = sorted(line.realised_cost / line.estimated_cost for line in lines.values())
    assert ratios[0] < 1 < ratios[1] and ratios[-1] >= 1.5  # one under budget, the rest over
    assert all(line.reported and line.ex_ante_npv is not None for line in lines.values())
    shown = public_expost(rt, history.completed[0])
    assert shown is not None and shown.ex_post_npv != shown.ex_ante_npv
    with rt.uow() as uow:
        cal = fund_calibration(uow, [], "auto", {})
    assert cal is not None and cal.record.finished == len(history.completed)
    counts = {a.area: a.count for a in cal.record.areas}
    assert counts["education"] == 1 and counts["environment"] == 1
    assert summary.projects == load_demo(rt).projects - len(history.completed)


def test_learning_counts_a_verified_value_as_reported_times_its_factor(rt: Runtime) -> None:
    """The first completed project's report (960 students of 1,000) is verified; its
    outcome ratio is 0.96 × the factor, the others' what their partners reported."""
    load_demo(rt)
    history = load_history(rt)
    assert history is not None and history.verification.factor is not None
    factor = history.verification.factor
    lines = {line.id: line for line in expost_lines(rt)}
    checked = lines[history.completed[0]]
    assert checked.verified and checked.benefit_scale == pytest.approx(0.96 * factor)
    assert [i for i, line in lines.items() if line.verified] == [history.completed[0]]
    assert lines["GOV-MED-00"].benefit_scale == pytest.approx(102 / 120)
    with rt.uow() as uow:
        cal = fund_calibration(uow, [], "auto", {})
    assert cal is not None and (cal.record.reported, cal.record.verified) == (5, 1)
    by_area = {h.area: h for h in history_by_area(rt)}
    assert by_area["education"].verified == 1 and by_area["health"].verified == 0
    assert by_area["environment"].cost_ratio == pytest.approx(1.6)
