"""Grant agreements: drawn up from an approved project, signed, amended, completed,
closed or cancelled, and the money each step moves through the ledger.

The rules (each change one locked transaction with its ledger entries, its version row
and its audit events; see ``pfund.domain.agreement`` for the statuses):

* **Ceiling.** An agreement's amount bounds what its project is paid and still owed:
  ``exposure`` = unpaid (committed + released + frozen) + paid net of refunds
  (disbursed) over the project's tranches. An amendment below the exposure is refused,
  naming both figures; nothing else raises a project's exposure once it is approved
  (a reschedule stays within the commitment), so the ceiling holds.
* **Cancellation** decommits what is unpaid: every tranche's committed, released and
  frozen money goes back to the fund balance (the ledger's return movement), unpaid
  tranches become ``cancelled``, the project ``cancelled``; refunds held in
  ``returned`` rejoin the fund balance too.
* **Closure** (after completion) settles the accounts the same way but keeps the
  project's status: afterwards no money of the project is left in committed, released,
  frozen or returned; what stays in ``disbursed`` is what the project kept.
* **Refund / clawback**: money the partner pays back moves disbursed -> returned,
  taken from the project's paid tranches oldest first; at most what was paid net of
  earlier refunds. It is stated in the agreement's own currency: the fund's, or, for a
  project whose tranches are in another currency, that currency; then it is converted
  at the refund day's rate (recorded with each entry; no rate, nothing stored), what
  was paid is judged in that currency, and the exchange differences are booked (see
  ``pfund.funding.settlement``). While the agreement is open the money waits in
  ``returned`` (visible as refunded); on a closed or cancelled agreement it rejoins the
  fund balance in the same transaction (returned -> fund balance).
* **Versions.** Every change names the version it was read from; the row changes only
  ``WHERE status = ... AND version = ...``, so of two changes read from one version
  only the first lands (the second is a Conflict, nothing stored).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel

from pfund.domain import LedgerAccount, LedgerEntry, ProjectStatus, Tranche, TrancheStatus
from pfund.domain.account import Permission
from pfund.domain.agreement import (
    CHANGE_FROM,
    CHANGE_TO,
    MIN_REASON,
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Amendment,
    ChangeKind,
    ScheduleLine,
)
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import Ledger
from pfund.funding.settlement import (
    UNPAID,
    decommit_entries,
    own_paid,
    refund_entries,
    refund_entries_fx,
)
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries
from pfund.services.rates import rate_for
from pfund.services.runtime import Runtime
from pfund.services.writes import finish, money_write
from pfund.store.repositories.agreements import AgreementRepository
from pfund.store.unit_of_work import UnitOfWork

A = LedgerAccount
DECIDED = {ProjectStatus.APPROVED, ProjectStatus.FUNDED, ProjectStatus.IN_PROGRESS}

__all__ = [
    "AgreementLine",
    "AgreementMoney",
    "amend",
    "cancel",
    "close",
    "complete",
    "draw_up",
    "get_agreement",
    "list_agreements",
    "money_of",
    "own_currency",
    "refund",
    "sign",
]


class AgreementMoney(BaseModel):
    """Where an agreement's money stands in the ledger (fund currency)."""

    unpaid: Decimal  # committed + released + frozen
    paid: Decimal  # disbursed, net of refunds
    returned: Decimal  # refunded and not yet back in the fund balance
    refunded: Decimal  # every refund and clawback ever recorded
    exposure: Decimal  # unpaid + paid: what the ceiling bounds
    headroom: Decimal  # amount - exposure


class AgreementLine(BaseModel):
    """An agreement with its money and its history."""

    agreement: Agreement
    money: AgreementMoney
    versions: list[AgreementVersion]
    refund_currency: str = ""  # what a refund is stated in (``own_currency``)


class ChangeResult(BaseModel):
    """What one change did: the agreement after it and the money it moved."""

    agreement: Agreement
    kind: ChangeKind
    decommitted: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    repooled: Decimal = Decimal(0)
    tranches_cancelled: list[str] = []
    # a refund: the currency it was stated in, and (in another currency than the fund's)
    # its exchange gain (+) or loss (-) in the fund's currency, with the rate stated
    currency: str | None = None
    exchange_difference: Decimal = Decimal(0)
    rate: str = ""


