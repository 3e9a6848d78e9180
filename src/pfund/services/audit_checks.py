"""When the audit chain was last verified, and what was found, for the metrics.

``pfund audit verify`` adds a row here each time it runs (who, when, intact or not, how
many events), so an alert can fire when nobody has checked the chain for too long or
the last check found it broken. The row is not itself an audit event: an event per
check would move the chain's head every time a monitor checks it, so a head published
a minute ago would already be behind; the rows are only ever added, with actor and time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pfund.services.audit import AuditReport
from pfund.services.runtime import Runtime


@dataclass(frozen=True)
class Verification:
    at: datetime
    intact: bool
    events: int


def record_verification(rt: Runtime, report: AuditReport) -> Verification:
    """Note that the chain was verified now by ``rt``'s actor, with this outcome."""
    done = Verification(at=datetime.now(UTC), intact=report.intact, events=report.events)
    with rt.uow() as uow:
        uow.verifications.add(at=done.at, actor=rt.actor, intact=done.intact, events=done.events)
        uow.commit()
    return done


def last_verification(rt: Runtime) -> Verification | None:
    """The latest verification, or None if the chain was never verified here."""
    with rt.uow() as uow:
        last = uow.verifications.last()
    return Verification(*last) if last is not None else None
