"""The demo's results loop on the sample fund, on both stores: projects under way report,
a seeded sample is verified, a scalable tranche is paid on the verified value through the
ledger (whose sums still balance), and a second report waits for its verifier."""

from __future__ import annotations

from decimal import Decimal

from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.audit import verify
from pfund.services.demo import load_demo
from pfund.services.demo_loop import run_results_loop
from pfund.services.funding import ledger_view
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime
from pfund.services.verification import payments_due
from pfund.services.verification_views import verification_queue


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
    assert [a.verified for a in queue] == [False, True]  # the next report awaits its verifier
    assert ledger_view(rt).invariants == []
    with rt.uow() as uow:
        assert verify(uow).intact