# ---------------------------------------------------------------- reading


def list_agreements(rt: Runtime) -> list[AgreementLine]:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        store = AgreementRepository(uow.session)
        ledger = _ledger(uow)
        agreements = store.list()
        tranches: dict[str, list[Tranche]] = defaultdict(list)
        for t in uow.tranches.list() if agreements else []:  # one read for all of them
            tranches[t.project_id].append(t)
        return [_line(uow, store, ledger, a, tranches[a.project_id]) for a in agreements]


def get_agreement(rt: Runtime, agreement_id: str) -> AgreementLine:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        store = AgreementRepository(uow.session)
        agreement = _get(store, agreement_id)
        project_tranches = uow.tranches.list(agreement.project_id)
        return _line(uow, store, _ledger(uow), agreement, project_tranches)


def money_of(
    uow: UnitOfWork, ledger: Ledger, project_id: str, tranches: list[Tranche] | None = None
) -> AgreementMoney:
    """The project's money by account, over all its tranches (``tranches``: the
    project's, when the caller has read them)."""
    mine = uow.tranches.list(project_id) if tranches is None else tranches
    ids = [t.id for t in mine]
    unpaid = sum((ledger.balance(a, t) for t in ids for a in UNPAID), Decimal(0))
    paid = sum((ledger.balance(A.DISBURSED, t) for t in ids), Decimal(0))
    returned = sum((ledger.balance(A.RETURNED, t) for t in ids), Decimal(0))
    refunded = sum(
        (
            e.amount
            for e in ledger.entries
            if e.debit is A.RETURNED and e.credit is A.DISBURSED and e.tranche_id in ids
        ),
        Decimal(0),
    )
    agreement = AgreementRepository(uow.session).for_project(project_id)
    amount = agreement.amount if agreement else Decimal(0)
    exposure = unpaid + paid
    return AgreementMoney(
        unpaid=unpaid,
        paid=paid,
        returned=returned,
        refunded=refunded,
        exposure=exposure,
        headroom=amount - exposure,
    )


def _line(
    uow: UnitOfWork,
    store: AgreementRepository,
    ledger: Ledger,
    agreement: Agreement,
    tranches: list[Tranche],
) -> AgreementLine:
    return AgreementLine(
        agreement=agreement,
        money=money_of(uow, ledger, agreement.project_id, tranches),
        versions=store.versions(agreement.id),
        refund_currency=own_currency(tranches, agreement.currency),
    )


# ---------------------------------------------------------------- drawing up, signing


def draw_up(
    rt: Runtime,
    project_id: str,
    *,
    conditions_precedent: str = "",
    conditions_precedent_ru: str = "",
    reporting_duties: str = "",
    reporting_duties_ru: str = "",
    ends_on: date | None = None,
) -> Agreement:
    """A draft agreement for an approved project: its parties (proponent and partners),
    its commitment as the amount and its live tranches as the schedule."""
    rt.require(Permission.MOVE_MONEY)
    with money_write(rt) as uow:
        store = AgreementRepository(uow.session)
        project = uow.projects.get(project_id)
        if project is None:
            raise NotFound(f"no project '{project_id}'")
        if project.status not in DECIDED:
            raise Conflict(
                f"project {project_id} is {project.status.value}: only an approved project "
                "(approved, funded or in progress) gets an agreement"
            )
        if store.for_project(project_id) is not None:
            raise Conflict(f"project {project_id} already has an agreement")
        live = [t for t in uow.tranches.list(project_id) if t.status is not TrancheStatus.CANCELLED]
        fund = uow.fund.get()
        currency = fund.currency if fund else "USD"
        values = {
            "id": _next_id(store.ids()),
            "project_id": project_id,
            "parties": list(dict.fromkeys([project.proponent, *project.partners])),
            "amount": sum((t.amount for t in live), Decimal(0)),
            "currency": currency,
            "schedule": [
                ScheduleLine(tranche_id=t.id, year=t.year, amount=t.amount)
                for t in sorted(live, key=lambda t: (t.year, t.id))
            ],
            "conditions_precedent": conditions_precedent,
            "conditions_precedent_ru": conditions_precedent_ru,
            "reporting_duties": reporting_duties,
            "reporting_duties_ru": reporting_duties_ru,
            "ends_on": ends_on,
        }
        agreement = _valid(Agreement, values)
        store.add(agreement)
        audit = AuditWriter(uow, rt.actor)
        at = datetime.now(UTC)
        _version(store, audit, rt, agreement, ChangeKind.DRAWN_UP, {}, "drawn up", at)
        finish(uow, rt, agreement, status=201)
    return agreement


