"""The tranches page's view of the gate: for a page of tranches at once, the same
reasons the gate refuses on, each naming what holds the money."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pfund.services import gate
from pfund.services.gate import GateRefused
from pfund.services.runtime import Runtime
from pfund.services.tranche_actions import tranche_actions
from pfund.services.tranches import list_tranches, release_tranche
from tests.services.test_gate import TRANCHE, SetToday, _hit_on, _meet, _setup


@pytest.mark.parametrize("reason", ["none", "conditions", "screening", "vetting", "year"])
def test_the_page_sees_what_the_gate_refuses_on(
    rt: Runtime, today_: SetToday, tmp_path: Path, reason: str
) -> None:
    gated = _setup(rt, today_, ["ORG-D01", "ORG-D02"] if reason == "vetting" else ["ORG-D01"])
    if reason != "conditions":
        _meet(gated)
    if reason == "screening":
        _hit_on(gated, "Kama Riverkeepers Trust", tmp_path)
    if reason == "year":
        today_(date(2026, 12, 5))
    steps = tranche_actions(gated, list_tranches(gated), gate.today())
    row = next(r for r in steps.rows if r.tranche.id == TRANCHE)
    assert row.action == "release"
    if reason == "none":
        assert row.allowed and release_tranche(gated, TRANCHE).status == "released"
        return
    with pytest.raises(GateRefused) as refused:
        release_tranche(gated, TRANCHE)
    assert [h.problem for h in row.holds] == [h.problem for h in refused.value.holds]
    assert not row.allowed and row.early_only == (reason == "year")
    subject = {
        "conditions": "ceasefire_holding",
        "vetting": "ORG-D02",
        "year": "2027",
    }.get(reason)
    if subject:
        assert row.holds[0].subject == subject
    if reason == "vetting":
        assert steps.organisations["ORG-D02"]
    if reason == "conditions":
        assert row.holds[0].state == "not_met" and "ceasefire_holding" in steps.conditions
    if reason == "vetting":
        assert steps.organisations["ORG-D02"]
    if reason == "screening":
        assert row.holds[0].state == "open" and row.holds[0].subject.isdigit()


@pytest.fixture
def today_(today: SetToday) -> SetToday:
    return today
