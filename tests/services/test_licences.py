"""The licence gate through the one payment path: a payment to a Russian counterparty is
refused without a licence in force and made with one, the licence it used is recorded
in the payment's transaction and counts against its cap; the register imports all or
nothing; a revocation stops the next payment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pfund.domain import Tranche
from pfund.errors import Conflict, InvalidInput
from pfund.funding import commit
from pfund.services.audit import AuditWriter, verify
from pfund.services.conditions import set_condition
from pfund.services.funding import post_entries, record_contributions
from pfund.services.gate import GateRefused
from pfund.services.licences import (
    check_tranche,
    import_licences,
    licence_register,
    revoke_licence,
)
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.store.repositories import table_counts
from tests.factories import make_organisation, make_project

SetToday = Callable[[date], None]
DAY = date(2027, 2, 1)
OSCE = {"evidence": "OSCE monitoring report 3/2027", "verifier": "osce_monitoring"}
AMOUNT = Decimal("1000.00")

LICENCE = """
licences:
  - id: LIC-0101
    authority: US Department of the Treasury, OFAC
    reference: RUSSIA-EO14024-2027-1
    counterparties: [ORG-R01]
    max_amount: "1500.00"
    valid_from: 2027-01-01
    valid_until: 2027-12-31
    scope: Grants to a Moscow clinic
    scope_ru: Гранты московской клинике