def sign(
    rt: Runtime, agreement_id: str, *, signed_on: date, version: int | None = None
) -> ChangeResult:
    """Record the signature: draft -> signed, on ``signed_on``."""
    rt.require(Permission.MOVE_MONEY)
    with money_write(rt) as uow:
        store, old = _for_change(uow, agreement_id, ChangeKind.SIGNED, version)
        new = _valid(Agreement, _next(old, ChangeKind.SIGNED) | {"signed_on": signed_on})
        result = _land(uow, rt, store, old, new, ChangeKind.SIGNED, "signed", {})
        finish(uow, rt, result)
    return result


# ---------------------------------------------------------------- amendments


def amend(rt: Runtime, agreement_id: str, change: Amendment) -> ChangeResult:
    """Amend (new amount or texts) or extend (a new end date) a signed agreement.

    ``change.version`` is the version the amendment was read from. An amount below the
    project's exposure (unpaid + paid) is refused with both figures: the payments would
    exceed the agreement.
    """
    rt.require(Permission.MOVE_MONEY)
    with money_write(rt) as uow:
        store, old = _for_change(uow, agreement_id, ChangeKind.AMENDED, change.version)
        asked = change.model_dump(exclude={"version", "reason"}, exclude_none=True)
        if change.amount is not None:
            asked["amount"] = change.amount.quantize(Decimal("0.01"))
        changes = {k: f"{getattr(old, k)} -> {v}" for k, v in asked.items() if getattr(old, k) != v}
        if not changes:
            raise InvalidInput(
                f"the amendment of {agreement_id} changes nothing; nothing was stored",
                [Problem("give a new amount, end date or text", field="amount")],
            )
        if change.amount is not None:
            _check_ceiling(uow, old, change.amount)
        kind = ChangeKind.EXTENDED if set(changes) == {"ends_on"} else ChangeKind.AMENDED
        new = _valid(Agreement, _next(old, kind) | asked)
        result = _land(uow, rt, store, old, new, kind, change.reason, changes)
        finish(uow, rt, result)
    return result


def _check_ceiling(uow: UnitOfWork, old: Agreement, amount: Decimal) -> None:
    money = money_of(uow, _ledger(uow), old.project_id)
    if amount >= money.exposure:
        return
    cur = old.currency
    raise InvalidInput(
        f"the amendment would leave payments above agreement {old.id}; nothing was stored",
        [
            Problem(
                f"amount {cur} {amount:,.2f} is below the {cur} {money.exposure:,.2f} the "
                f"project is paid and owed (paid {money.paid:,.2f}, unpaid "
                f"{money.unpaid:,.2f}); cancel or reschedule tranches first",
                field="amount",
            )
        ],
    )


# ---------------------------------------------------------------- completion, closure


def complete(
    rt: Runtime, agreement_id: str, *, reason: str, version: int | None = None
) -> ChangeResult:
    """The work the agreement paid for is done: signed -> completed (no money moves)."""
    rt.require(Permission.MOVE_MONEY)
    text = _reason(reason)
    with money_write(rt) as uow:
        store, old = _for_change(uow, agreement_id, ChangeKind.COMPLETED, version)
        new = _valid(Agreement, _next(old, ChangeKind.COMPLETED))
        result = _land(uow, rt, store, old, new, ChangeKind.COMPLETED, text, {})
        finish(uow, rt, result)
    return result


def close(
    rt: Runtime, agreement_id: str, *, reason: str, version: int | None = None
) -> ChangeResult:
    """Settle a completed agreement: what is unpaid is decommitted, unpaid tranches
    cancelled, refunds re-pooled; then no money of the project is left in committed,
    released, frozen or returned."""
    return _settle(rt, agreement_id, ChangeKind.CLOSED, reason, version)


