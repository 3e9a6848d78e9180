"""Storing decision records with their audit event, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pfund import __version__
from pfund.domain.decision import DecisionRecord, inputs_hash
from pfund.errors import Conflict, NotFound
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

PREFIX = {
    "appraisal": "APR",
    "portfolio": "OPT",
    "frontier": "FRN",
    "robust": "ROB",
    "scenario": "SCN",
    "committee": "CMT",
}


def save_record(
    rt: Runtime,
    *,
    kind: str,
    inputs: dict[str, Any],
    parameters: dict[str, Any],
    status: str,
    result: dict[str, Any],
    solver: str = "",
    solver_version: str = "",
    seed: int | None = None,
    objective: float | None = None,
    gap: float | None = None,
    then: Callable[[UnitOfWork, AuditWriter], None] | None = None,
) -> DecisionRecord:
    """Number the run (OPT-0001, ...), store it and write its audit event.

    `then` runs in the same transaction, after the record: what the run changes (an
    appraisal moves its projects to *appraised*) commits with it or not at all.
    """
    with rt.uow() as uow:
        number = uow.decisions.count(kind=kind) + 1
        record = DecisionRecord(
            id=f"{PREFIX[kind]}-{number:04d}",
            kind=kind,
            created_at=datetime.now(UTC),
            actor=rt.actor,
            inputs_hash=inputs_hash(inputs),
            inputs=inputs,
            parameters=parameters,
            solver=solver,
            solver_version=solver_version,
            seed=seed,
            status=status,
            objective=objective,
            gap=gap,
            result=result,
            pfund_version=__version__,
        )
        uow.decisions.add(record)
        details = {"inputs_hash": record.inputs_hash, "status": status}
        audit = AuditWriter(uow, rt.actor)
        audit.record(f"{kind}.run", "decision", record.id, details)
        if then is not None:
            then(uow, audit)
        uow.commit()
    return record


def get_record(rt: Runtime, record_id: str | None, *, kind: str) -> DecisionRecord:
    """A named record, or the newest of its kind."""
    with rt.uow() as uow:
        if record_id:
            record = uow.decisions.get(record_id)
        else:
            newest = uow.decisions.list(kind=kind, limit=1)
            record = newest[0] if newest else None
    if record is None:
        what = f"run '{record_id}'" if record_id else f"{kind} run yet"
        hint = "" if record_id else " (run `pfund portfolio optimize` first)"
        raise NotFound(f"no {what}{hint}")
    if record.kind != kind:
        # A record of another kind has another shape: say what it is rather than fail
        # reading it as this kind.
        raise NotFound(f"'{record.id}' is {_article(record.kind)} run, not {_article(kind)} run")
    return record


ANSWERING = ("optimal", "feasible")


def get_answering_record(rt: Runtime, record_id: str | None) -> DecisionRecord:
    """A portfolio run that holds a portfolio: the one named, or the newest such run.

    A run that found no portfolio (infeasible, or the solver failed) cannot answer
    "what if more money?" or "why is this project in?": by default it is passed over for
    the newest run that can, and when it is named, the refusal says which run can.
    """
    if record_id:
        record = get_record(rt, record_id, kind="portfolio")
        if record.status in ANSWERING:
            return record
        newest = _newest_answering(rt)
        hint = f"; the newest run with one is {newest.id}" if newest else ""
        raise Conflict(f"run {record.id} is {record.status}: it holds no portfolio{hint}")
    newest = _newest_answering(rt)
    if newest is None:
        get_record(rt, None, kind="portfolio")  # no run at all: says so, with the hint
        raise NotFound(
            "no portfolio run holds a portfolio yet (each was infeasible or failed): "
            "change the policy and run `pfund portfolio optimize` again"
        )
    return newest


def _newest_answering(rt: Runtime) -> DecisionRecord | None:
    with rt.uow() as uow:
        ids = uow.decisions.ids_by_status(kind="portfolio", statuses=ANSWERING)
        return uow.decisions.get(ids[0]) if ids else None


def _article(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"
