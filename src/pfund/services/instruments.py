"""Loans and guarantees: record a project's instrument, take repayments, pay calls.

A loan is paid out through its project's tranches like a grant (commitment, release,
disbursement: ``services.tranches``); here its terms are recorded, its schedule and
arrears read against the ledger, and repayments taken in: each split into interest and
principal (oldest instalment first, interest first) and posted as two ledger entries in
one transaction with the audit event, under the money lock. A guarantee's call is paid
out of the fund balance, never beyond the exposure left nor outside its validity.

What each instrument costs the fund (``instrument_costs``) is the one conversion the
appraisal and the optimiser read (``services.appraisal.Inputs.fund_costs``).

**Another currency.** A loan or guarantee may be in another currency than the fund's
when its project is in that currency (the loan is paid out through the project's
tranches, which carry their own currency and rates). Its schedule, arrears, exposure and
what came back are kept in the instrument's currency, read back from the ledger entries'
own amounts. Each repayment and call is stated in that currency and converted at its
day's rate (recorded with each entry; no rate: refused, nothing stored): interest is
income at that rate; principal leaves the loan's outstanding balance at the value the
ledger carries it at (the payment's commitment rate), and the difference to its value
at the day's rate is one exchange gain or loss naming the loan's tranche (so with the
difference booked when it was paid out, the fund's exchange result on the principal is
the payment day's rate against the repayment day's). Views and the cost to the fund
state the fund-currency equivalent at the rate used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from pfund.domain import FundDefinition, LedgerAccount, LedgerEntry
from pfund.domain.account import Permission
from pfund.domain.fx import RateUsed, convert
from pfund.domain.instrument import GuaranteeTerms, InstrumentPolicy, LoanTerms
from pfund.domain.ledger import FxNote
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import Ledger, account_balances, with_fx
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
from pfund.funding.loan_entries import (
    guarantee_call,
    interest_income,
    principal_repayment,
    repayment_entries_fx,
)
from pfund.funding.settlement import own_paid
from pfund.io.checks import parse
from pfund.io.files import load_yaml, read_records, read_text
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.funding import post_entries
from pfund.services.rates import rate_for
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
    # a loan in another currency than the fund's: the amounts above are in the loan's
    # currency; the schedule's rows carry their fund-currency equivalents at ``rate``
    # (the view day's), stated in ``conversion``; ``grant_equivalent_fund`` likewise
    fund_currency: str = ""
    rate: RateUsed | None = None
    conversion: str = ""
    outstanding_fund: Decimal | None = None
    grant_equivalent_fund: Decimal | None = None


class GuaranteeView(BaseModel):
    terms: GuaranteeTerms
    expected_cost: Decimal
    called: Decimal
    exposure_left: Decimal
    basis: str
    # in another currency than the fund's: what the calls cost the fund (at their rates)
    called_fund: Decimal | None = None
    fund_currency: str = ""


class Repayment(BaseModel):
    project_id: str
    amount: Decimal
    interest: Decimal
    principal: Decimal
    outstanding: Decimal
    currency: str
    # in another currency than the fund's: the rate used and what the repayment was worth
    # in the fund's currency, and the exchange gain (+) or loss (-) on its principal
    fund_currency: str = ""
    rate: RateUsed | None = None
    fund_amount: Decimal | None = None
    exchange_difference: Decimal = ZERO


class Instruments(BaseModel):
    loans: list[LoanView]
    guarantees: list[GuaranteeView]


def _fund(uow: UnitOfWork) -> FundDefinition:
    fund = uow.fund.get()
    if fund is None:
        raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
    return fund


def _check_project(uow: UnitOfWork, project_id: str, currency: str, fund: FundDefinition) -> None:
    project = uow.projects.get(project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    if currency not in (fund.currency, project.currency):
        reason = (
            f"{currency}: an instrument is kept in the fund's currency ({fund.currency}) or "
            f"its project's ({project.currency}), which its tranches are paid in"
        )
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


def statuses(rows: Sequence[Instalment], back: Decimal, disbursed: Decimal, on: date) -> list[str]:
    """Each instalment paid, part-paid, late (past due on ``on``, unpaid) or due: what
    came back (interest and principal, ``back``) covers the instalments oldest first, as
    it is allocated when it is taken in; nothing is owed before the loan is paid out."""
    left, out = back, []
    for row in rows:
        if left >= row.payment:
            out.append("paid")
        elif left > 0:
            out.append("part-paid")
        elif disbursed > 0 and row.due < on:
            out.append("late")
        else:
            out.append("due")
        left = max(left - row.payment, ZERO)
    return out


def _late(o: Overdue) -> dict[str, object]:
    return {
        "number": o.number,
        "due": o.due.isoformat(),
        "unpaid": str(o.unpaid),
        "days_late": o.days_late,
    }


def _loan_view(uow: UnitOfWork, fund: FundDefinition, terms: LoanTerms, on: date) -> LoanView:
    held = _held(uow, terms.project_id)
    back = _own_back(uow, terms.project_id)
    disbursed, repaid, interest = held[A.DISBURSED], *back
    if terms.currency != fund.currency:
        disbursed = _own_disbursed(uow, terms.project_id)
    rows = schedule(terms)
    # nothing is owed on a loan not paid out yet: its schedule runs from the payment
    late = arrears(rows, paid=repaid + interest, on=on) if disbursed > 0 else Arrears(())
    policy = fund.instruments
    cost = fund_cost(terms, policy.discount_rate)
    view = LoanView(
        terms=terms,
        on=on,
        schedule=[
            _row(r) | {"status": st}
            for r, st in zip(rows, statuses(rows, repaid + interest, disbursed, on), strict=True)
        ],
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
        fund_currency=fund.currency,
    )
    if terms.currency == fund.currency:
        return view
    try:
        used = rate_for(uow, terms.currency, fund.currency, on, fund.rate_max_age_days)
    except InvalidInput as exc:  # the view stands; its equivalents wait for a rate
        return view.model_copy(update={"conversion": exc.problems[0].reason})
    fx = fund.currency

    def equivalent(row: dict[str, object]) -> dict[str, object]:
        keys = ("interest", "principal", "payment", "balance")
        return row | {
            f"{k}_{fx.lower()}": str(convert(Decimal(str(row[k])), used.rate, fx)) for k in keys
        }

    return view.model_copy(
        update={
            "schedule": [equivalent(r) for r in view.schedule],
            "rate": used,
            "conversion": used.stated(),
            "outstanding_fund": convert(view.outstanding, used.rate, fx),
            "grant_equivalent_fund": convert(view.grant_equivalent, used.rate, fx),
        }
    )


def _own_back(uow: UnitOfWork, project_id: str) -> tuple[Decimal, Decimal]:
    """Principal repaid and interest received, in the loan's own currency: each entry's
    own amount when it was converted, else its amount."""
    principal = interest = ZERO
    for e in uow.ledger.list(project_id=project_id):
        own = e.fx_amount if e.fx_amount is not None else e.amount
        if e.credit is A.PRINCIPAL_REPAID:
            principal += own
        elif e.debit is A.PRINCIPAL_REPAID:
            principal -= own
        elif e.credit is A.INTEREST_RECEIVED:
            interest += own
    return principal, interest


def _own_disbursed(uow: UnitOfWork, project_id: str) -> Decimal:
    """What the project's tranches paid out in their own currency, net of refunds."""
    ledger = _ledger(uow)
    return sum((own_paid(ledger, t.id).own for t in uow.tranches.list(project_id)), ZERO)


