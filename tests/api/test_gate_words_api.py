"""The API answers a gate hold with its code and facts and words naming the API route
that clears it, never the CLI's command or option."""

from __future__ import annotations

from datetime import date

from pfund.api.refusals import api_error
from pfund.conditions.gates import vetting_holds
from pfund.services.gate import GateRefused
from tests.services.test_gate import _half_vetted


def test_a_vetting_hold_names_the_vetting_routes_and_keeps_its_facts() -> None:
    holds = vetting_holds([_half_vetted()], date(2027, 2, 1))
    error = api_error(GateRefused("tranche T-1 cannot be released", holds, tranche="T-1"))
    [problem] = error["problems"]
    assert problem["code"] == "vetting_not_approved"
    assert problem["facts"]["organisation"] == "ORG-D02"
    assert problem["facts"]["unmet"] == ""
    assert "POST /api/v1/organisations/ORG-D02/vetting/approval" in problem["reason"]
    assert "pfund " not in problem["reason"] and "--" not in problem["reason"]
