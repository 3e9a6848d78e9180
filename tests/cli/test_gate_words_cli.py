"""The CLI adds, after the gate's words, the command that clears each hold the gate says
as data (screening, vetting, year); the gate itself names no command or option."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pfund.cli.refusals import refusal_lines
from pfund.conditions.gates import vetting_holds, year_hold
from pfund.domain import Tranche
from pfund.services.gate import GateRefused
from tests.services.test_gate import _half_vetted


def test_the_cli_names_the_command_for_vetting_and_year_holds() -> None:
    tranche = Tranche(id="T-1", project_id="P-1", year=2027, amount=Decimal("1"), stage=0)
    year = year_hold(tranche, date(2026, 12, 5), early=False)
    assert year is not None
    holds = [*vetting_holds([_half_vetted()], date(2026, 12, 5)), year]
    for hold in holds:  # the gate's words fit every channel
        assert "pfund " not in hold.problem.reason and "--" not in hold.problem.reason
    assert holds[0].problem.facts["organisation"] == "ORG-D02"
    assert holds[0].problem.facts["never"] == "rejects_neo_imperialism,works_for_democratic_change"
    refused = GateRefused("tranche T-1 cannot be released", holds, tranche="T-1", step="released")
    _, lines = refusal_lines(refused)
    assert lines[0].startswith("counterparty ORG-D02 (democratic forces): vetting not approved")
    assert lines[0].endswith("(vet it with 'pfund organisations vet ORG-D02')")
    assert lines[1].endswith("('pfund tranches release T-1 --early --reason TEXT')")
