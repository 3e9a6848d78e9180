"""The one gate every release and payment of a tranche passes, naming every reason it holds.

Release and disbursement both call ``check_gate`` inside their transaction, after
reading the tranche, so a payment re-checks what may have changed since the release:

- the conditions of the tranche's stage, of every stage before it, and its own;
- open or confirmed screening hits on the proponent, the partners, their people and the
  project's contacts;
- the vetting of every counterparty of a vetted kind (a democratic-forces group):
  unapproved, incomplete or lapsed vetting holds the money;
- the tranche's year, at release: not before 1 January of its year unless a person
  decides an early release (the service audits the reason).

A refusal is one ``Conflict`` whose headline lists every reason and whose problems
explain each, by ids and codes only (never a person's name). The pure rules live in
``pfund.conditions.stages`` and ``pfund.conditions.gates``; this module reads the store
and the clock and hands them ``today``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from pfund.conditions import statuses_of, tranche_gate
from pfund.conditions.gates import Hold, condition_holds, vetting_holds, year_hold
from pfund.conditions.stages import GateResult
from pfund.domain import Organisation, Tranche
from pfund.errors import Conflict, Problem
from pfund.services.screening import blocking_refs
from pfund.store.unit_of_work import UnitOfWork

__all__ = ["Step", "check_gate", "condition_gate", "today"]


class Step(StrEnum):
    """What the gate is asked to let through, in the words of the refusal."""

    RELEASE = "released"
    DISBURSE = "paid"


def today() -> date:
    """The day in UTC: the one clock the gate reads (tests replace it to fix a day)."""
    return datetime.now(UTC).date()


def check_gate(
    uow: UnitOfWork, tranche: Tranche, step: Step, *, today: date, early: bool = False
) -> GateResult:
    """Let the tranche through or raise ``Conflict`` naming every reason it is held.

    ``early`` is an explicit, audited early release decided by a person; it lifts only
    the year rule, and only at release (a released tranche's year was checked then).
    """
    gate, holds = condition_gate(uow, tranche)
    project = uow.projects.get(tranche.project_id)
    parties = [p for p in ([project.proponent, *project.partners] if project else []) if p]
    holds += _screening_holds(uow, parties, project.contacts if project else [])
    organisations = [o for o in (uow.organisations.get(p) for p in parties) if o is not None]
    holds += vetting_holds(_unique(organisations), today)
    if step is Step.RELEASE:
        held = year_hold(tranche, today, early=early)
        holds += [held] if held else []
    if holds:
        headline = "; ".join(h.summary for h in holds)
        raise Conflict(
            f"tranche {tranche.id} cannot be {step.value}: {headline}",
            [h.problem for h in holds],
        )
    return gate


def condition_gate(uow: UnitOfWork, tranche: Tranche) -> tuple[GateResult, list[Hold]]:
    """The conditions part of the gate alone: what an unfreeze must see hold again."""
    stages = uow.stages.list()
    gate = tranche_gate(tranche, statuses_of(uow.conditions.list()), stages)
    holders = {code: s.number for s in stages for code in s.conditions}
    return gate, condition_holds(gate, holders)


def _screening_holds(uow: UnitOfWork, parties: list[str], contacts: list[str]) -> list[Hold]:
    """One hold per open or confirmed hit; hit, counterparty and organisation by id only."""
    hits = blocking_refs(uow, organisations=parties, contacts=contacts)
    return [
        Hold(
            f"screening hit {h.hit} on organisation {h.organisation} is {h.status.value}",
            Problem(
                f"hit {h.hit} ({h.status.value}, score {h.score:.2f}) on "
                f"{h.counterparty_kind.value} {h.counterparty_id} of organisation "
                f"{h.organisation}; review it with 'pfund screen review'",
                field="screening",
            ),
        )
        for h in hits
    ]


def _unique(organisations: list[Organisation]) -> list[Organisation]:
    return list({o.id: o for o in organisations}.values())
