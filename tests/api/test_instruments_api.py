"""Loans and guarantees over the API and the pages, on the sample fund: staff read the
media loan's schedule and grant-equivalent, the public reads nothing of the API but
sees the instrument on the project's page; a repayment beyond what was paid out and a
call outside the guarantee's validity are refused; a call within it is paid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from pfund.services.problem_json import problem_from_json
from pfund.services.runtime import Runtime
from tests.api.conftest import sign_in

D = Decimal

Headers = dict[str, str]


def test_staff_read_the_loan_and_the_public_do_not(
    client: TestClient, token_for: Callable[[str], Headers]
) -> None:
    assert client.get("/api/v1/loans").status_code == 401
    reviewer = token_for("rev")
    loans = client.get("/api/v1/loans", headers=reviewer).json()
    assert [v["terms"]["project_id"] for v in loans] == ["GOV-MED-01"]
    one = client.get("/api/v1/loans/GOV-MED-01?on=2036-01-01", headers=reviewer).json()
    # USD 60 m at 0.75%, half-yearly, no grace, 80 instalments (annuity); at 6%:
    assert D(one["grant_element"]) == D("0.557456")
    assert D(one["grant_equivalent"]) == D("33447360")  # 60 m x 0.557456
    # the first instalment: 60 m x 0.375% = 225,000.00 interest; the annuity payment
    # 60 m x 0.00375 / (1 - 1.00375^-80) = 869,511.48, so principal 644,511.48
    first = one["schedule"][0]
    assert len(one["schedule"]) == 80
    assert (first["interest"], first["principal"]) == ("225000.00", "644511.48")
    # its instalments from 2026 on are past due, but nothing was paid out: no arrears
    assert one["arrears"] == [] and D(one["arrears_total"]) == 0
    assert {row["status"] for row in one["schedule"]} == {"due"}  # so none is late
    assert client.get("/api/v1/loans/NRS-HE-01", headers=reviewer).status_code == 404
    guarantees = client.get("/api/v1/guarantees", headers=reviewer).json()
    assert D(guarantees[0]["expected_cost"]) == D("4500000")  # 60 m x 0.15 x 0.5


def test_refused_money_moves_change_nothing_and_a_valid_call_is_paid(
    client: TestClient, token_for: Callable[[str], Headers], today: Callable[[date], None]
) -> None:
    analyst = token_for("ana")
    today(date(2029, 1, 1))  # before the helium guarantee is valid
    repaid = client.post(
        "/api/v1/loans/GOV-MED-01/repayments", json={"amount": "1000.00"}, headers=analyst
    )
    assert repaid.status_code == 400, repaid.text
    assert "nothing is owed yet" in repaid.text
    early = client.post(
        "/api/v1/guarantees/NRS-HE-01/calls",
        json={"amount": "1000000.00", "reason": "the venture missed two payments"},
        headers=analyst,
    )
    assert early.status_code == 400 and "valid 2030-01-01" in early.text
    today(date(2031, 3, 1))
    paid = client.post(
        "/api/v1/guarantees/NRS-HE-01/calls",
        json={"amount": "1000000.00", "reason": "the venture missed two payments"},
        headers=analyst,
    )
    assert paid.status_code == 200, paid.text
    assert D(paid.json()["exposure_left"]) == D("59000000")
    reviewer = token_for("rev")
    refused = client.post(
        "/api/v1/guarantees/NRS-HE-01/calls",
        json={"amount": "1.00", "reason": "a reviewer may not pay"},
        headers=reviewer,
    )
    assert refused.status_code == 403


def test_the_pages_show_the_instrument_in_both_languages(client: TestClient) -> None:
    sign_in(client, "rev")
    english = client.get("/staff/loans").text
    assert "Loan to GOV-MED-01" in english and "Grant element" in english
    russian = client.get("/staff/loans?lang=ru").text
    assert "Кредит проекту GOV-MED-01" in russian and "Грантовый элемент" in russian
    public = client.get("/projects/GOV-MED-01?lang=en").text
    assert "its grant-equivalent" in public
    russian_public = client.get("/projects/GOV-MED-01?lang=ru").text
    assert "грантового эквивалента" in russian_public


def test_the_run_budgets_the_loan_at_its_grant_equivalent_and_records_why(
    app_rt: Runtime,
) -> None:
    """GOV-MED-01 costs USD 60 m (likely: 5 x 12 m running) and borrows it, but the
    optimiser's budget counts 33,447,360.00 of it, the loan's grant-equivalent; the
    helium venture counts its expected loss, 4,500,000.00."""
    with app_rt.uow() as uow:
        record = next(r for r in uow.decisions.list() if r.kind == "portfolio")
    problem = problem_from_json(record.inputs["problem"])
    row = problem.cost[problem.ids.index("GOV-MED-01")]
    assert abs(float(row.sum()) - 33_447_360.0) < 1.0
    helium = problem.cost[problem.ids.index("NRS-HE-01")]
    assert abs(float(helium.sum()) - 4_500_000.0) < 1.0
    stated = record.parameters["instruments"]
    assert stated["GOV-MED-01"]["cost_to_fund"] == "33447360.00"
    assert "grant element 0.557456" in stated["GOV-MED-01"]["basis"]
