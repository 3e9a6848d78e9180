"""The verification protocol's allowed status changes, and a change as a checked value.

A condition's status is a public fact that releases or freezes money, so it may only move
along the table below, and every move carries the evidence and the verifier behind it.
The table encodes the protocol's reading of each status:

- ``not_met`` may become ``partly_met`` or ``met`` (progress, gradual or at once);
- ``partly_met`` may become ``met``, or fall back to ``not_met`` (progress undone
  before it was ever complete is not a *reversal*, which freezes money);
- ``met`` may only become ``reversed``: once met, losing it is a reversal and freezes
  every tranche that needed it; a verifier cannot quietly mark it ``not_met``;
- ``reversed`` may become ``partly_met``, ``met`` or ``not_met`` (recovery, or the
  reversal judged lasting).

A change to the same status is refused: it would be an audit entry that changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from pydantic import model_validator

from pfund.domain import Condition, ConditionStatus
from pfund.domain.conditions import ConditionChange as StoredChange
from pfund.errors import InvalidInput, Problem

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ConditionChange",
    "allowed_next",
    "apply_change",
    "check_history",
    "check_transition",
]

S = ConditionStatus

ALLOWED_TRANSITIONS: dict[ConditionStatus, tuple[ConditionStatus, ...]] = {
    S.NOT_MET: (S.PARTLY_MET, S.MET),
    S.PARTLY_MET: (S.MET, S.NOT_MET),
    S.MET: (S.REVERSED,),
    S.REVERSED: (S.PARTLY_MET, S.MET, S.NOT_MET),
}


def allowed_next(old: ConditionStatus) -> tuple[ConditionStatus, ...]:
    """The statuses a condition may move to from `old`, in the protocol's order."""
    return ALLOWED_TRANSITIONS[ConditionStatus(old)]


def check_transition(code: str, old: ConditionStatus, new: ConditionStatus) -> None:
    """Raise `InvalidInput` unless the protocol allows `old` → `new` for condition `code`."""
    problem = _transition_problem(code, ConditionStatus(old), ConditionStatus(new))
    if problem is not None:
        raise InvalidInput(f"status change refused for condition {code!r}", [problem])


def _transition_problem(code: str, old: ConditionStatus, new: ConditionStatus) -> Problem | None:
    allowed = allowed_next(old)
    if new in allowed:
        return None
    names = ", ".join(s.value for s in allowed)
    why = "it is already" if new is old else "the protocol does not allow"
    reason = (
        f"condition {code!r} cannot move from {old.value} to {new.value} ({why} "
        f"{new.value if new is old else 'that move'}); allowed next statuses: {names}"
    )
    return Problem(reason, field="status")


class ConditionChange(StoredChange):
    """One verified move of a condition's status: what, from, to, on what evidence, by whom.

    The stored record (`pfund.domain.conditions.ConditionChange`) with the protocol
    checked: construction refuses a move the protocol does not allow and a blank evidence
    or verifier, raising `InvalidInput` with every problem at once.
    """

    @model_validator(mode="after")
    def _check(self) -> ConditionChange:
        problems = [
            Problem(f"{name} is required for a change of condition {self.code!r}", field=name)
            for name in ("evidence", "verifier")
            if not getattr(self, name).strip()
        ]
        bad_move = _transition_problem(self.code, self.old, self.new)
        problems += [bad_move] if bad_move else []
        if problems:
            raise InvalidInput(f"invalid change of condition {self.code!r}", problems)
        return self


def apply_change(condition: Condition, change: ConditionChange) -> Condition:
    """The condition after `change`, refusing a change that starts from another status
    or is dated before the condition's current status began."""
    problems: list[Problem] = []
    if change.code != condition.code:
        problems.append(Problem(f"change is for {change.code!r}", field="code"))
    if change.old is not condition.status:
        reason = f"the change starts from {change.old.value} but the status is now "
        problems.append(Problem(reason + condition.status.value, field="old"))
    if condition.status_since is not None and change.on < condition.status_since:
        reason = f"{change.on} is before the current status began ({condition.status_since})"
        problems.append(Problem(reason, field="on"))
    if problems:
        raise InvalidInput(f"cannot apply change to condition {condition.code!r}", problems)
    return condition.model_copy(update={"status": change.new, "status_since": change.on})


def check_history(changes: Sequence[ConditionChange]) -> None:
    """Raise unless the changes of one condition form a chain: each starts where the last
    ended, and none is dated before the one it follows."""
    problems: list[Problem] = []
    for row, (prev, this) in enumerate(itertools.pairwise(changes), start=2):
        if this.code != prev.code:
            problems.append(Problem(f"mixes {prev.code!r} and {this.code!r}", row=row))
        if this.old is not prev.new:
            reason = f"starts from {this.old.value} but the previous change ended at "
            problems.append(Problem(reason + prev.new.value, row=row, field="old"))
        if this.on < prev.on:
            reason = f"{this.on} is before the previous change ({prev.on})"
            problems.append(Problem(reason, row=row, field="on"))
    if problems:
        raise InvalidInput("the history of status changes is not a chain", problems)