"""


def _setup(rt: Runtime, today: SetToday) -> Runtime:
    """Two released 2027 tranches of 1,000 to a project whose partner is in Russia."""
    today(DAY)
    record_contributions(rt, year=2023, received=True)
    project = make_project(
        "LIC-P1",
        area="health",
        regions=["RU-MOW"],
        proponent="ORG-G01",
        partners=["ORG-R01"],
        contacts=[],
        stage=1,
    )
    tranches = [
        Tranche(id=f"LIC-P1-2027-{i}", project_id="LIC-P1", year=2027, amount=AMOUNT, stage=1)
        for i in (1, 2)
    ]
    with rt.uow() as uow:
        uow.organisations.add_many(
            [make_organisation("ORG-G01"), make_organisation("ORG-R01", country="RU")]
        )
        uow.projects.add(project)
        uow.tranches.add_many(tranches)
        at = datetime.now(UTC)
        entries = [commit(at, AMOUNT, project_id="LIC-P1", tranche_id=t.id) for t in tranches]
        post_entries(uow, AuditWriter(uow, rt.actor), entries)
        uow.commit()
    set_condition(rt, "ceasefire_holding", "met", on=date(2027, 1, 15), **OSCE)
    for t in tranches:
        release_tranche(rt, t.id)
    return rt


@pytest.fixture
def licensed(rt: Runtime, today: SetToday) -> Runtime:
    return _setup(rt, today)


def _file(tmp_path: Path, text: str, name: str = "licences.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def test_a_payment_is_refused_without_a_licence_and_made_with_one(
    licensed: Runtime, tmp_path: Path
) -> None:
    before = _counts(licensed)
    with pytest.raises(GateRefused) as refused:
        disburse_tranche(licensed, "LIC-P1-2027-1")
    assert _counts(licensed) == before
    assert "no sanctions licence covers the payment to ORG-R01" in refused.value.message
    assert refused.value.problems[0].code == "licence_missing"
    assert check_tranche(licensed, "LIC-P1-2027-1").sanctioned == ["ORG-R01"]

    import_licences(licensed, _file(tmp_path, LICENCE))
    assert check_tranche(licensed, "LIC-P1-2027-1").used == {"ORG-R01": "LIC-0101"}
    assert disburse_tranche(licensed, "LIC-P1-2027-1").status == "disbursed"
    [line] = licence_register(licensed, today=DAY)
    assert (line.paid, line.left) == (Decimal("1000.00"), Decimal("500.00"))
    assert [(u.tranche_id, u.counterparty) for u in line.uses] == [("LIC-P1-2027-1", "ORG-R01")]
    with licensed.uow() as uow:
        events = uow.audit.list(record_type="tranche", record_id="LIC-P1-2027-1")
        assert verify(uow).intact
    paid = [e for e in events if e.action == "tranche.disbursed"]
    assert paid[-1].details["licences"] == "ORG-R01: LIC-0101"


def test_the_cap_refuses_the_payment_that_would_pass_it(licensed: Runtime, tmp_path: Path) -> None:
    import_licences(licensed, _file(tmp_path, LICENCE))
    disburse_tranche(licensed, "LIC-P1-2027-1")
    before = _counts(licensed)
    with pytest.raises(GateRefused) as refused:
        disburse_tranche(licensed, "LIC-P1-2027-2")
    assert _counts(licensed) == before
    assert "licence LIC-0101 has USD 500.00 left and the payment is USD 1,000.00" in str(
        refused.value.problems[0]
    )
    # a payment by results of what is left fits under the cap
    assert disburse_tranche(licensed, "LIC-P1-2027-2", amount=Decimal("500.00")).amount == 500


def test_a_revoked_licence_stops_the_next_payment(licensed: Runtime, tmp_path: Path) -> None:
    import_licences(licensed, _file(tmp_path, LICENCE))
    revoked = revoke_licence(licensed, "LIC-0101", reason="authority withdrew it", day=DAY)
    assert revoked.revoked_on == DAY
    with pytest.raises(GateRefused, match="no sanctions licence"):
        disburse_tranche(licensed, "LIC-P1-2027-1")
    assert "was revoked on 2027-02-01" in check_tranche(licensed, "LIC-P1-2027-1").reasons[0]
    with pytest.raises(Conflict, match="already revoked"):
        revoke_licence(licensed, "LIC-0101", reason="authority withdrew it", day=DAY)
    with pytest.raises(InvalidInput, match="reason"):
        revoke_licence(licensed, "LIC-0101", reason="short")


def test_the_licence_ending_refuses_a_payment_after_it(
    licensed: Runtime, tmp_path: Path, today: SetToday
) -> None:
    import_licences(licensed, _file(tmp_path, LICENCE))
    today(date(2028, 1, 1))
    with pytest.raises(GateRefused):
        disburse_tranche(licensed, "LIC-P1-2027-1")
    today(date(2027, 12, 31))
    assert disburse_tranche(licensed, "LIC-P1-2027-1").status == "disbursed"


BAD = """
licences:
  - id: LIC-0201
    authority: OFAC
    reference: R-1
    counterparties: [ORG-R01, ORG-NOPE]
    areas: [health, moonshots]
    valid_from: 2027-01-01
    valid_until: 2027-12-31
  - id: LIC-0202
    kind: exemption
    authority: Council of the EU
    reference: R-2
    counterparties: [ORG-R01]
    valid_from: 2027-01-01
    valid_until: 2027-12-31
  - id: LIC-0201
    authority: OFAC
    reference: R-1
    counterparties: [ORG-R01]
    valid_from: 2027-05-01
    valid_until: 2027-04-30
"""


def test_a_bad_file_names_every_problem_and_stores_nothing(
    licensed: Runtime, tmp_path: Path
) -> None:
    before = _counts(licensed)
    with pytest.raises(InvalidInput) as refused:
        import_licences(licensed, _file(tmp_path, BAD))
    assert _counts(licensed) == before
    found = {(p.row, p.field, p.reason) for p in refused.value.problems}
    assert (1, "counterparties", "unknown organisation 'ORG-NOPE'") in found
    assert (1, "areas", "unknown area 'moonshots'") in found
    assert any(row == 2 and "legal_basis" in reason for row, _, reason in found)
    assert any(row == 3 and "valid_until comes before" in reason for row, _, reason in found)
    assert all(p.file == "licences.yaml" for p in refused.value.problems)
    import_licences(licensed, _file(tmp_path, LICENCE))
    with pytest.raises(InvalidInput) as again:
        import_licences(licensed, _file(tmp_path, LICENCE))
    reasons = {p.reason for p in again.value.problems}
    assert "licence LIC-0101 is already recorded" in reasons
    assert (
        "US Department of the Treasury, OFAC RUSSIA-EO14024-2027-1 is already recorded" in reasons
    )
