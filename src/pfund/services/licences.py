"""The register of sanctions licences: recorded, revoked and read by compliance, and
checked by the gate before every payment (``pfund.services.gate``).

A licence is entered from the authority's letter (or an exemption from the law that
grants it); its counterparties and areas must be known to the store, and a file of them
is imported all-or-nothing like the other imports. Revoking keeps the licence, with the
day and the reason: the payments made under it stay explained.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from pfund.conditions.licences import expiring, left_under
from pfund.domain import Tranche
from pfund.domain.account import Permission
from pfund.domain.licence import LicenceUse, SanctionsLicence, SanctionsPolicy
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.io.checks import Checked, parse
from pfund.io.files import Record, read_records
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.gate import GateContext, gate_context, licences_for
from pfund.services.imports import known
from pfund.services.runtime import Runtime
from pfund.store.repositories.licences import LicenceRepository
from pfund.store.unit_of_work import UnitOfWork

__all__ = [
    "LicenceCheck",
    "LicenceImport",
    "LicenceLine",
    "add_licence",
    "check_tranche",
    "import_licences",
    "licence_register",
    "licence_sample",
    "revoke_licence",
    "store_licences",
]


class LicenceLine(BaseModel):
    """A licence as the register lists it, with where it stands on a day."""

    licence: SanctionsLicence
    state: str  # in_force | expiring | not_yet | ended | revoked
    paid: Decimal
    left: Decimal | None
    uses: list[LicenceUse]


class LicenceImport(BaseModel):
    file: str
    imported: int
    ids: list[str]


class LicenceCheck(BaseModel):
    """Whether a tranche could be paid today as far as licences go, and under which."""

    tranche: str
    sanctioned: list[str]
    used: dict[str, str]
    reasons: list[str]


def import_licences(rt: Runtime, path: Path) -> LicenceImport:
    """Record every licence of a CSV, JSON or YAML file, or none (every problem named)."""
    rt.require(Permission.SCREEN)
    records = read_records(path, key="licences")
    with rt.uow() as uow:
        uow.hold_writes()
        licences = store_licences(uow, AuditWriter(uow, rt.actor), records, source=path.name)
        uow.commit()
    return LicenceImport(file=path.name, imported=len(licences), ids=[x.id for x in licences])


def add_licence(rt: Runtime, values: dict[str, object]) -> SanctionsLicence:
    """Record one licence sent as a request body, checked as an import of one row."""
    rt.require(Permission.SCREEN)
    record = Record("request", 1, dict(values), "json")
    with rt.uow() as uow:
        uow.hold_writes()
        [licence] = store_licences(uow, AuditWriter(uow, rt.actor), [record], source="request")
        uow.commit()
    return licence


def store_licences(
    uow: UnitOfWork, audit: AuditWriter, records: list[Record], *, source: str
) -> list[SanctionsLicence]:
    """Check ``records`` as a whole and write them with one audit event each, or raise
    naming every problem (file, row, field) and write nothing."""
    store = _store(uow)
    checked = parse(records, SanctionsLicence)
    _references(uow, checked, store)
    if checked.problems:
        count = len(checked.problems)
        raise InvalidInput(
            f"{source}: {count} problem{'s' * (count != 1)} found; nothing was imported",
            checked.problems,
        )
    licences = [lic for _, lic in checked.items]
    for lic in licences:
        store.add(lic)
        audit.record("licence.recorded", "licence", lic.id, _audit_details(lic, source))
    return licences


def revoke_licence(
    rt: Runtime, licence_id: str, *, reason: str, day: date | None = None
) -> SanctionsLicence:
    """Revoke a licence from ``day`` (today by default); payments after it are refused."""
    rt.require(Permission.SCREEN)
    text = reason.strip()
    if len(text) < 10:
        raise InvalidInput(
            "a revocation needs its reason",
            [Problem("say in at least 10 characters why the licence is revoked", field="reason")],
        )
    when = day or datetime.now(UTC).date()
    with rt.uow(write=True) as uow:
        store = _store(uow)
        found = store.get(licence_id)
        if found is None:
            raise NotFound(f"no licence '{licence_id}'")
        if not store.revoke(licence_id, when, text):
            raise Conflict(f"licence {licence_id} is already revoked; nothing was changed")
        AuditWriter(uow, rt.actor).record(
            "licence.revoked", "licence", licence_id, {"from": when.isoformat(), "reason": text}
        )
        uow.commit()
        revoked = store.get(licence_id)
    assert revoked is not None
    return revoked


def licence_register(rt: Runtime, *, today: date | None = None) -> list[LicenceLine]:
    """Every licence with its state on ``today``, what was paid under it and what is left."""
    rt.require(Permission.READ_INTERNAL)
    day = today or money_gate.today()  # the gate's own clock
    with rt.uow() as uow:
        store = _store(uow)
        licences = store.list()
        paid = store.paid()
        uses = store.uses()
        policy = _policy(uow)
    soon = {lic.id for lic in expiring(licences, day, policy)}
    return [
        LicenceLine(
            licence=lic,
            state=_state(lic, day, soon),
            paid=paid.get(lic.id, Decimal(0)),
            left=left_under(lic, paid),
            uses=[u for u in uses if u.licence_id == lic.id],
        )
        for lic in licences
    ]


def check_tranche(rt: Runtime, tranche_id: str, *, today: date | None = None) -> LicenceCheck:
    """What the licence part of the gate would say of paying ``tranche_id`` on ``today``."""
    rt.require(Permission.READ_INTERNAL)
    day = today or money_gate.today()  # the gate's own clock
    with rt.uow() as uow:
        tranche = uow.tranches.get(tranche_id)
        if tranche is None:
            raise NotFound(f"no tranche '{tranche_id}'")
        context = gate_context(uow, [tranche])
    return _check(context, tranche, day)


def _check(context: GateContext, tranche: Tranche, day: date) -> LicenceCheck:
    cover = licences_for(context, tranche, today=day)
    project = context.projects.get(tranche.project_id)
    parties = [project.proponent, *project.partners] if project else []
    sanctioned = sorted(
        p
        for p in parties
        if p in context.organisations
        and context.organisations[p].country in context.sanctions.jurisdictions
    )
    return LicenceCheck(
        tranche=tranche.id,
        sanctioned=sanctioned,
        used=cover.used,
        reasons=[h.problem.reason for h in cover.holds],
    )


class LicenceSample(BaseModel):
    """What the demo says of the register: how many licences, which end soon, and one
    tranche to a Russian counterparty paid under a licence in its year but refused
    once every licence naming it has ended."""

    recorded: int
    expiring: list[str]
    jurisdictions: list[str]
    tranche: str | None = None
    paid_on: date | None = None
    used: dict[str, str] = {}
    refused_on: date | None = None
    reasons: list[str] = []


def licence_sample(rt: Runtime, *, today: date | None = None) -> LicenceSample:
    """The register in a few facts, and the gate's licence rule on one sample tranche:
    the first tranche a licence covers on 1 January of its year, checked again the day
    after the last licence naming its counterparty ends."""
    day = today or money_gate.today()
    lines = licence_register(rt, today=day)
    with rt.uow() as uow:
        policy = _policy(uow)
        tranches = sorted(uow.tranches.list(), key=lambda t: (t.year, t.id))
        context = gate_context(uow, tranches)  # read once: the sample judges many tranches
    sample = LicenceSample(
        recorded=len(lines),
        expiring=[line.licence.id for line in lines if line.state == "expiring"],
        jurisdictions=list(policy.jurisdictions),
    )
    for tranche in tranches:
        start = date(tranche.year, 1, 1)
        found = _check(context, tranche, start)
        if not found.used or found.reasons:
            continue
        naming = [
            line.licence
            for line in lines
            if set(line.licence.counterparties) & set(found.sanctioned)
        ]
        after = max(lic.valid_until for lic in naming) + timedelta(days=1)
        later = _check(context, tranche, after)
        return sample.model_copy(
            update={
                "tranche": tranche.id,
                "paid_on": start,
                "used": found.used,
                "refused_on": after,
                "reasons": later.reasons,
            }
        )
    return sample


def _state(lic: SanctionsLicence, day: date, soon: set[str]) -> str:
    if lic.revoked_on is not None and lic.revoked_on <= day:
        return "revoked"
    if day < lic.valid_from:
        return "not_yet"
    if day > lic.valid_until:
        return "ended"
    return "expiring" if lic.id in soon else "in_force"


def _references(uow: UnitOfWork, checked: Checked, store: LicenceRepository) -> None:
    """What one licence cannot check by itself: known counterparties and areas, ids and
    authority references not used twice (in the file or in the store)."""
    k = known(uow)
    stored = store.list()
    ids = {lic.id for lic in stored}
    refs = {(lic.authority, lic.reference) for lic in stored}
    for record, lic in checked.items:
        for party in lic.counterparties:
            if party not in k.organisations:
                checked.add(record, "counterparties", f"unknown organisation '{party}'")
        for area in lic.areas:
            if area not in k.areas:
                checked.add(record, "areas", f"unknown area '{area}'")
        if lic.id in ids:
            checked.add(record, "id", f"licence {lic.id} is already recorded")
        if (lic.authority, lic.reference) in refs:
            checked.add(record, "reference", f"{lic.authority} {lic.reference} is already recorded")
        ids.add(lic.id)
        refs.add((lic.authority, lic.reference))


def _store(uow: UnitOfWork) -> LicenceRepository:
    fund = uow.fund.get()
    return LicenceRepository(uow.session, fund.currency if fund else "USD")


def _policy(uow: UnitOfWork) -> SanctionsPolicy:
    fund = uow.fund.get()
    return fund.sanctions if fund else SanctionsPolicy()


def _audit_details(lic: SanctionsLicence, source: str) -> dict[str, str]:
    return {
        "source": source,
        "kind": lic.kind.value,
        "authority": lic.authority,
        "reference": lic.reference,
        "counterparties": ", ".join(lic.counterparties),
        "valid": f"{lic.valid_from.isoformat()}..{lic.valid_until.isoformat()}",
        "max_amount": "" if lic.max_amount is None else str(lic.max_amount),
    }