def cancel(
    rt: Runtime, agreement_id: str, *, reason: str, version: int | None = None
) -> ChangeResult:
    """Cancel an agreement: everything unpaid goes back to the fund balance, unpaid
    tranches and the project are cancelled; what was paid stays paid (claw it back with
    :func:`refund`)."""
    return _settle(rt, agreement_id, ChangeKind.CANCELLED, reason, version)


def _settle(
    rt: Runtime, agreement_id: str, kind: ChangeKind, reason: str, version: int | None
) -> ChangeResult:
    rt.require(Permission.MOVE_MONEY)
    text = _reason(reason)
    with money_write(rt) as uow:
        store, old = _for_change(uow, agreement_id, kind, version)
        audit = AuditWriter(uow, rt.actor)
        at = datetime.now(UTC)
        ledger = _ledger(uow)
        tranches = uow.tranches.list(old.project_id)
        entries = decommit_entries(ledger, tranches, at, memo=f"{kind.value} {old.id}")
        unpaid = sum((e.amount for e in entries if e.credit in UNPAID), Decimal(0))
        repooled = sum((e.amount for e in entries if e.credit is A.RETURNED), Decimal(0))
        if entries:
            post_entries(uow, audit, entries)
        cancelled = _cancel_unpaid(uow, audit, tranches, f"{kind.value} {old.id}")
        if kind is ChangeKind.CANCELLED:
            _cancel_project(uow, audit, old.project_id, f"agreement {old.id} cancelled")
        changes = {
            "decommitted": str(unpaid),
            "repooled": str(repooled),
            "tranches_cancelled": ", ".join(cancelled),
        }
        new = _valid(Agreement, _next(old, kind))
        result = _land(uow, rt, store, old, new, kind, text, changes, audit=audit, at=at)
        result = result.model_copy(
            update={"decommitted": unpaid, "repooled": repooled, "tranches_cancelled": cancelled}
        )
        finish(uow, rt, result)
    return result


def _cancel_unpaid(
    uow: UnitOfWork, audit: AuditWriter, tranches: list[Tranche], cause: str
) -> list[str]:
    done = []
    for t in tranches:
        if t.status in (TrancheStatus.CANCELLED, TrancheStatus.DISBURSED):
            continue
        if not uow.tranches.transition(t.id, t.status, TrancheStatus.CANCELLED):
            raise Conflict(f"tranche {t.id} changed meanwhile; nothing was changed")
        audit.record("tranche.cancelled", "tranche", t.id, {"was": t.status.value, "cause": cause})
        done.append(t.id)
    return done


def _cancel_project(uow: UnitOfWork, audit: AuditWriter, project_id: str, cause: str) -> None:
    project = uow.projects.get(project_id)
    if project is None or project.status is ProjectStatus.CANCELLED:
        return
    uow.projects.set_status(project_id, ProjectStatus.CANCELLED)
    audit.record(
        "project.status",
        "project",
        project_id,
        {"old": project.status.value, "new": ProjectStatus.CANCELLED.value, "cause": cause},
    )


# ---------------------------------------------------------------- refunds


