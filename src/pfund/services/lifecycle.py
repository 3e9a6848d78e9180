"""A project's status follows what happens to it, set where it happens and audited.

The rule (each step inside the transaction of the event that causes it, with a
``project.status`` audit event holding ``old``, ``new`` and the ``cause``):

- **screened**: a screening run (`screen_all`) or a decision on a hit leaves none of the
  project's counterparties (proponent, partners, their people, its contacts) with an
  open or confirmed hit; from *proposed* only.
- **appraised**: an appraisal that includes the project is recorded; from *proposed* or
  *screened*.
- **approved**: the board approves a run that chooses it (`tranches.approve`).
- **funded**: one of its tranches is released; from *approved*.
- **in progress**: one of its tranches is paid; from *approved* or *funded*.
- **completed**: every one of its tranches (cancelled ones aside) is paid; from
  *approved*, *funded* or *in progress*.

A status only moves forward along proposed → screened → appraised → approved → funded →
in progress → completed, and only from the statuses listed: a step that would go back
(a project already approved is appraised again) changes nothing. *submitted* (a
proposal not yet taken in) and *cancelled* (set by a person) are never changed here.
"""

from __future__ import annotations

from collections.abc import Iterable

from pfund.domain import ProjectStatus, TrancheStatus
from pfund.services.audit import AuditWriter
from pfund.store.unit_of_work import UnitOfWork

S = ProjectStatus
FROM: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    S.SCREENED: frozenset({S.PROPOSED}),
    S.APPRAISED: frozenset({S.PROPOSED, S.SCREENED}),
    S.FUNDED: frozenset({S.APPROVED}),
    S.IN_PROGRESS: frozenset({S.APPROVED, S.FUNDED}),
    S.COMPLETED: frozenset({S.APPROVED, S.FUNDED, S.IN_PROGRESS}),
}


def advance(
    uow: UnitOfWork,
    audit: AuditWriter,
    project_ids: Iterable[str],
    to: ProjectStatus,
    cause: str,
) -> list[str]:
    """Move each project to `to` if its current status allows (see the module); audited.

    Returns the ids that moved, in the order given. In bulk, whatever the number: the
    statuses are read a few hundred ids a query, each group of one old status moves in
    one ``UPDATE ... WHERE id IN (...) AND status = :old`` (a project another writer
    moved meanwhile is not overwritten: its status is read again and judged again), and
    the events, one per project as before, are written together at commit.
    """
    allowed = FROM[to]
    wanted = list(dict.fromkeys(project_ids))
    old: dict[str, ProjectStatus] = {}
    left = wanted
    while left:
        groups: dict[ProjectStatus, list[str]] = {}
        for pid, status in uow.projects.statuses(left).items():
            if status in allowed:
                groups.setdefault(status, []).append(pid)
        missed: list[str] = []
        for status, ids in groups.items():
            moved = uow.projects.move_statuses(ids, status, to)
            old.update((pid, status) for pid in ids if pid in moved)
            missed.extend(pid for pid in ids if pid not in moved)
        left = missed  # changed by another writer between the read and the update
    order = [pid for pid in wanted if pid in old]
    if order:
        audit.record_many(
            "project.status",
            "project",
            [(pid, {"old": old[pid].value, "new": to.value, "cause": cause}) for pid in order],
        )
    return order


def after_payment(uow: UnitOfWork, audit: AuditWriter, project_id: str, cause: str) -> None:
    """A tranche paid: in progress, or completed once every live tranche is paid."""
    live = [t for t in uow.tranches.list(project_id) if t.status is not TrancheStatus.CANCELLED]
    done = bool(live) and all(t.status is TrancheStatus.DISBURSED for t in live)
    advance(uow, audit, [project_id], S.COMPLETED if done else S.IN_PROGRESS, cause)


def after_screening(uow: UnitOfWork, audit: AuditWriter, cause: str) -> list[str]:
    """Proposed projects whose counterparties have no open or confirmed hit: screened."""
    from pfund.services.screening import blocking_refs  # screening calls this module

    clear = [
        p.id
        for p in uow.projects.list(status=S.PROPOSED.value)
        if not blocking_refs(
            uow,
            organisations=[o for o in (p.proponent, *p.partners) if o],
            contacts=p.contacts,
        )
    ]
    return advance(uow, audit, clear, S.SCREENED, cause)