def _ledger(uow: UnitOfWork) -> Ledger:
    fund = uow.fund.get()
    return Ledger(currency=fund.currency if fund else "USD", entries=tuple(uow.ledger.list()))


def _held(uow: UnitOfWork, project_id: str) -> dict[LedgerAccount, Decimal]:
    """Each account's balance over the project's own entries (its tranches, its loan)."""
    return account_balances(uow.ledger.list(project_id=project_id))


def _guarantee_view(uow: UnitOfWork, terms: GuaranteeTerms) -> GuaranteeView:
    entries = uow.ledger.list(project_id=terms.project_id)
    calls = [e for e in entries if e.debit is A.GUARANTEE_CALLS]
    called = sum((e.fx_amount if e.fx_amount is not None else e.amount for e in calls), ZERO)
    cost = guarantee_expected_cost(terms)
    fund = uow.fund.get()
    fund_currency = fund.currency if fund else terms.currency
    return GuaranteeView(
        terms=terms,
        expected_cost=cost,
        called=called,
        exposure_left=terms.exposure - called,
        basis=fund_cost(terms, Decimal(0)).basis,
        called_fund=(
            sum((e.amount for e in calls), ZERO) if terms.currency != fund_currency else None
        ),
        fund_currency=fund_currency,
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


def repay_loan(
    rt: Runtime,
    project_id: str,
    amount: Decimal,
    *,
    currency: str | None = None,
    on: date | None = None,
) -> Repayment:
    """Take a repayment in: interest then principal, oldest instalment first.

    ``amount`` is in the loan's currency (``currency``, when given, must name it); in
    another currency than the fund's it is converted at the rate of ``on`` (the day the
    money came, today when not given; see the module's note on exchange differences).
    Refused, with nothing stored, when it exceeds what the schedule still asks or the
    principal the project's tranches paid out (the ledger's own check).

    Worked example (``test_instruments_fx``): a EUR loan paid out at EUR 1 = USD 1.10,
    carried at its commitment rate 1.08; EUR 1,000.00 of principal repaid at 1.05 is
    worth USD 1,050.00: principal_repaid USD 1,080.00 and an exchange loss of USD 30.00.
    """
    rt.require(Permission.MOVE_MONEY)
    if amount <= 0:
        raise InvalidInput("repayment refused", [Problem("must be above 0", field="amount")])
    with money_write(rt) as uow:
        fund = _fund(uow)
        terms = _loan(uow, project_id)
        _check_currency(currency, terms.currency, "repayment")
        held = _held(uow, project_id)
        if held[A.DISBURSED] <= 0:
            reason = f"nothing of the loan of {project_id} was paid out; nothing is owed yet"
            raise InvalidInput("repayment refused", [Problem(reason, field="project_id")])
        repaid_own, interest_own = _own_back(uow, project_id)
        interest, principal = allocate(
            schedule(terms),
            interest_paid=interest_own,
            principal_paid=repaid_own,
            amount=amount,
        )
        at, cur = datetime.now(UTC), fund.currency
        used: RateUsed | None = None
        difference = ZERO
        entries: list[LedgerEntry] = []
        if terms.currency == cur:
            if interest:
                entries.append(interest_income(at, interest, project_id=project_id, currency=cur))
            if principal:
                entries.append(
                    principal_repayment(at, principal, project_id=project_id, currency=cur)
                )
        else:
            used = rate_for(
                uow, terms.currency, cur, on or money_gate.today(), fund.rate_max_age_days
            )
            entries, difference = _foreign_repayment(
                uow, project_id, (interest, principal), used, at, repaid_own
            )
        audit = AuditWriter(uow, rt.actor)
        post_entries(uow, audit, entries)
        repaid = repaid_own + principal
        details = {"amount": str(amount), "interest": str(interest), "principal": str(principal)}
        if used is not None:
            details |= {"currency": terms.currency, "rate": used.stated()}
            details["exchange_difference"] = str(difference)
        audit.record("loan.repaid", "project", project_id, details)
        fund_amount = (
            sum((e.amount for e in entries if e.credit in REPAID), ZERO) + difference
            if used is not None
            else None
        )
        result = Repayment(
            project_id=project_id,
            amount=amount,
            interest=interest,
            principal=principal,
            outstanding=terms.principal - repaid,
            currency=terms.currency,
            fund_currency=cur,
            rate=used,
            fund_amount=fund_amount,
            exchange_difference=difference,
        )
        finish(uow, rt, result)
    return result


def _check_currency(given: str | None, own: str, what: str) -> None:
    if given is not None and given.strip().upper() != own:
        reason = f"currency {given!r}: the instrument is in {own}, so a {what} is stated in {own}"
        raise InvalidInput(f"{what} refused", [Problem(reason, field="currency")])


def _foreign_repayment(
    uow: UnitOfWork,
    project_id: str,
    parts: tuple[Decimal, Decimal],
    used: RateUsed,
    at: datetime,
    repaid_own: Decimal,
) -> tuple[list[LedgerEntry], Decimal]:
    """What the ledger carries of the loan, read for :func:`repayment_entries_fx`."""
    ledger = _ledger(uow)
    tranches = [t for t in uow.tranches.list(project_id) if ledger.balance(A.DISBURSED, t.id) > 0]
    outstanding_fund = sum((ledger.balance(A.DISBURSED, t.id) for t in tranches), ZERO)
    outstanding_fund -= ledger.balance(A.PRINCIPAL_REPAID, project_id)
    return repayment_entries_fx(
        at,
        parts,
        used,
        project_id=project_id,
        outstanding_fund=outstanding_fund,
        outstanding_own=_own_disbursed(uow, project_id) - repaid_own,
        tranche_id=tranches[0].id if tranches else None,
    )


def call_guarantee(
    rt: Runtime,
    project_id: str,
    amount: Decimal,
    *,
    reason: str,
    currency: str | None = None,
    on: date | None = None,
) -> GuaranteeView:
    """Pay a guarantee's call out of the fund balance, within its exposure and validity.

    ``amount`` is in the guarantee's currency; in another currency than the fund's it is
    paid at the rate of ``on`` (today when not given), recorded with the entry."""
    rt.require(Permission.MOVE_MONEY)
    if len(reason.strip()) < 10:
        raise InvalidInput("call refused", [Problem("say in 10 characters why", field="reason")])
    with money_write(rt) as uow:
        fund = _fund(uow)
        terms = _guarantee(uow, project_id)
        _check_currency(currency, terms.currency, "call")
        view = _guarantee_view(uow, terms)
        day = on or money_gate.today()
        problems = _call_problems(terms, view, amount, day)
        if problems:
            raise InvalidInput("call refused", problems)
        audit = AuditWriter(uow, rt.actor)
        at = datetime.now(UTC)
        entry = guarantee_call(at, amount, project_id=project_id, currency=fund.currency)
        details = {"amount": str(amount), "reason": reason}
        if terms.currency != fund.currency:
            used = rate_for(uow, terms.currency, fund.currency, day, fund.rate_max_age_days)
            paid = convert(amount, used.rate, fund.currency)
            note = FxNote(
                fx_amount=amount, fx_currency=used.base, fx_rate=used.rate, fx_rate_date=used.day
            )
            entry = guarantee_call(at, paid, project_id=project_id, currency=fund.currency)
            entry = with_fx(entry, note)
            details |= {"currency": terms.currency, "rate": used.stated(), "paid": str(paid)}
        post_entries(uow, audit, [entry])
        audit.record("guarantee.called", "project", project_id, details)
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
    In the instrument's own currency (its project's), as the project page states it.
    """
    from pfund.services.portal import cached  # the portal reads appraisal, which reads this

    def build() -> dict[str, FundCost]:
        with rt.uow() as uow:
            return instrument_costs(uow, _fund(uow).instruments, convert_to=None)

    return cached(rt, ("public-instruments",), build).get(project_id)


def instrument_costs(
    uow: UnitOfWork,
    policy: InstrumentPolicy,
    *,
    convert_to: str | None = "fund",
    on: date | None = None,
) -> dict[str, FundCost]:
    """What each project's loan or guarantee costs the fund (a grant: absent), in the
    fund's currency: one in another currency is converted at the rate of ``on`` (today),
    the conversion stated in its basis (no rate: InvalidInput, as for a project).
    ``convert_to=None`` leaves each in its own currency."""
    repo = InstrumentRepository(uow.session)
    terms: list[LoanTerms | GuaranteeTerms] = [*repo.loans(), *repo.guarantees()]
    costs = {t.project_id: fund_cost(t, policy.discount_rate) for t in terms}
    fund = uow.fund.get()
    if convert_to is None or fund is None:
        return costs
    day = on or money_gate.today()
    for t in terms:
        if t.currency == fund.currency:
            continue
        used = rate_for(uow, t.currency, fund.currency, day, fund.rate_max_age_days)
        c = costs[t.project_id]
        costs[t.project_id] = FundCost(
            c.kind,
            convert(c.face, used.rate, fund.currency),
            convert(c.cost, used.rate, fund.currency),
            f"{c.basis}, {t.currency} {c.cost} in {fund.currency} at {used.stated()}",
        )
    return costs