def refund(
    rt: Runtime,
    agreement_id: str,
    amount: Decimal,
    *,
    reason: str,
    clawback: bool = False,
    version: int | None = None,
    currency: str | None = None,
    on: date | None = None,
) -> ChangeResult:
    """Record money the partner paid back (a refund) or was made to pay back (a
    clawback): disbursed -> returned, oldest paid tranche first; on a closed or
    cancelled agreement it rejoins the fund balance at once.

    ``amount`` is in the agreement's own currency (``own_currency``: the fund's, or the
    currency its tranches are in); ``currency``, when given, must name it. A refund in
    another currency is converted at the rate of ``on`` (the refund day, today when not
    given), with the exchange differences booked (``refund_entries_fx``).

    Worked example: USD 600.00 paid of a USD 1,000.00 agreement; a refund of 250.00
    leaves paid 350.00 and returned 250.00; a second refund of 400.00 is refused
    (above the 350.00 paid net of earlier refunds).
    """
    rt.require(Permission.MOVE_MONEY)
    kind = ChangeKind.CLAWBACK if clawback else ChangeKind.REFUND
    text = _reason(reason)
    with money_write(rt) as uow:
        store, old = _for_change(uow, agreement_id, kind, version)
        tranches = uow.tranches.list(old.project_id)
        cur = own_currency(tranches, old.currency)
        if currency is not None and currency.strip().upper() != cur:
            raise InvalidInput(
                f"a {kind.value} under {old.id} is stated in {cur}; nothing was stored",
                [
                    Problem(
                        f"currency {currency!r}: the agreement's payments were made in {cur}, "
                        f"so its refunds are stated in {cur}",
                        field="currency",
                    )
                ],
            )
        _check_amount(amount, cur)
        ledger = _ledger(uow)
        at = datetime.now(UTC)
        repool = old.status in (AgreementStatus.CLOSED, AgreementStatus.CANCELLED)
        memo = f"{kind.value} under {old.id}: {text}"[:300]
        extra: dict[str, str] = {}
        if cur == ledger.currency:
            _check_paid(uow, ledger, old, kind, amount)
            entries = refund_entries(ledger, tranches, amount, at, repool=repool, memo=memo)
        else:
            _check_paid_own(ledger, tranches, old, kind, amount, cur)
            fund = uow.fund.get()
            day = on or money_gate.today()
            used = rate_for(uow, cur, ledger.currency, day, fund.rate_max_age_days if fund else 4)
            entries = refund_entries_fx(
                ledger, tranches, amount, used, at, repool=repool, memo=memo
            )
            extra = {"rate": f"{used.stated()}"}
        audit = AuditWriter(uow, rt.actor)
        post_entries(uow, audit, entries)
        repooled = sum((e.amount for e in entries if e.credit is A.RETURNED), Decimal(0))
        changes = {
            "amount": f"{cur} {amount}",
            "tranches": ", ".join(
                dict.fromkeys(e.tranche_id or "" for e in entries if e.credit is A.DISBURSED)
            ),
            "repooled": str(repooled),
        } | extra
        if cur != ledger.currency:
            changes |= _exchange_changes(entries, ledger.currency)
        new = _valid(Agreement, _next(old, kind))
        result = _land(uow, rt, store, old, new, kind, text, changes, audit=audit, at=at)
        net = Decimal(changes.get("exchange_difference", "X 0").split()[1])
        result = result.model_copy(
            update={
                "refunded": amount,
                "repooled": repooled,
                "currency": cur,
                "exchange_difference": net,
                "rate": extra.get("rate", ""),
            }
        )
        finish(uow, rt, result)
    return result


def own_currency(tranches: list[Tranche], fund_currency: str) -> str:
    """The currency an agreement's money was paid in: its tranches' own currency when
    they are in another currency than the fund's, else the fund's."""
    own = {t.original_currency for t in tranches if t.original_currency}
    return own.pop() if len(own) == 1 else fund_currency


def _check_paid(
    uow: UnitOfWork, ledger: Ledger, old: Agreement, kind: ChangeKind, amount: Decimal
) -> None:
    money = money_of(uow, ledger, old.project_id)
    if amount > money.paid:
        cur = old.currency
        raise InvalidInput(
            f"a {kind.value} above what was paid under {old.id}; nothing was stored",
            [
                Problem(
                    f"{cur} {amount:,.2f} is above the {cur} {money.paid:,.2f} paid to "
                    f"{old.project_id} net of earlier refunds ({cur} "
                    f"{money.refunded:,.2f} refunded before)",
                    field="amount",
                )
            ],
        )


def _check_paid_own(
    ledger: Ledger,
    tranches: list[Tranche],
    old: Agreement,
    kind: ChangeKind,
    amount: Decimal,
    cur: str,
) -> None:
    paid = [own_paid(ledger, t.id) for t in tranches if t.original_currency == cur]
    net = sum((p.own for p in paid), Decimal(0))
    if amount > net:
        before = sum((p.own_gross for p in paid), Decimal(0)) - net
        raise InvalidInput(
            f"a {kind.value} above what was paid under {old.id}; nothing was stored",
            [
                Problem(
                    f"{cur} {amount:,.2f} is above the {cur} {net:,.2f} paid to "
                    f"{old.project_id} net of earlier refunds ({cur} {before:,.2f} "
                    "refunded before)",
                    field="amount",
                )
            ],
        )


