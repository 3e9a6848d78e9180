"""The conditions register: set a condition with evidence, and let the gates follow.

A change is checked against the verification protocol, stored with its history and
audit event, and a reversal freezes every tranche that needed the condition, all in
one transaction: money can never flow on a condition that no longer holds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel

from pfund.conditions import (
    ConditionChange,
    apply_change,
    frozen_by_reversal,
    registered_verifier,
    stage_reached,
    statuses_of,
    unlocked,
)
from pfund.domain import ConditionStatus, TrancheStatus
from pfund.domain.account import Permission
from pfund.domain.conditions import ConditionChange as StoredChange
from pfund.domain.fund import Verifier
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries
from pfund.services.runtime import Runtime
from pfund.services.tranches import freeze_entries
from pfund.services.writes import finish, money_write
from pfund.store.unit_of_work import UnitOfWork


class ConditionLine(BaseModel):
    code: str
    title: str
    title_ru: str = ""
    status: str
    since: date | None
    stage: int | None
    iati_type: str
    verifier: str  # the register's codes, as stored
    verifier_names: list[str] = []  # the same verifiers by their registered names
    evidence: str


class ConditionsView(BaseModel):
    stage_reached: int
    unlocked: list[str]
    conditions: list[ConditionLine]
    frozen_tranches: int


class ChangeResult(BaseModel):
    code: str
    old: str
    new: str
    stage_before: int
    stage_after: int
    frozen: list[str]
    frozen_reasons: list[str]


def show(rt: Runtime) -> ConditionsView:
    with rt.uow() as uow:
        conditions, stages = uow.conditions.list(), uow.stages.list()
        frozen = [t for t in uow.tranches.list() if t.status is TrancheStatus.FROZEN]
        register = {v.code: v.name for v in _verifiers(uow)}
    statuses = statuses_of(conditions)
    holder = {code: s.number for s in stages for code in s.conditions}
    return ConditionsView(
        stage_reached=stage_reached(stages, statuses),
        unlocked=unlocked(stages, statuses),
        conditions=[
            ConditionLine(
                code=c.code,
                title=c.title,
                title_ru=c.title_ru,
                status=c.status.value,
                since=c.status_since,
                stage=holder.get(c.code),
                iati_type=c.iati_type.name.lower(),
                verifier=c.protocol.verifier,
                # a store set up before verifiers were codes holds free text: kept as is
                verifier_names=[register.get(v, v) for v in c.protocol.verifier_codes],
                evidence=c.protocol.evidence,
            )
            for c in conditions
        ],
        frozen_tranches=len(frozen),
    )


def set_condition(
    rt: Runtime, code: str, status: str, *, evidence: str, verifier: str, on: date
) -> ChangeResult:
    """Change a condition's status; a reversal freezes the tranches that needed it.

    The verifier must be one of the fund's registered verifiers (stored by its code),
    the evidence a meaningful text or a link, and the date no later than today.
    """
    rt.require(Permission.SET_CONDITIONS)
    new = _status(status)
    with money_write(rt) as uow:
        result = change_status(uow, rt, code, new, evidence=evidence, verifier=verifier, on=on)
        finish(uow, rt, result)
    return result


def change_status(
    uow: UnitOfWork,
    rt: Runtime,
    code: str,
    new: ConditionStatus,
    *,
    evidence: str,
    verifier: str,
    on: date,
) -> ChangeResult:
    """The change inside a locked unit of work the caller commits: the status, its
    history row, the audit event and, on a reversal, the frozen tranches."""
    condition = uow.conditions.get(code)
    if condition is None:
        known = ", ".join(c.code for c in uow.conditions.list())
        raise NotFound(f"no condition '{code}' (known: {known})")
    stages = uow.stages.list()
    before = stage_reached(stages, statuses_of(uow.conditions.list()))
    change = ConditionChange(
        code=code,
        old=condition.status,
        new=new,
        evidence=evidence.strip(),
        verifier=registered_verifier(verifier, _verifiers(uow)).code,
        on=on,
        actor=rt.actor,
    )
    updated = apply_change(condition, change, today=money_gate.today())
    uow.conditions.set_status(code, updated.status, since=updated.status_since)
    uow.conditions.add_change(StoredChange(**change.model_dump()))
    audit = AuditWriter(uow, rt.actor)
    audit.record(
        "condition.changed",
        "condition",
        code,
        {"old": condition.status.value, "new": new.value, "on": on.isoformat()},
    )
    frozen = []
    if new is ConditionStatus.REVERSED:
        tranches = uow.tranches.list()
        was = {t.id: t.status for t in tranches}
        frozen = frozen_by_reversal(tranches, code, stages)
        ids = [f.tranche_id for f in frozen]
        post_entries(uow, audit, freeze_entries(uow, ids, datetime.now(UTC)))
        for f in frozen:
            if not uow.tranches.transition(f.tranche_id, was[f.tranche_id], TrancheStatus.FROZEN):
                raise Conflict(f"tranche {f.tranche_id} changed meanwhile; nothing was changed")
            audit.record("tranche.frozen", "tranche", f.tranche_id, {"condition": code})
    after = stage_reached(stages, statuses_of(uow.conditions.list()))
    return ChangeResult(
        code=code,
        old=condition.status.value,
        new=new.value,
        stage_before=before,
        stage_after=after,
        frozen=[f.tranche_id for f in frozen],
        frozen_reasons=[f.reason for f in frozen],
    )


def verifiers(rt: Runtime) -> list[Verifier]:
    """The fund's registered verifiers, in the data set's order (forms offer these)."""
    with rt.uow() as uow:
        return _verifiers(uow)


def _verifiers(uow: UnitOfWork) -> list[Verifier]:
    fund = uow.fund.get()
    return list(fund.verifiers) if fund else []


def history(rt: Runtime, code: str | None = None) -> list[StoredChange]:
    with rt.uow() as uow:
        if code is not None and uow.conditions.get(code) is None:
            raise NotFound(f"no condition '{code}'")
        return uow.conditions.history(code)


def _status(value: str) -> ConditionStatus:
    try:
        return ConditionStatus(value)
    except ValueError:
        choices = ", ".join(s.value for s in ConditionStatus)
        raise InvalidInput(
            "unknown status",
            [Problem(f"'{value}' is not a status; choose {choices}", field="status")],
        ) from None
