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
from pfund.domain.organisation import Organisation, Person
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services.audit import AuditWriter
from pfund.services.filters import HitFilter
from pfund.services.lifecycle import after_screening
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

# Hits whose decisions and counterparties are read in one query: well within what both
# databases take as parameters of one IN list.
CHUNK = 500
# The fields of a hit the queue shows as they are stored.
SHOWN_AS_STORED = {
    "counterparty_kind",
    "counterparty_id",
    "entity_id",
    "matched",
    "score",
    "explanation",
    "created_at",
}


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
    return review_page(rt, everything=everything)[1]


def review_page(
    rt: Runtime,
    *,
    filters: HitFilter | None = None,
    offset: int = 0,
    limit: int | None = None,
    everything: bool = False,
) -> tuple[int, list[QueueItem]]:
    """How many hits the queue holds under ``filters``, and the ``limit`` of them from
    ``offset``, highest score first (open hits; with ``everything`` decided ones too).

    The store filters, counts and pages; the page's decisions and counterparties are
    read in one query each, so a page costs the same few queries however many hits wait.
    """
    rt.require(Permission.READ_PROTECTED)
    wanted = filters or HitFilter()
    with rt.uow() as uow:
        total, found = uow.hits.queue(
            statuses=None if everything else [HitStatus.OPEN],
            watchlist=wanted.watchlist,
            kind=wanted.kind,
            offset=offset,
            limit=limit,
        )
        items = [
            i for at in range(0, len(found), CHUNK) for i in _items(uow, found[at : at + CHUNK])
        ]
    return total, items


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
        (item,) = _items(uow, [(hit, STATUS_AFTER[kind])])
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


def _items(uow: UnitOfWork, found: list[tuple[ScreeningHit, HitStatus]]) -> list[QueueItem]:
    """The hits as the queue shows them, with their decisions and counterparties' names
    read for all of them at once (one query each, not one per hit)."""
    decisions = uow.hits.decisions_of(hit.id for hit, _ in found if hit.id is not None)
    people = uow.people.many(
        h.counterparty_id for h, _ in found if h.counterparty_kind is CounterpartyKind.PERSON
    )
    orgs = uow.organisations.many(
        h.counterparty_id for h, _ in found if h.counterparty_kind is not CounterpartyKind.PERSON
    )
    items = []
    for hit, status in found:
        assert hit.id is not None
        name, organisation = _counterparty(hit, people, orgs)
        items.append(
            QueueItem(
                hit=hit.id,
                status=status,
                counterparty_name=name,
                organisation=organisation,
                watchlist=hit.watchlist_id,
                decisions=decisions.get(hit.id, []),
                **hit.model_dump(include=SHOWN_AS_STORED),
            )
        )
    return items


def _counterparty(
    hit: ScreeningHit, people: dict[str, Person], orgs: dict[str, Organisation]
) -> tuple[str, str | None]:
    if hit.counterparty_kind is CounterpartyKind.PERSON:
        person = people.get(hit.counterparty_id)
        return (person.name, person.organisation) if person else ("(removed)", None)
    org = orgs.get(hit.counterparty_id)
    return (org.name if org else "(removed)", hit.counterparty_id)
