"""Donor agreements: recorded from a file, receipts matched and booked, earmarks given to
the optimiser, and each donor's report of what their money funded.

An agreement file (YAML, JSON or CSV) is stored all or nothing, every problem named by
file, row and field. A receipt is converted at its day's rate (the rate recorded with
it) into the agreement's currency, to be matched against the instalments, and into the
fund's currency, which the ledger receives: a pledge and a receipt of that amount for
the contributor, in one transaction with the receipt and its audit event, so the
contributor's ledger position counts it like any contribution. The ledger keeps one
currency, so the agreement's pledge is booked as its money arrives (at that day's
rate), not at signature: what is still due stays in the donor's currency, on the
agreement. The administration fee is stated on every receipt (its rate of the receipt
in the fund's currency) and taken off what the donor's report attributes; it is not a
ledger movement of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from pfund.domain import FundDefinition, LedgerEntry
from pfund.domain.account import Permission
from pfund.domain.donor_agreement import AGREEMENT_ID, RECEIPT_ID, DonorAgreement, DonorReceipt
from pfund.domain.fx import convert
from pfund.domain.ledger import FxNote
from pfund.domain.lengths import MAX_DIGITS
from pfund.domain.money import check_currency
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import pledge, receipt
from pfund.funding.donors import InstalmentState, fee_on, match
from pfund.io.checks import Checked, parse
from pfund.io.files import Record, read_records
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries
from pfund.services.rates import rate_for
from pfund.services.runtime import Runtime
from pfund.services.writes import finish, money_write
from pfund.store.repositories.donors import DonorRepository
from pfund.store.tables import LedgerEntryRow
from pfund.store.unit_of_work import UnitOfWork

__all__ = [
    "AgreementImport",
    "AgreementView",
    "ReceiptResult",
    "ReceiptsImport",
    "ReversalResult",
    "agreement_view",
    "donor_register",
    "import_agreements",
    "import_receipts",
    "record_receipt",
    "reverse_receipt",
    "store_agreements",
]


class AgreementImport(BaseModel):
    file: str
    imported: int
    ids: list[str]


class InstalmentLine(BaseModel):
    number: int
    due: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    status: str
    days_late: int


class AgreementView(BaseModel):
    """An agreement with its instalments, receipts and totals on a day."""

    agreement: DonorAgreement
    fund_currency: str
    instalments: list[InstalmentLine]
    receipts: list[DonorReceipt]
    received: Decimal  # in the agreement's currency
    outstanding: Decimal
    late: int  # instalments late on the day (paid late, or overdue)
    received_fund: Decimal  # in the fund's currency, what the ledger received
    fees: Decimal
    net: Decimal


def import_agreements(rt: Runtime, path: Path) -> AgreementImport:
    """Record every agreement of a file, or none (every problem named)."""
    rt.require(Permission.MOVE_MONEY)
    records = read_records(path, key="agreements")
    with rt.uow() as uow:
        uow.hold_writes()
        stored = store_agreements(uow, AuditWriter(uow, rt.actor), records, source=path.name)
        uow.commit()
    return AgreementImport(file=path.name, imported=len(stored), ids=[a.id for a in stored])


def store_agreements(
    uow: UnitOfWork, audit: AuditWriter, records: list[Record], *, source: str
) -> list[DonorAgreement]:
    """Check ``records`` as a whole, then write them with one audit event each."""
    repo = _repo(uow)
    checked = parse(records, DonorAgreement)
    _references(uow, checked, repo)
    if checked.problems:
        count = len(checked.problems)
        raise InvalidInput(
            f"{source}: {count} problem{'s' * (count != 1)} found; nothing was imported",
            checked.problems,
        )
    agreements = [a for _, a in checked.items]
    for a in agreements:
        repo.add(a)
        audit.record(
            "donor_agreement.recorded",
            "donor_agreement",
            a.id,
            {
                "source": source,
                "contributor": a.contributor,
                "reference": a.reference,
                "total": f"{a.total} {a.currency}",
                "instalments": str(len(a.instalments)),
                "earmark": a.earmark.stated(),
                "admin_fee": str(a.admin_fee),
            },
        )
    return agreements


def _references(uow: UnitOfWork, checked: Checked, repo: DonorRepository) -> None:
    """What one agreement cannot check alone: known contributor, areas and stages, and
    ids and references not used twice (in the file or the store)."""
    members = {c.iso3 for c in uow.reference.contributors()}
    areas = {a.code for a in uow.reference.areas()}
    stages = {s.number for s in uow.stages.list()}
    stored = repo.list()
    ids = {a.id for a in stored}
    refs = {a.reference for a in stored}
    for record, a in checked.items:
        if a.contributor not in members:
            checked.add(record, "contributor", f"unknown contributor '{a.contributor}'")
        for area in a.earmark.areas:
            if area not in areas:
                checked.add(record, "earmark.areas", f"unknown area '{area}'")
        for stage in a.earmark.stages:
            if stage not in stages:
                checked.add(record, "earmark.stages", f"unknown stage {stage}")
        if a.id in ids:
            checked.add(record, "id", f"agreement {a.id} is already recorded")
        if a.reference in refs:
            checked.add(record, "reference", f"reference {a.reference} is already recorded")
        ids.add(a.id)
        refs.add(a.reference)


class ReceiptResult(BaseModel):
    receipt: DonorReceipt
    fund_currency: str
    instalments: list[InstalmentLine]


def record_receipt(
    rt: Runtime,
    agreement_id: str,
    *,
    day: date,
    amount: Decimal,
    currency: str,
    memo: str = "",
) -> ReceiptResult:
    """Book money that arrived under an agreement: matched to its instalments in the
    agreement's currency, received by the ledger in the fund's (both rates recorded).

    Refused, with nothing stored: an unknown agreement, a day before signature, a
    currency without a rate for the day, or more than is still due."""
    rt.require(Permission.MOVE_MONEY)
    asked = ReceiptInput(agreement=agreement_id, day=day, amount=amount, currency=currency)
    asked = asked.model_copy(update={"memo": memo})
    with money_write(rt) as uow:
        result = _book(uow, AuditWriter(uow, rt.actor), asked, where=None)
        finish(uow, rt, result)
    return result


class ReceiptInput(BaseModel):
    """A receipt as a file row or a request gives it."""

    model_config = ConfigDict(extra="forbid")

    agreement: str = Field(pattern=AGREEMENT_ID)
    day: date
    amount: Decimal = Field(gt=0, max_digits=MAX_DIGITS, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    memo: str = Field(default="", max_length=300)


class ReceiptsImport(BaseModel):
    file: str
    booked: list[ReceiptResult]


def import_receipts(rt: Runtime, path: Path) -> ReceiptsImport:
    """Book every receipt of a file in one transaction, or none: the first refusal is
    named with its file and row, and nothing is stored."""
    rt.require(Permission.MOVE_MONEY)
    records = read_records(path, key="receipts")
    checked = parse(records, ReceiptInput)
    if checked.problems:
        raise InvalidInput(f"{path.name}: receipts invalid; nothing was booked", checked.problems)
    booked = []
    with money_write(rt) as uow:
        audit = AuditWriter(uow, rt.actor)
        _not_booked_yet(uow, checked)
        for record, item in checked.items:
            booked.append(_book(uow, audit, item, where=record))
        result = ReceiptsImport(file=path.name, booked=booked)
        finish(uow, rt, result)
    return result


def _not_booked_yet(uow: UnitOfWork, checked: Checked) -> None:
    """A file's receipt that is already booked (same agreement, day, amount, currency)
    refuses the file: a statement imported twice books its money once."""
    stored = {
        (r.agreement_id, r.day, r.amount, r.currency) for r in _repo(uow).receipts() if r.standing
    }
    for record, item in checked.items:
        key = (item.agreement, item.day, item.amount, item.currency.upper())
        if key in stored:
            reason = f"{item.agreement} already has this receipt of {item.day}"
            checked.add(record, "day", reason)
    if checked.problems:
        raise InvalidInput("receipts already booked; nothing was booked", checked.problems)


def _book(
    uow: UnitOfWork, audit: AuditWriter, asked: ReceiptInput, *, where: Record | None
) -> ReceiptResult:
    try:
        return _book_one(uow, audit, asked)
    except InvalidInput as exc:
        if where is None:
            raise
        located = [
            Problem(p.reason, file=where.file, row=where.row, field=p.field) for p in exc.problems
        ]
        raise InvalidInput(
            f"{where.file} row {where.row}: {exc.message}; nothing was booked", located
        ) from exc


def _book_one(uow: UnitOfWork, audit: AuditWriter, asked: ReceiptInput) -> ReceiptResult:
    cur, day, amount = _currency(asked.currency), asked.day, asked.amount
    fund = _fund(uow)
    repo = DonorRepository(uow.session, fund.currency)
    agreement = repo.get(asked.agreement)
    if agreement is None:
        raise NotFound(f"no donor agreement '{asked.agreement}'")
    if day < agreement.signed:
        reason = f"{day} is before the agreement was signed ({agreement.signed})"
        raise InvalidInput("receipt before signature", [Problem(reason, field="day")])
    to_agreement = rate_for(uow, cur, agreement.currency, day, fund.rate_max_age_days)
    to_fund = rate_for(uow, cur, fund.currency, day, fund.rate_max_age_days)
    in_agreement = convert(amount, to_agreement.rate, agreement.currency)
    before = [r for r in repo.receipts(agreement.id) if r.standing]
    due = agreement.total - sum((r.agreement_amount for r in before), Decimal(0))
    if in_agreement > due:
        reason = (
            f"{amount:,.2f} {cur} is {in_agreement:,.2f} {agreement.currency} at "
            f"{to_agreement.stated()}; only {due:,.2f} {agreement.currency} is still due"
        )
        raise InvalidInput("more than is due", [Problem(reason, field="amount")])
    in_fund = convert(amount, to_fund.rate, fund.currency)
    new = DonorReceipt(
        agreement_id=agreement.id,
        number=repo.next_number(agreement.id),
        day=day,
        amount=amount,
        currency=cur,
        agreement_amount=in_agreement,
        rate=to_agreement.rate,
        rate_date=to_agreement.day,
        fund_amount=in_fund,
        fund_rate=to_fund.rate,
        fund_rate_date=to_fund.day,
        fee=fee_on(in_fund, agreement.admin_fee),
        memo=asked.memo,
    )
    post_entries(uow, audit, _entries(agreement, new, fund.currency))
    repo.add_receipt(new, _last_entry(uow))
    audit.record(
        "donor_agreement.receipt",
        "donor_agreement",
        agreement.id,
        {
            "number": str(new.number),
            "day": day.isoformat(),
            "amount": f"{amount} {cur}",
            "in_agreement_currency": f"{in_agreement} {agreement.currency}",
            "rate": to_agreement.stated(),
            "in_fund_currency": f"{in_fund} {fund.currency}",
            "fund_rate": to_fund.stated(),
            "fee": str(new.fee),
        },
    )
    states = match(agreement, _matchable([*before, new]), today=day)
    return ReceiptResult(receipt=new, fund_currency=fund.currency, instalments=_lines(states))


def _entries(agreement: DonorAgreement, new: DonorReceipt, fund: str) -> list[LedgerEntry]:
    """The contributor pledges and pays the receipt's value in the fund's currency."""
    at = datetime.combine(new.day, datetime.min.time(), tzinfo=UTC)
    memo = f"{agreement.id} receipt {new.number} ({agreement.reference})"
    note = None
    if new.currency != fund:
        note = FxNote(
            fx_amount=new.amount,
            fx_currency=new.currency,
            fx_rate=new.fund_rate,
            fx_rate_date=new.fund_rate_date,
        )
    built = [
        make(at, new.fund_amount, contributor=agreement.contributor, currency=fund, memo=memo)
        for make in (pledge, receipt)
    ]
    if note is None:
        return built
    return [LedgerEntry.model_validate(e.model_dump() | note.model_dump()) for e in built]


class ReversalResult(BaseModel):
    """A receipt taken back, and the agreement's instalments matched again without it."""

    receipt: DonorReceipt
    fund_currency: str
    reversed: Decimal  # what the ledger gave back, in the fund's currency
    on: date  # the value date of the opposing ledger entries
    instalments: list[InstalmentLine]


