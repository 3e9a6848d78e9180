"""Stages reached on the bundled data, and the gate every tranche passes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pfund.conditions import (
    frozen_by_reversal,
    stage_reached,
    statuses_of,
    tranche_gate,
    unfreeze_candidates,
    unlocked,
)
from pfund.domain import ConditionStatus, Stage, Tranche, TrancheStatus
from pfund.errors import InvalidInput
from pfund.io.dataset import load_dataset

MET = ConditionStatus.MET
STAGE_1 = ["ceasefire_holding"]
STAGE_2 = ["sovereignty_restored", "sanctions_relief_phase1", "arms_control_talks"]
STAGE_3 = ["political_prisoners_released", "free_elections", "sanctions_relief_phase2"]


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return load_dataset().stages


def _statuses(*met: str, **others: ConditionStatus) -> dict[str, ConditionStatus]:
    base = statuses_of(load_dataset().conditions)
    return {**base, **dict.fromkeys(met, MET), **others}


def test_bundled_conditions_start_at_stage_zero(stages: list[Stage]) -> None:
    assert stage_reached(stages, _statuses()) == 0
    assert unlocked(stages, _statuses()) == ["governance", "education", "planning"]


def test_each_stage_needs_its_own_and_all_lower_conditions(stages: list[Stage]) -> None:
    assert stage_reached(stages, _statuses(*STAGE_1)) == 1
    assert stage_reached(stages, _statuses(*STAGE_1, *STAGE_2)) == 2
    assert stage_reached(stages, _statuses(*STAGE_1, *STAGE_2, *STAGE_3)) == 3
    assert stage_reached(stages, _statuses(*STAGE_2, *STAGE_3)) == 0  # no ceasefire
    partly = _statuses(*STAGE_1, *STAGE_2[:2], arms_control_talks=ConditionStatus.PARTLY_MET)
    assert stage_reached(stages, partly) == 1
    assert "transport" in unlocked(stages, _statuses(*STAGE_1, *STAGE_2))


def test_missing_status_counts_as_not_met(stages: list[Stage]) -> None:
    assert stage_reached(stages, {}) == 0
    assert stage_reached(stages, {"ceasefire_holding": MET}) == 1


def _tranche(tid: str, stage: int, status: str = "planned", **kw: object) -> Tranche:
    data = {"id": tid, "project_id": f"P-{tid}", "year": 2028, "amount": Decimal(100)}
    return Tranche.model_validate({**data, "stage": stage, "status": status, **kw})


def test_gate_releases_when_stage_and_own_conditions_are_met(stages: list[Stage]) -> None:
    tranche = _tranche("T1", 1, conditions=["result_verified"])
    gate = tranche_gate(tranche, _statuses(*STAGE_1, result_verified=MET), stages)
    assert gate.releasable
    assert gate.missing == []
    assert "may be released" in gate.reason


def test_gate_holds_and_lists_what_is_missing_with_status(stages: list[Stage]) -> None:
    tranche = _tranche("T2", 2, conditions=["result_verified"])
    statuses = _statuses(*STAGE_2[1:], ceasefire_holding=ConditionStatus.REVERSED)
    gate = tranche_gate(tranche, statuses, stages)
    assert not gate.releasable
    assert gate.missing == ["ceasefire_holding", "sovereignty_restored", "result_verified"]
    assert gate.missing_status["ceasefire_holding"] is ConditionStatus.REVERSED
    assert "ceasefire_holding (reversed)" in gate.reason
    assert "result_verified (not_met)" in gate.reason


def test_gate_refuses_unknown_stage_and_spent_tranches(stages: list[Stage]) -> None:
    with pytest.raises(InvalidInput, match="unknown stage"):
        tranche_gate(_tranche("T3", 5), _statuses(), stages)
    done = tranche_gate(_tranche("T4", 0, status="disbursed"), _statuses(), stages)
    assert not done.releasable


def test_reversal_freezes_exactly_the_tranches_that_needed_it(stages: list[Stage]) -> None:
    tranches = [
        _tranche("via-stage-1", 1),
        _tranche("via-stage-2", 2, status="released"),
        _tranche("via-own", 0, conditions=["ceasefire_holding"]),
        _tranche("stage-0", 0),
        _tranche("other-own", 0, conditions=["free_elections"]),
        _tranche("paid", 1, status="disbursed"),
        _tranche("gone", 2, status="cancelled"),
        _tranche("already", 1, status="frozen"),
    ]
    frozen = frozen_by_reversal(tranches, "ceasefire_holding", stages)
    assert [f.tranche_id for f in frozen] == ["via-stage-1", "via-stage-2", "via-own"]
    assert frozen[1].via == "stage 1 (Ceasefire holding)"
    assert frozen[2].via == "its own conditions"
    assert "needed ceasefire_holding" in frozen[0].reason


def test_unfreeze_candidates_are_frozen_tranches_the_gate_now_passes(
    stages: list[Stage],
) -> None:
    tranches = [
        _tranche("A", 1, status="frozen"),
        _tranche("B", 2, status="frozen"),
        _tranche("C", 1, status="planned"),
        _tranche("D", 0, status="frozen", conditions=["result_verified"]),
    ]
    now = _statuses(*STAGE_1, result_verified=MET)
    assert [g.tranche_id for g in unfreeze_candidates(tranches, now, stages)] == ["A", "D"]
    picked = unfreeze_candidates(tranches, now, stages, met_code="ceasefire_holding")
    assert [g.tranche_id for g in picked] == ["A"]
    assert all(t.status is TrancheStatus.FROZEN for t in tranches if t.id in {"A", "B"})
