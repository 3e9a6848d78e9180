"""Loans and guarantees: record a project's instrument, take repayments, pay calls.

A loan is paid out through its project's tranches like a grant (commitment, release,
disbursement: ``services.tranches``); here its terms are recorded, its schedule and
arrears read against the ledger, and repayments taken in: each split into interest and
principal (oldest instalment first, interest first) and posted as two ledger entries in
one transaction with the audit event, under the money lock. A guarantee's call is paid
out of the fund balance, never beyond the exposure left nor outside its validity.

What each instrument costs the fund (``instrument_costs``) is the one conversion the
appraisal and the optimiser read (``services.appraisal.Inputs.fund_costs``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from pfund.domain import FundDefinition, LedgerAccount, LedgerEntry
from pfund.domain.account import Permission
from pfund.domain.instrument import GuaranteeTerms, InstrumentPolicy, LoanTerms
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import account_balances
from pfund.funding.instruments import (
    ROUNDING_RULE,
    Arrears,
    FundCost,
    Instalment,
    Overdue,
    allocate,
    arrears,
    fund_cost,
    grant_element,
    guarantee_expected_cost,
    schedule,
)
from pfund.funding.loan_entries import guarantee_call, interest_income, principal_repayment
from pfund.io.checks import parse
from pfund.io.files import load_yaml, read_records, read_text
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries
from pfund.services.runtime import Runtime
from pfund.services.writes import finish, money_write
from pfund.store.repositories.instruments import InstrumentRepository
from pfund.store.unit_of_work import UnitOfWork

__all__ = [
    "GuaranteeView",
    "LoanView",
    "Repayment",
    "call_guarantee",
    "guarantee_view",
    "instrument_costs",
    "list_instruments",
    "loan_view",
    "record_guarantee",
    "record_loan",
    "repay_loan",
]

A = LedgerAccount
ZERO = Decimal(0)
REPAID = (A.PRINCIPAL_REPAID, A.INTEREST_RECEIVED)


class LoanView(BaseModel):
    """A loan as the finance officer reads it on a day: schedule, what came back, arrears."""

    terms: LoanTerms
    on: date
    schedule: list[dict[str, object]]
    disbursed: Decimal
    principal_repaid: Decimal
    interest_received: Decimal
    outstanding: Decimal
    arrears: list[dict[str, object]]
    arrears_total: Decimal
    days_late: int
    grant_element: Decimal
    grant_equivalent: Decimal
    discount_rate: Decimal
    discount_rate_source: str
    rounding: str = ROUNDING_RULE


class GuaranteeView(BaseModel):
    terms: GuaranteeTerms
    expected_cost: Decimal
    called: Decimal
    exposure_left: Decimal
    basis: str


class Repayment(BaseModel):
    project_id: str
    amount: Decimal
    interest: Decimal
    principal: Decimal
    outstanding: Decimal
    currency: str


class Instruments(BaseModel):
    loans: list[LoanView]
    guarantees: list[GuaranteeView]


def _fund(uow: UnitOfWork) -> FundDefinition:
    fund = uow.fund.get()
    if fund is None:
        raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
    return fund


def _check_project(uow: UnitOfWork, project_id: str, currency: str, fund: FundDefinition) -> None:
    if uow.projects.get(project_id) is None:
        raise NotFound(f"no project {project_id}")
    if currency != fund.currency:
        reason = f"{currency}: an instrument is kept in the fund's currency, {fund.currency}"
        raise InvalidInput("instrument refused", [Problem(reason, field="currency")])


def _started(uow: UnitOfWork, project_id: str) -> bool:
    """Whether money already moved under the project's loan or guarantee."""
    kinds = {A.PRINCIPAL_REPAID, A.INTEREST_RECEIVED, A.GUARANTEE_CALLS}
    return any(
        e.debit in kinds or e.credit in kinds for e in uow.ledger.list(project_id=project_id)
    )