def reverse_receipt(
    rt: Runtime,
    receipt_id: str,
    *,
    reason: str,
    on: date | None = None,
    today: date | None = None,
) -> ReversalResult:
    """Take back a receipt booked in error (wrong donor, wrong amount, a bounced
    transfer). Nothing is deleted: the ledger gets the receipt's entries opposed (at the
    rate they were booked at) with ``on`` as their value date (default today), the
    receipt is marked reversed with who, when and why, the instalments are matched again
    without it, and the event is audited, all in one transaction. Refused, with nothing
    changed: an unknown receipt, no reason, a value date before the receipt's own day or
    after today, a receipt already reversed, or a fund balance that no longer holds the
    money."""
    rt.require(Permission.MOVE_MONEY)
    agreement_id, number = _receipt_key(receipt_id)
    why = reason.strip()
    if not why or len(why) > MAX_REASON:
        problem = Problem(f"give the reason in 1 to {MAX_REASON} characters", field="reason")
        raise InvalidInput("a reversal states its reason", [problem])
    now_day = today or money_gate.today()
    value_day = on or now_day
    if value_day > now_day:
        problem = Problem(f"{value_day} is after today ({now_day})", field="on")
        raise InvalidInput(
            "a reversal cannot be dated in the future; nothing was changed", [problem]
        )
    at = datetime.now(UTC)
    with money_write(rt) as uow:
        fund = _fund(uow)
        repo = DonorRepository(uow.session, fund.currency)
        agreement = repo.get(agreement_id)
        found = repo.receipt(agreement_id, number)
        if agreement is None or found is None:
            raise NotFound(f"no donor receipt '{receipt_id}'")
        if not found.standing:
            _already(found)
        if value_day < found.day:
            problem = Problem(f"{value_day} is before the receipt's day ({found.day})", field="on")
            raise InvalidInput(
                "a reversal cannot be dated before its receipt; nothing was changed", [problem]
            )
        audit = AuditWriter(uow, rt.actor)
        memo = f"reverses {agreement_id} receipt {number}: {why}"[:MAX_REASON]
        value_at = datetime.combine(value_day, datetime.min.time(), tzinfo=UTC)
        opposed = [
            LedgerEntry.model_validate(
                e.model_dump()
                | {"debit": e.credit, "credit": e.debit, "at": value_at, "memo": memo}
            )
            for e in reversed(_entries(agreement, found, fund.currency))
        ]
        post_entries(uow, audit, opposed)
        if not repo.mark_reversed(agreement_id, number):
            _already(found)
        repo.add_reversal(
            agreement_id,
            number,
            at=at,
            actor=rt.actor,
            reason=why,
            ledger_entry_id=_last_entry(uow),
        )
        audit.record(
            "donor_agreement.receipt_reversed",
            "donor_agreement",
            agreement_id,
            {
                "number": str(number),
                "day": found.day.isoformat(),
                "amount": f"{found.amount} {found.currency}",
                "in_fund_currency": f"{found.fund_amount} {fund.currency}",
                "on": value_day.isoformat(),
                "reason": why,
            },
        )
        now = repo.receipt(agreement_id, number)
        assert now is not None
        states = match(agreement, _matchable(repo.receipts(agreement_id)), today=now_day)
        result = ReversalResult(
            receipt=now,
            fund_currency=fund.currency,
            reversed=found.fund_amount,
            on=value_day,
            instalments=_lines(states),
        )
        finish(uow, rt, result)
    return result


