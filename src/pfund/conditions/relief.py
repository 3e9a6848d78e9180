"""Sanctions-relief phases and the companies' return they gate.

Sanctions relief is staged like the rest of the fund's work: a relief phase is a
condition whose code begins ``sanctions_relief`` (``sanctions_relief_phase1``, ...), and
phase n is the n-th such condition in stage order. A company may be marked returning
only once the stage holding its phase is reached, with every condition of that stage and
of the stages before it met (stages are nested, as for tranches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pfund.conditions.stages import Statuses, stage_reached
from pfund.domain import ConditionStatus, Stage

__all__ = ["RELIEF_PREFIX", "ReliefPhase", "relief_phases", "return_refusal", "stage_for_phase"]

RELIEF_PREFIX = "sanctions_relief"


@dataclass(frozen=True)
class ReliefPhase:
    number: int  # 1, 2, ...
    stage: int  # the fund stage that holds it
    condition: str


def relief_phases(stages: Iterable[Stage]) -> list[ReliefPhase]:
    """The relief phases in order, each with the stage that holds it."""
    codes = [
        (s.number, c)
        for s in sorted(stages, key=lambda s: s.number)
        for c in s.conditions
        if c.startswith(RELIEF_PREFIX)
    ]
    return [ReliefPhase(i, stage, code) for i, (stage, code) in enumerate(codes, start=1)]


def stage_for_phase(stages: Iterable[Stage], phase: int) -> int:
    """The stage a return needing ``phase`` waits for: the phase's stage, the last phase's
    if the fund has fewer, the last stage if it stages no relief at all."""
    ordered = sorted(stages, key=lambda s: s.number)
    phases = relief_phases(ordered)
    if not phases:
        return ordered[-1].number if ordered else 0
    return phases[min(phase, len(phases)) - 1].stage


def return_refusal(needs_stage: int, stages: Iterable[Stage], statuses: Statuses) -> str | None:
    """Why a company needing ``needs_stage`` may not be marked returning now, or None."""
    ordered = sorted(stages, key=lambda s: s.number)
    if stage_reached(ordered, statuses) >= needs_stage:
        return None
    phase = next((p for p in relief_phases(ordered) if p.stage == needs_stage), None)
    needed = [c for s in ordered if s.number <= needs_stage for c in s.conditions]
    missing = [c for c in needed if statuses.get(c) is not ConditionStatus.MET]
    listed = ", ".join(f"{c} ({statuses.get(c, ConditionStatus.NOT_MET).value})" for c in missing)
    holder = next((s for s in ordered if s.number == needs_stage), None)
    name = f" '{holder.name}'" if holder else ""
    what = f"sanctions relief phase {phase.number}, " if phase else ""
    return f"its return needs {what}stage {needs_stage}{name}, not reached: not met: {listed}"