def record_loan(rt: Runtime, terms: LoanTerms) -> LoanView:
    """Make a project's instrument a loan with these terms (until repayments start)."""
    rt.require(Permission.APPROVE)
    with money_write(rt) as uow:
        fund = _fund(uow)
        _check_project(uow, terms.project_id, terms.currency, fund)
        repo = InstrumentRepository(uow.session)
        if repo.guarantees(terms.project_id):
            raise Conflict(f"project {terms.project_id} is guaranteed: one instrument a project")
        if _started(uow, terms.project_id):
            raise Conflict(f"the loan of {terms.project_id} is being repaid; its terms are kept")
        repo.put_loan(terms, datetime.now(UTC))
        details = {k: str(v) for k, v in terms.model_dump(mode="json").items()}
        AuditWriter(uow, rt.actor).record("loan.recorded", "project", terms.project_id, details)
        view = _loan_view(uow, fund, terms, money_gate.today())
        finish(uow, rt, view)
    return view


def record_guarantee(rt: Runtime, terms: GuaranteeTerms) -> GuaranteeView:
    """Make a project's instrument a guarantee (until a call is paid)."""
    rt.require(Permission.APPROVE)
    with money_write(rt) as uow:
        fund = _fund(uow)
        _check_project(uow, terms.project_id, terms.currency, fund)
        repo = InstrumentRepository(uow.session)
        if repo.loans(terms.project_id):
            raise Conflict(f"project {terms.project_id} has a loan: one instrument a project")
        if _started(uow, terms.project_id):
            raise Conflict(f"the guarantee of {terms.project_id} was called; its terms are kept")
        repo.put_guarantee(terms, datetime.now(UTC))
        details = {k: str(v) for k, v in terms.model_dump(mode="json").items()}
        audit = AuditWriter(uow, rt.actor)
        audit.record("guarantee.recorded", "project", terms.project_id, details)
        view = _guarantee_view(uow, terms)
        finish(uow, rt, view)
    return view


def _loan(uow: UnitOfWork, project_id: str) -> LoanTerms:
    found = InstrumentRepository(uow.session).loans(project_id)
    if not found:
        raise NotFound(f"project {project_id} has no loan")
    return found[0]


def _guarantee(uow: UnitOfWork, project_id: str) -> GuaranteeTerms:
    found = InstrumentRepository(uow.session).guarantees(project_id)
    if not found:
        raise NotFound(f"project {project_id} has no guarantee")
    return found[0]


def _row(i: Instalment) -> dict[str, object]:
    return {
        "number": i.number,
        "due": i.due.isoformat(),
        "interest": str(i.interest),
        "principal": str(i.principal),
        "payment": str(i.payment),
        "balance": str(i.balance),
    }


def _late(o: Overdue) -> dict[str, object]:
    return {
        "number": o.number,
        "due": o.due.isoformat(),
        "unpaid": str(o.unpaid),
        "days_late": o.days_late,
    }


def _loan_view(uow: UnitOfWork, fund: FundDefinition, terms: LoanTerms, on: date) -> LoanView:
    held = _held(uow, terms.project_id)
    disbursed, repaid, interest = (held[a] for a in (A.DISBURSED, *REPAID))
    rows = schedule(terms)
    # nothing is owed on a loan not paid out yet: its schedule runs from the payment
    late = arrears(rows, paid=repaid + interest, on=on) if disbursed > 0 else Arrears(())
    policy = fund.instruments
    cost = fund_cost(terms, policy.discount_rate)
    return LoanView(
        terms=terms,
        on=on,
        schedule=[_row(r) for r in rows],
        disbursed=disbursed,
        principal_repaid=repaid,
        interest_received=interest,
        outstanding=terms.principal - repaid,
        arrears=[_late(o) for o in late.overdue],
        arrears_total=late.total,
        days_late=late.days_late,
        grant_element=grant_element(terms, policy.discount_rate),
        grant_equivalent=cost.cost,
        discount_rate=policy.discount_rate,
        discount_rate_source=policy.discount_rate_source,
    )


