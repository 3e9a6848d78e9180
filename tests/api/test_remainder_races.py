"""The unearned remainder of a results tranche returns to the fund once, whatever number
of clients ask at the same moment, through the real server on SQLite and PostgreSQL.

The sample fund is approved, a stage-0 tranche is linked to its project's first
indicator with a scalable formula (threshold 50, target 100), a verified value of 72
pays 44 % of it (worked out in ``tests/services/test_verification.py``), and then N
clients post "return the remainder" together: one 200, N - 1 409s, one ledger entry
moving it back, the ledger's invariants and the audit chain sound.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pfund.services.funding import ledger_view
from pfund.services.runtime import Runtime
from pfund.services.tranches import approve, list_tranches, release_tranche
from pfund.services.verification import (
    draw_sample,
    link_tranche,
    pay_by_results,
    payments_due,
    record_findings,
)
from tests.api.test_money_races import (  # noqa: F401 (fixtures)
    N,
    assert_sound,
    entries_of,
    headers,
    post,
    rt,
    server,
    statuses,
    store_url,
    template_backup,
    together,
)
from tests.services.test_verification import _report_with_units, _tranche


def test_the_remainder_of_a_results_tranche_returns_once(
    rt: Runtime,  # noqa: F811
    server: str,  # noqa: F811
    headers: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    approve(rt, "OPT-0001")
    tranche, project, code, period = _tranche(rt)
    report = _report_with_units(rt, tmp_path, project, code, period)
    link_tranche(rt, tranche, code, period, {"kind": "scalable", "threshold": 50, "target": 100})
    sample = draw_sample(rt, report, code, confidence=0.9, precision=0.1, seed=7)
    record_findings(rt, sample.verification, dict.fromkeys(sample.units, 1.8))
    release_tranche(rt, tranche)
    paid = pay_by_results(rt, tranche).amount
    amount = next(t.amount for t in list_tranches(rt) if t.id == tranche)
    assert paid == (amount * Decimal("0.44")).quantize(Decimal("0.01"))
    free = ledger_view(rt).balances["fund_balance"]

    body = {"decision": "return", "reason": "the period is over; the rest goes back"}
    path = f"/api/v1/tranches/{tranche}/remainder"
    answers = together(server, [post(path, headers, json=body)] * N)
    assert statuses(answers) == {200: 1, 409: N - 1}, [a.text for a in answers]
    (won,) = [a.json() for a in answers if a.status_code == 200]
    assert won["decision"] == "returned" and Decimal(won["amount"]) == amount - paid
    assert entries_of(rt, tranche, "fund_balance") == 1
    assert ledger_view(rt).balances["fund_balance"] == free + amount - paid
    (due,) = payments_due(rt)
    assert due.unpaid == 0 and due.remainder_decision == "returned"
    assert_sound(rt)
