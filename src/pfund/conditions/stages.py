"""Which stage the fund has reached, and which tranches its conditions let through.

A stage is reached when every condition of it *and of every stage before it* is met:
stages are nested, so sanctions relief without a holding ceasefire unlocks nothing.
A tranche needs the conditions of its stage and of all lower stages, plus its own
(project-level) conditions such as a verified result. A condition absent from the
statuses given counts as not met: money never flows on a fact nobody has verified.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pfund.domain import Condition, ConditionStatus, Stage, Tranche, TrancheStatus
from pfund.errors import InvalidInput, Problem

__all__ = [
    "FreezeResult",
    "GateResult",
    "frozen_by_reversal",
    "required_conditions",
    "stage_reached",
    "statuses_of",
    "tranche_gate",
    "unfreeze_candidates",
    "unlocked",
]

Statuses = Mapping[str, ConditionStatus]


def statuses_of(conditions: Iterable[Condition]) -> dict[str, ConditionStatus]:
    """The current status of each condition by code: the input every gate reads."""
    return {c.code: c.status for c in conditions}


def _ordered(stages: Iterable[Stage]) -> list[Stage]:
    return sorted(stages, key=lambda s: s.number)


def _met(code: str, statuses: Statuses) -> bool:
    return statuses.get(code, ConditionStatus.NOT_MET) is ConditionStatus.MET


def stage_reached(stages: Iterable[Stage], statuses: Statuses) -> int:
    """The highest stage k whose conditions, and those of every stage before it, are met.

    Stage 0 without conditions is always reached; -1 means not even the first stage is.
    """
    reached = -1
    for stage in _ordered(stages):
        if not all(_met(c, statuses) for c in stage.conditions):
            break
        reached = stage.number
    return reached


def unlocked(stages: Iterable[Stage], statuses: Statuses) -> list[str]:
    """The kinds of work unlocked now: what every reached stage unlocks, in stage order."""
    top = stage_reached(stages, statuses)
    kinds = [k for s in _ordered(stages) if s.number <= top for k in s.unlocks]
    return list(dict.fromkeys(kinds))


def required_conditions(tranche: Tranche, stages: Iterable[Stage]) -> list[str]:
    """Every condition a tranche needs: its stage's, all lower stages', then its own."""
    ordered = _ordered(stages)
    if tranche.stage not in {s.number for s in ordered}:
        known = ", ".join(str(s.number) for s in ordered)
        reason = f"tranche {tranche.id} needs stage {tranche.stage}; known stages: {known}"
        raise InvalidInput("unknown stage", [Problem(reason, field="stage")])
    codes = [c for s in ordered if s.number <= tranche.stage for c in s.conditions]
    return list(dict.fromkeys([*codes, *tranche.conditions]))


@dataclass(frozen=True)
class GateResult:
    """Whether a tranche may be released now, what is missing and why, in one sentence."""

    tranche_id: str
    releasable: bool
    missing: list[str]
    missing_status: dict[str, ConditionStatus] = field(default_factory=dict)
    reason: str = ""


def tranche_gate(tranche: Tranche, statuses: Statuses, stages: Iterable[Stage]) -> GateResult:
    """Check a tranche against the conditions it needs; a cancelled or disbursed tranche
    is never releasable, whatever the conditions say."""
    needed = required_conditions(tranche, stages)
    missing = [c for c in needed if not _met(c, statuses)]
    status_of = {c: statuses.get(c, ConditionStatus.NOT_MET) for c in missing}
    if tranche.status in (TrancheStatus.CANCELLED, TrancheStatus.DISBURSED):
        why = f"Tranche {tranche.id} is {tranche.status.value} and cannot be released."
        return GateResult(tranche.id, False, missing, status_of, why)
    if missing:
        listed = ", ".join(f"{c} ({status_of[c].value})" for c in missing)
        why = f"Tranche {tranche.id} is held: not met: {listed}."
        return GateResult(tranche.id, False, missing, status_of, why)
    why = f"Tranche {tranche.id} may be released: all {len(needed)} conditions it needs are met."
    return GateResult(tranche.id, True, [], {}, why)


@dataclass(frozen=True)
class FreezeResult:
    """A tranche a reversal freezes, and through what it needed the condition."""

    tranche_id: str
    project_id: str
    amount: Decimal
    year: int
    via: str
    reason: str


def _via(tranche: Tranche, code: str, stages: Sequence[Stage]) -> str:
    holder = next((s for s in stages if code in s.conditions), None)
    if holder is not None and holder.number <= tranche.stage:
        return f"stage {holder.number} ({holder.name})"
    return "its own conditions"


def frozen_by_reversal(
    tranches: Iterable[Tranche], reversed_code: str, stages: Iterable[Stage]
) -> list[FreezeResult]:
    """Every planned or released tranche that needed the reversed condition, with why.

    Disbursed money is gone and cancelled tranches never pay, so neither is listed.
    """
    ordered = _ordered(stages)
    live = (TrancheStatus.PLANNED, TrancheStatus.RELEASED)
    out: list[FreezeResult] = []
    for t in tranches:
        if t.status not in live or reversed_code not in required_conditions(t, ordered):
            continue
        via = _via(t, reversed_code, ordered)
        reason = f"Tranche {t.id} of {t.project_id} needed {reversed_code} through {via}."
        out.append(FreezeResult(t.id, t.project_id, t.amount, t.year, via, reason))
    return out


def unfreeze_candidates(
    tranches: Iterable[Tranche],
    statuses: Statuses,
    stages: Iterable[Stage],
    *,
    met_code: str | None = None,
) -> list[GateResult]:
    """Frozen tranches the gate now lets through (needing `met_code`, when given).

    Candidates only: a person releases them, as a reversal may recur.
    """
    ordered = _ordered(stages)
    out: list[GateResult] = []
    for t in tranches:
        if t.status is not TrancheStatus.FROZEN:
            continue
        if met_code is not None and met_code not in required_conditions(t, ordered):
            continue
        gate = tranche_gate(t, statuses, ordered)
        if gate.releasable:
            out.append(gate)
    return out