def _held(uow: UnitOfWork, project_id: str) -> dict[LedgerAccount, Decimal]:
    """Each account's balance over the project's own entries (its tranches, its loan)."""
    return account_balances(uow.ledger.list(project_id=project_id))


def _guarantee_view(uow: UnitOfWork, terms: GuaranteeTerms) -> GuaranteeView:
    entries = uow.ledger.list(project_id=terms.project_id)
    called = sum((e.amount for e in entries if e.debit is A.GUARANTEE_CALLS), ZERO)
    cost = guarantee_expected_cost(terms)
    return GuaranteeView(
        terms=terms,
        expected_cost=cost,
        called=called,
        exposure_left=terms.exposure - called,
        basis=fund_cost(terms, Decimal(0)).basis,
    )


def loan_view(rt: Runtime, project_id: str, *, on: date | None = None) -> LoanView:
    """A loan's schedule, what came back, its arrears on ``on`` (today) and its cost."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        fund = _fund(uow)
        return _loan_view(uow, fund, _loan(uow, project_id), on or money_gate.today())


def guarantee_view(rt: Runtime, project_id: str) -> GuaranteeView:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        return _guarantee_view(uow, _guarantee(uow, project_id))


def list_instruments(rt: Runtime, *, on: date | None = None) -> Instruments:
    """Every loan (with its arrears on ``on``) and every guarantee of the fund."""
    rt.require(Permission.READ_INTERNAL)
    day = on or money_gate.today()
    with rt.uow() as uow:
        fund = _fund(uow)
        repo = InstrumentRepository(uow.session)
        return Instruments(
            loans=[_loan_view(uow, fund, t, day) for t in repo.loans()],
            guarantees=[_guarantee_view(uow, t) for t in repo.guarantees()],
        )


def repay_loan(rt: Runtime, project_id: str, amount: Decimal) -> Repayment:
    """Take a repayment in: interest then principal, oldest instalment first.

    Refused, with nothing stored, when it exceeds what the schedule still asks or the
    principal the project's tranches paid out (the ledger's own check).
    """
    rt.require(Permission.MOVE_MONEY)
    if amount <= 0:
        raise InvalidInput("repayment refused", [Problem("must be above 0", field="amount")])
    with money_write(rt) as uow:
        fund = _fund(uow)
        terms = _loan(uow, project_id)
        held = _held(uow, project_id)
        if held[A.DISBURSED] <= 0:
            reason = f"nothing of the loan of {project_id} was paid out; nothing is owed yet"
            raise InvalidInput("repayment refused", [Problem(reason, field="project_id")])
        interest, principal = allocate(
            schedule(terms),
            interest_paid=held[A.INTEREST_RECEIVED],
            principal_paid=held[A.PRINCIPAL_REPAID],
            amount=amount,
        )
        at, cur = datetime.now(UTC), fund.currency
        entries: list[LedgerEntry] = []
        if interest:
            entries.append(interest_income(at, interest, project_id=project_id, currency=cur))
        if principal:
            entries.append(principal_repayment(at, principal, project_id=project_id, currency=cur))
        audit = AuditWriter(uow, rt.actor)
        post_entries(uow, audit, entries)
        repaid = held[A.PRINCIPAL_REPAID] + principal
        details = {"amount": str(amount), "interest": str(interest), "principal": str(principal)}
        audit.record("loan.repaid", "project", project_id, details)
        result = Repayment(
            project_id=project_id,
            amount=amount,
            interest=interest,
            principal=principal,
            outstanding=terms.principal - repaid,
            currency=cur,
        )
        finish(uow, rt, result)
    return result


def call_guarantee(rt: Runtime, project_id: str, amount: Decimal, *, reason: str) -> GuaranteeView:
    """Pay a guarantee's call out of the fund balance, within its exposure and validity."""
    rt.require(Permission.MOVE_MONEY)
    if len(reason.strip()) < 10:
        raise InvalidInput("call refused", [Problem("say in 10 characters why", field="reason")])
    with money_write(rt) as uow:
        fund = _fund(uow)
        terms = _guarantee(uow, project_id)
        view = _guarantee_view(uow, terms)
        day = money_gate.today()
        problems = _call_problems(terms, view, amount, day)
        if problems:
            raise InvalidInput("call refused", problems)
        audit = AuditWriter(uow, rt.actor)
        at = datetime.now(UTC)
        post_entries(
            uow, audit, [guarantee_call(at, amount, project_id=project_id, currency=fund.currency)]
        )
        audit.record(
            "guarantee.called", "project", project_id, {"amount": str(amount), "reason": reason}
        )
        view = _guarantee_view(uow, terms)
        finish(uow, rt, view)
    return view


