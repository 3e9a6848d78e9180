"""The staff payments page's remainder decision: shown to who may move money, refused
with every problem named (nothing stored), recorded once, in English and Russian."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from pfund.services.funding import ledger_view
from pfund.services.runtime import Runtime
from pfund.services.tranches import release_tranche
from pfund.services.verification import (
    draw_sample,
    link_tranche,
    pay_by_results,
    record_findings,
)
from tests.api.conftest import csrf_of, sign_in
from tests.services.test_verification import _report_with_units, _tranche


def _partly_paid(rt: Runtime, tmp_path: Path) -> str:
    tranche, project, code, period = _tranche(rt)
    report = _report_with_units(rt, tmp_path, project, code, period)
    link_tranche(rt, tranche, code, period, {"kind": "scalable", "threshold": 50, "target": 100})
    sample = draw_sample(rt, report, code, confidence=0.9, precision=0.1, seed=7)
    record_findings(rt, sample.verification, dict.fromkeys(sample.units, 1.8))
    release_tranche(rt, tranche)
    pay_by_results(rt, tranche)
    return tranche


def test_the_remainder_is_returned_from_the_payments_page(
    client: TestClient, app_rt: Runtime, tmp_path: Path
) -> None:
    tranche = _partly_paid(app_rt, tmp_path)
    sign_in(client, "rev")  # may read, may not move money: no form
    assert "Record the decision" not in client.get("/staff/results/payments").text
    sign_in(client, "ada")
    page = client.get("/staff/results/payments")
    assert "Record the decision" in page.text and "not yet decided" in page.text
    russian = client.get("/staff/results/payments?lang=ru").text
    assert "Незаработанный остаток" in russian and "Вернуть его в фонд" in russian
    free = ledger_view(app_rt).balances["fund_balance"]
    action = f"/staff/results/payments/{tranche}/remainder"
    refused = client.post(
        action, data={"decision": "maybe", "reason": "no", "csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 400
    # the page is in Russian (the language chosen above stays): the fields by their labels
    assert "<strong>Решение</strong>" in refused.text and "<strong>Причина</strong>" in refused.text
    assert ledger_view(app_rt).balances["fund_balance"] == free
    done = client.post(
        action,
        data={
            "decision": "return",
            "reason": "the period is over; the rest goes back",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get("/staff/results/payments?lang=en").text
    assert "returned to the fund" in after and "Record the decision" not in after
    assert ledger_view(app_rt).balances["fund_balance"] > free
    again = client.post(
        action,
        data={
            "decision": "return",
            "reason": "the period is over; the rest goes back",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert again.status_code == 409
