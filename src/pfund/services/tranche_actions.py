"""What a person may do with each tranche of a list now, and, when nothing, why not.

The tranches page offers "Release" only on a tranche the gate would let through,
"Disburse" only on a released one it would let through and "Unfreeze" only on a frozen
one whose conditions hold again; beside any other it says what holds the money. The
answer comes from the one gate (``gate_holds``, what ``check_gate`` refuses on), read
once for the whole page rather than once per tranche.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pfund.conditions.gates import Hold
from pfund.domain import Condition, Tranche, TrancheStatus
from pfund.services.gate import GateContext, Step, conditions_held, gate_context, gate_holds
from pfund.services.runtime import Runtime

__all__ = ["TrancheActions", "TrancheSteps", "tranche_actions"]

# The step each status leads to, and the word for it on the page's button.
NEXT = {
    TrancheStatus.PLANNED: "release",
    TrancheStatus.RELEASED: "disburse",
    TrancheStatus.FROZEN: "unfreeze",
}


@dataclass(frozen=True)
class TrancheActions:
    """A tranche, the next step for it (``None`` when there is none: paid, cancelled),
    and every reason that step is held now (none: it is allowed)."""

    tranche: Tranche
    action: str | None
    holds: list[Hold]

    @property
    def allowed(self) -> bool:
        return self.action is not None and not self.holds

    @property
    def early_only(self) -> bool:
        """Held by its year alone: a person may still decide an early release."""
        return self.action == "release" and [h.problem.field for h in self.holds] == ["year"]


@dataclass(frozen=True)
class TrancheSteps:
    """A list's tranches with their next steps, and what the reasons name: conditions by
    code (for their titles) and counterparties by id (for their names, which are public)."""

    rows: list[TrancheActions]
    conditions: dict[str, Condition]
    organisations: dict[str, str]


def tranche_actions(rt: Runtime, tranches: list[Tranche], today: date) -> TrancheSteps:
    """Each tranche's next step and what holds it; a few queries for the whole list."""
    with rt.uow() as uow:
        context = gate_context(uow, tranches)
    return TrancheSteps(
        [_actions(context, t, today) for t in tranches],
        context.conditions,
        {o.id: o.name for o in context.organisations.values()},
    )


def _actions(context: GateContext, tranche: Tranche, today: date) -> TrancheActions:
    action = NEXT.get(tranche.status)
    if action == "release":
        holds = gate_holds(context, tranche, Step.RELEASE, today=today)[1]
    elif action == "disburse":
        holds = gate_holds(context, tranche, Step.DISBURSE, today=today)[1]
    elif action == "unfreeze":  # as ``unfreeze_tranche`` judges it: the conditions alone
        holds = conditions_held(context, tranche)[1]
    else:
        holds = []
    return TrancheActions(tranche, action, holds)