MAX_REASON = 300


def _receipt_key(receipt_id: str) -> tuple[str, int]:
    found = re.fullmatch(RECEIPT_ID, receipt_id.strip())
    if found is None:
        reason = f"'{receipt_id}' is not a receipt id (agreement and number: DA-0001-2)"
        raise InvalidInput("bad receipt id", [Problem(reason, field="receipt")])
    agreement_id, _, number = receipt_id.strip().rpartition("-")
    return agreement_id, int(number)


def _already(found: DonorReceipt) -> NoReturn:
    when = f" (on {found.reversed_at:%Y-%m-%d})" if found.reversed_at else ""
    raise Conflict(
        f"receipt {found.receipt_id} is already reversed{when}; nothing was changed",
        [Problem(f"{found.receipt_id} was reversed before", field="receipt")],
    )


def _last_entry(uow: UnitOfWork) -> int | None:
    found = uow.session.execute(select(func.max(LedgerEntryRow.id))).scalar()
    return None if found is None else int(found)


def agreement_view(rt: Runtime, agreement_id: str, *, today: date | None = None) -> AgreementView:
    """One agreement, its instalments on ``today`` (paid, part-paid, late) and receipts."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        fund = _fund(uow)
        repo = DonorRepository(uow.session, fund.currency)
        agreement = repo.get(agreement_id)
        if agreement is None:
            raise NotFound(f"no donor agreement '{agreement_id}'")
        receipts = repo.receipts(agreement_id)
    return _view(agreement, receipts, fund.currency, today or money_gate.today())


def donor_register(rt: Runtime, *, today: date | None = None) -> list[AgreementView]:
    """Every agreement with where it stands on ``today``."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        fund = _fund(uow)
        repo = DonorRepository(uow.session, fund.currency)
        agreements = repo.list()
        receipts = repo.receipts()
    day = today or money_gate.today()
    return [
        _view(a, [r for r in receipts if r.agreement_id == a.id], fund.currency, day)
        for a in agreements
    ]


