"""The verification and payment-by-results API: a verifier draws and records a sample, an
analyst links a tranche and reads what it would pay; bad input stores nothing."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.runtime import Runtime
from pfund.store.tables import FindingRow
from tests.api.conftest import PASSWORD

API = "/api/v1"
PROJECT = "TRN-M11-01"
Headers = dict[str, str]


def test_a_verifier_samples_and_records_and_an_outsider_unit_is_refused(
    client: TestClient, token_for: Callable[[str], Headers], app_rt: Runtime
) -> None:
    accounts.add_user(app_rt, "vera", PASSWORD, roles=[Role.VERIFIER], display_name="Vera")
    ana, vera = token_for("ana"), token_for("vera")
    link = client.post(
        f"{API}/projects/{PROJECT}/report-links", json={"period": "2030"}, headers=ana
    )
    report = link.json()["report_id"]
    rows = "".join(f"{report},km_upgraded,K{i:02d},RU-TVE,5\n" for i in range(30))
    units = client.post(
        f"{API}/results/units",
        files={"file": ("units.csv", "report,indicator,unit,stratum,reported\n" + rows)},
        headers=ana,
    )
    assert units.status_code == 200 and units.json()["imported"] == 30, units.text
    ask = {"indicator": "km_upgraded", "confidence": 0.9, "precision": 0.1, "seed": 11}
    # an analyst moves money, so it may not verify; the verifier may not import
    assert client.post(f"{API}/reports/{report}/samples", json=ask, headers=ana).status_code == 403
    drawn = client.post(f"{API}/reports/{report}/samples", json=ask, headers=vera)
    assert drawn.status_code == 200, drawn.text
    sample = drawn.json()
    outsider = next(f"K{i:02d}" for i in range(30) if f"K{i:02d}" not in sample["units"])
    findings = dict.fromkeys(sample["units"], 5.0)
    bad = client.post(
        f"{API}/verifications/{sample['verification']}/findings",
        json={"findings": findings | {outsider: 5.0}},
        headers=vera,
    )
    assert bad.status_code == 400
    assert f"unit '{outsider}' was not in the draw (seed 11)" in bad.text
    with app_rt.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(FindingRow)) == 0
    good = client.post(
        f"{API}/verifications/{sample['verification']}/findings",
        json={"findings": findings},
        headers=vera,
    )
    assert good.status_code == 200 and good.json()["factor"] == 1.0, good.text
    got = client.get(f"{API}/verifications/{sample['verification']}", headers=ana)
    assert got.json()["verified_total"] == 150.0


def test_a_formula_with_its_threshold_above_the_target_is_refused(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    ana = token_for("ana")
    tranche = client.get(f"{API}/tranches", headers=ana).json()[0]["id"]
    body = {
        "indicator": "km_upgraded",
        "period": "2030",
        "formula": {"kind": "scalable", "threshold": 200, "target": 150},
    }
    answer = client.put(f"{API}/tranches/{tranche}/result-link", json=body, headers=ana)
    assert answer.status_code == 400
    assert "threshold" in answer.text and "above the target 150" in answer.text
    payments = client.get(f"{API}/results/payments", headers=ana)
    assert payments.status_code == 200 and payments.json() == []
    assert client.get(f"{API}/results/payments").status_code == 401