def _call_problems(
    terms: GuaranteeTerms, view: GuaranteeView, amount: Decimal, day: date
) -> list[Problem]:
    problems = []
    if not ZERO < amount <= view.exposure_left:
        why = f"a call of {amount} must be above 0 and at most {view.exposure_left} left"
        problems.append(Problem(why, field="amount"))
    if not terms.valid_from <= day <= terms.valid_until:
        why = f"the guarantee is valid {terms.valid_from} to {terms.valid_until}, not on {day}"
        problems.append(Problem(why, field="day"))
    return problems


class InstrumentImport(BaseModel):
    file: str
    loans: list[str]
    guarantees: list[str]


def import_instruments(rt: Runtime, path: Path) -> InstrumentImport:
    """Record every loan and guarantee of a YAML or JSON file (``loans:``, ``guarantees:``),
    or none: every problem is named by file, row and field."""
    rt.require(Permission.APPROVE)
    with money_write(rt) as uow:
        done = store_instruments(uow, AuditWriter(uow, rt.actor), path)
        finish(uow, rt, done)
    return done


def store_instruments(uow: UnitOfWork, audit: AuditWriter, path: Path) -> InstrumentImport:
    """Check the whole file, then write it with one audit event per instrument."""
    fund = _fund(uow)
    tree = load_yaml(read_text(path)) or {}
    checked = [
        parse(read_records(path, key=key), model) if key in tree else None
        for key, model in (("loans", LoanTerms), ("guarantees", GuaranteeTerms))
    ]
    problems = [p for c in checked if c for p in c.problems]
    items = [item for c in checked if c for _, item in c.items]
    for item in items:
        try:
            _check_project(uow, item.project_id, item.currency, fund)
        except (NotFound, InvalidInput) as exc:
            problems.append(Problem(str(exc.args[0]), file=path.name, field="project_id"))
    if problems:
        raise InvalidInput(f"{path.name} is invalid; nothing was stored", problems)
    repo, at = InstrumentRepository(uow.session), datetime.now(UTC)
    for item in items:
        kind = "loan" if isinstance(item, LoanTerms) else "guarantee"
        if isinstance(item, LoanTerms):
            repo.put_loan(item, at)
        else:
            repo.put_guarantee(item, at)
        details = {k: str(v) for k, v in item.model_dump(mode="json").items()}
        audit.record(f"{kind}.recorded", "project", item.project_id, details)
    return InstrumentImport(
        file=path.name,
        loans=[i.project_id for i in items if isinstance(i, LoanTerms)],
        guarantees=[i.project_id for i in items if isinstance(i, GuaranteeTerms)],
    )


def public_instrument(rt: Runtime, project_id: str) -> FundCost | None:
    """A public project's loan or guarantee: its face and cost to the fund (None: a grant).

    Only the terms' totals are shown; the page asking has checked the project is public.
    """
    with rt.uow() as uow:
        fund = _fund(uow)
        return instrument_costs(uow, fund.instruments).get(project_id)


def instrument_costs(uow: UnitOfWork, policy: InstrumentPolicy) -> dict[str, FundCost]:
    """What each project's loan or guarantee costs the fund (a grant: absent)."""
    repo = InstrumentRepository(uow.session)
    terms: list[LoanTerms | GuaranteeTerms] = [*repo.loans(), *repo.guarantees()]
    return {t.project_id: fund_cost(t, policy.discount_rate) for t in terms}