def _view(
    agreement: DonorAgreement, receipts: list[DonorReceipt], fund: str, day: date
) -> AgreementView:
    standing = [r for r in receipts if r.standing]  # a reversed receipt is shown, not counted
    states = match(agreement, _matchable(standing), today=day)
    received = sum((r.agreement_amount for r in standing), Decimal(0))
    received_fund = sum((r.fund_amount for r in standing), Decimal(0))
    fees = sum((r.fee for r in standing), Decimal(0))
    return AgreementView(
        agreement=agreement,
        fund_currency=fund,
        instalments=_lines(states),
        receipts=receipts,
        received=received,
        outstanding=agreement.total - received,
        late=sum(1 for s in states if s.late and (s.status != "open" or s.due < day)),
        received_fund=received_fund,
        fees=fees,
        net=received_fund - fees,
    )


def _matchable(receipts: Sequence[DonorReceipt]) -> list[tuple[int, date, Decimal]]:
    return [(r.number, r.day, r.agreement_amount) for r in receipts if r.standing]


def _lines(states: list[InstalmentState]) -> list[InstalmentLine]:
    return [
        InstalmentLine(
            number=s.number,
            due=s.due,
            amount=s.amount,
            paid=s.paid,
            outstanding=s.outstanding,
            status=s.status,
            days_late=s.days_late,
        )
        for s in states
    ]


def _repo(uow: UnitOfWork) -> DonorRepository:
    return DonorRepository(uow.session, _fund(uow).currency)


def _fund(uow: UnitOfWork) -> FundDefinition:
    fund = uow.fund.get()
    if fund is None:
        raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
    return fund


def _currency(code: str) -> str:
    try:
        return check_currency(code.strip().upper())
    except ValueError as exc:
        raise InvalidInput("bad currency", [Problem(str(exc), field="currency")]) from exc
