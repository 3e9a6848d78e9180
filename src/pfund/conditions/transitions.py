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

A change rests on evidence and a verifier a reader can follow: the evidence is a
meaningful text (a few words naming the report or statement) or a link to it, the
verifier one of the fund's registered verifiers, and the change is dated no later than
the day it is recorded: a status "met" next April must not unlock money today.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

from pydantic import model_validator

from pfund.domain import Condition, ConditionStatus
from pfund.domain.conditions import ConditionChange as StoredChange
from pfund.domain.fund import Verifier
from pfund.errors import InvalidInput, Problem

__all__ = [
    "ALLOWED_TRANSITIONS",
    "ConditionChange",
    "allowed_next",
    "apply_change",
    "check_history",
    "check_transition",
    "evidence_problem",
    "registered_verifier",
]

# Evidence is a text of at least this many characters and words, or a URL.
MIN_EVIDENCE_CHARS = 15
MIN_EVIDENCE_WORDS = 3

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
        weak = evidence_problem(self.evidence) if self.evidence.strip() else None
        problems += [weak] if weak else []
        bad_move = _transition_problem(self.code, self.old, self.new)
        problems += [bad_move] if bad_move else []
        if problems:
            raise InvalidInput(f"invalid change of condition {self.code!r}", problems)
        return self


def evidence_problem(evidence: str) -> Problem | None:
    """Why `evidence` cannot carry a change of status, or None when it can.

    A link (http or https, with a host) points at the evidence itself; otherwise the
    text must say what the evidence is in a few words ("OSCE monitoring report of
    12 March"), not "ok" or "x".
    """
    text = evidence.strip()
    if _is_url(text):
        return None
    if len(text) >= MIN_EVIDENCE_CHARS and len(text.split()) >= MIN_EVIDENCE_WORDS:
        return None
    reason = (
        f"evidence must name the report or statement in at least {MIN_EVIDENCE_CHARS} "
        f"characters and {MIN_EVIDENCE_WORDS} words, or be a link (https://...) to it"
    )
    return Problem(reason, field="evidence")


def _is_url(text: str) -> bool:
    if any(c.isspace() for c in text):
        return False
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and "." in parts.netloc


def registered_verifier(value: str, verifiers: Sequence[Verifier]) -> Verifier:
    """The registered verifier `value` names (by code, or by its English or Russian name).

    Raise `InvalidInput` listing the registered verifiers when it names none of them:
    a status that moves money rests only on the word of a body the fund registered.
    """
    wanted = " ".join(value.split()).casefold()
    for v in verifiers:
        if wanted in {v.code.casefold(), v.name.casefold(), v.name_ru.casefold()} - {""}:
            return v
    if not verifiers:
        reason = "the fund has no registered verifiers; run 'pfund init' to load them"
    else:
        listed = "; ".join(f"{v.code} ({v.name})" for v in verifiers)
        reason = f"'{value}' is not a registered verifier; registered: {listed}"
    raise InvalidInput("unknown verifier", [Problem(reason, field="verifier")])


def apply_change(condition: Condition, change: ConditionChange, *, today: date) -> Condition:
    """The condition after `change`, refusing a change that starts from another status,
    is dated before the condition's current status began, or is dated after `today`
    (the day it is recorded: a future date would unlock money before the fact)."""
    problems: list[Problem] = []
    if change.code != condition.code:
        problems.append(Problem(f"change is for {change.code!r}", field="code"))
    if change.old is not condition.status:
        reason = f"the change starts from {change.old.value} but the status is now "
        problems.append(Problem(reason + condition.status.value, field="old"))
    if condition.status_since is not None and change.on < condition.status_since:
        reason = f"{change.on} is before the current status began ({condition.status_since})"
        problems.append(Problem(reason, field="on"))
    if change.on > today:
        reason = f"{change.on} is after today ({today}); record a change once it has happened"
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