def _exchange_changes(entries: list[LedgerEntry], fund_currency: str) -> dict[str, str]:
    """The refund's exchange entries in the version row: gain less loss, fund currency."""
    net = sum(
        (
            e.amount if e.credit is A.EXCHANGE_GAIN else -e.amount
            for e in entries
            if A.EXCHANGE_GAIN in (e.debit, e.credit) or A.EXCHANGE_LOSS in (e.debit, e.credit)
        ),
        Decimal(0),
    )
    return {"exchange_difference": f"{fund_currency} {net}"}


# ---------------------------------------------------------------- helpers


def _ledger(uow: UnitOfWork) -> Ledger:
    fund = uow.fund.get()
    return Ledger(currency=fund.currency if fund else "USD", entries=tuple(uow.ledger.list()))


def _get(store: AgreementRepository, agreement_id: str) -> Agreement:
    found = store.get(agreement_id)
    if found is None:
        raise NotFound(f"no agreement '{agreement_id}'")
    return found


def _for_change(
    uow: UnitOfWork, agreement_id: str, kind: ChangeKind, version: int | None
) -> tuple[AgreementRepository, Agreement]:
    """The agreement as the change finds it, refused when its status does not allow
    the change or it is no longer at the version the change was read from."""
    store = AgreementRepository(uow.session)
    agreement = _get(store, agreement_id)
    if version is not None and agreement.version != version:
        raise Conflict(
            f"agreement {agreement_id} is at version {agreement.version}, not {version}: "
            "another change came first; read it again; nothing was stored"
        )
    allowed = CHANGE_FROM[kind]
    if agreement.status not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise Conflict(
            f"agreement {agreement_id} is {agreement.status.value}: a change of kind "
            f"{kind.value} needs it {names}; nothing was stored"
        )
    return store, agreement


def _next(old: Agreement, kind: ChangeKind) -> dict[str, object]:
    status = CHANGE_TO.get(kind, old.status)
    return old.model_dump() | {"version": old.version + 1, "status": status}


def _land(
    uow: UnitOfWork,
    rt: Runtime,
    store: AgreementRepository,
    old: Agreement,
    new: Agreement,
    kind: ChangeKind,
    reason: str,
    changes: dict[str, str],
    *,
    audit: AuditWriter | None = None,
    at: datetime | None = None,
) -> ChangeResult:
    """Store ``new`` over ``old`` conditionally, with its version row and audit event."""
    if not store.replace(old, new):
        raise Conflict(
            f"agreement {old.id} changed meanwhile (it is no longer {old.status.value} at "
            f"version {old.version}); nothing was stored"
        )
    writer = audit or AuditWriter(uow, rt.actor)
    if old.status is not new.status:
        changes = {"status": f"{old.status.value} -> {new.status.value}"} | changes
    _version(store, writer, rt, new, kind, changes, reason, at or datetime.now(UTC))
    return ChangeResult(agreement=new, kind=kind)


def _version(
    store: AgreementRepository,
    audit: AuditWriter,
    rt: Runtime,
    agreement: Agreement,
    kind: ChangeKind,
    changes: dict[str, str],
    reason: str,
    at: datetime,
) -> None:
    row = AgreementVersion(
        agreement_id=agreement.id,
        version=agreement.version,
        kind=kind,
        changes=changes,
        reason=reason[:300],
        actor=rt.actor[:200],
        at=at,
    )
    store.add_version(row)
    audit.record(
        f"agreement.{kind.value}",
        "agreement",
        agreement.id,
        {"version": str(agreement.version), "reason": row.reason} | changes,
    )


def _next_id(ids: list[str]) -> str:
    numbers = [int(i.split("-")[1]) for i in ids]
    return f"AGR-{max(numbers, default=0) + 1:04d}"


def _reason(reason: str) -> str:
    text = reason.strip()
    if len(text) < MIN_REASON:
        raise InvalidInput(
            "the change needs its reason; nothing was stored",
            [Problem(f"say in at least {MIN_REASON} characters why", field="reason")],
        )
    return text


def _check_amount(amount: Decimal, currency: str) -> None:
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            "not a valid amount; nothing was stored",
            [Problem(f"a positive amount in {currency} with at most 2 decimals", field="amount")],
        )


def _valid(model: type[Agreement], values: dict[str, object]) -> Agreement:
    from pydantic import ValidationError

    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], field=".".join(str(p) for p in e["loc"]) or None)
            for e in exc.errors()
        ]
        raise InvalidInput("not a valid agreement; nothing was stored", problems) from exc
