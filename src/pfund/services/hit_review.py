"""The review queue: compliance staff confirm or dismiss each screening hit, with a reason.

Decisions are appended with actor and time; the latest one gives the hit's status.
The queue is the one place that shows a counterparty's name next to the listed name:
compliance needs both to judge. Every other output names hits by id only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from pfund.domain.account import Permission
from pfund.domain.compliance import (
    STATUS_AFTER,
    CounterpartyKind,
    HitDecision,
    HitDecisionKind,
    HitStatus,
    ScreeningHit,
)
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services.audit import AuditWriter
from pfund.services.lifecycle import after_screening
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork


class QueueItem(BaseModel):
    """A hit as the compliance review shows it (protected names included)."""

    hit: int
    status: HitStatus
    counterparty_kind: CounterpartyKind
    counterparty_id: str
    counterparty_name: str
    organisation: str | None
    watchlist: str
    entity_id: str
    matched: str
    score: float
    explanation: str
    created_at: datetime
    decisions: list[HitDecision]


def review_queue(rt: Runtime, *, everything: bool = False) -> list[QueueItem]:
    """Open hits, highest score first; with ``everything`` decided ones too."""
    rt.require(Permission.READ_PROTECTED)
    with rt.uow() as uow:
        statuses = None if everything else [HitStatus.OPEN]
        found = uow.hits.with_status(statuses=statuses)
        items = [_item(uow, hit, status) for hit, status in found]
    return sorted(items, key=lambda item: (-item.score, item.hit))


def decide(rt: Runtime, hit_id: int, decision: str, reason: str) -> QueueItem:
    """Confirm or dismiss a hit; the reason is required and kept with actor and time."""
    rt.require(Permission.SCREEN)
    kind = _decision(decision)
    if not reason.strip():
        raise InvalidInput(
            f"a reason is required to {kind.value} hit {hit_id}",
            [Problem("give the reason for the decision", field="reason")],
        )
    with rt.uow() as uow:
        hit = uow.hits.get(hit_id)
        if hit is None:
            raise NotFound(f"no screening hit {hit_id}")
        uow.hits.decide(
            HitDecision(
                hit_id=hit_id,
                decision=kind,
                reason=reason.strip(),
                actor=rt.actor,
                at=datetime.now(UTC),
            )
        )
        audit = AuditWriter(uow, rt.actor)
        audit.record(
            f"screening.hit_{STATUS_AFTER[kind].value}",
            "screening_hit",
            str(hit_id),
            {"counterparty": hit.counterparty_id, "entity": hit.entity_id},
        )
        after_screening(uow, audit, f"screening hit {hit_id} {STATUS_AFTER[kind].value}")
        item = _item(uow, hit, STATUS_AFTER[kind])
        uow.commit()
    return item


def _decision(value: str) -> HitDecisionKind:
    try:
        return HitDecisionKind(value)
    except ValueError:
        choices = ", ".join(k.value for k in HitDecisionKind)
        raise InvalidInput(
            "unknown decision",
            [Problem(f"'{value}' is not a decision; choose {choices}", field="decision")],
        ) from None


def _item(uow: UnitOfWork, hit: ScreeningHit, status: HitStatus) -> QueueItem:
    assert hit.id is not None
    name, organisation = _counterparty(uow, hit)
    return QueueItem(
        hit=hit.id,
        status=status,
        counterparty_kind=hit.counterparty_kind,
        counterparty_id=hit.counterparty_id,
        counterparty_name=name,
        organisation=organisation,
        watchlist=hit.watchlist_id,
        entity_id=hit.entity_id,
        matched=hit.matched,
        score=hit.score,
        explanation=hit.explanation,
        created_at=hit.created_at,
        decisions=uow.hits.decisions(hit.id),
    )


def _counterparty(uow: UnitOfWork, hit: ScreeningHit) -> tuple[str, str | None]:
    if hit.counterparty_kind is CounterpartyKind.PERSON:
        person = uow.people.get(hit.counterparty_id)
        return (person.name, person.organisation) if person else ("(removed)", None)
    org = uow.organisations.get(hit.counterparty_id)
    return (org.name if org else "(removed)", hit.counterparty_id)
