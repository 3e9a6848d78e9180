"""From a decision to money: approve a portfolio run, then release and pay tranches.

Approval commits each chosen project's likely cost, one tranche per year; a tranche is
released and paid only through the gate of ``services.gate`` (conditions, screening,
vetting, year); every step is a
ledger entry checked against the whole ledger, with its audit event, in one transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel

from pfund.domain import (
    FundDefinition,
    LedgerAccount,
    LedgerEntry,
    ProjectStatus,
    Tranche,
    TrancheStatus,
)
from pfund.domain.account import Permission
from pfund.domain.fx import RateUsed
from pfund.domain.money import minor_digits
from pfund.errors import Conflict, Facts, InvalidInput, NotFound, Problem, Refusal
from pfund.funding import (
    Ledger,
    commit,
    disburse,
    exchange_gain,
    exchange_loss,
    freeze,
    release,
    return_funds,
    with_fx,
)
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.committee_gate import approving_committee, committee_approval
from pfund.services.funding import post_entries
from pfund.services.gate import Step, check_gate, check_payment, record_licence_uses
from pfund.services.lifecycle import advance, after_payment
from pfund.services.rates import fund_amount, rate_for, share_of
from pfund.services.records import get_record
from pfund.services.runtime import Runtime
from pfund.services.writes import finish, money_write
from pfund.store.repositories.instruments import InstrumentRepository
from pfund.store.unit_of_work import UnitOfWork

OPEN = {ProjectStatus.PROPOSED, ProjectStatus.SCREENED, ProjectStatus.APPRAISED}
DECIDED = {ProjectStatus.APPROVED, ProjectStatus.FUNDED, ProjectStatus.IN_PROGRESS}
# The refusal of an approval the fund's balance cannot cover; its facts: run, held,
# needed, currency and, when the fund has contributors, year (the GDP year to record).
CONTRIBUTIONS_NEEDED = "contributions_needed"


class ApproveResult(BaseModel):
    run: str
    projects: int
    tranches: int
    committed: Decimal
    # The committee decision the approval rests on, when the fund's policy needs one.
    committee_record: str | None = None


def approve(rt: Runtime, run_id: str) -> ApproveResult:
    """Approve a portfolio run: projects approved, tranches planned, money committed.

    A later run keeps earlier approvals in (must include), so its approval commits only
    the projects it adds; approving a run with nothing new is refused. When the fund's
    policy has a committee approve runs (``approves_portfolio``), the run needs that
    committee's passed decision, and what is approved is the committee's selection.
    """
    rt.require(Permission.APPROVE)
    record = get_record(rt, run_id, kind="portfolio")
    gate_committee = approving_committee(rt)
    at = datetime.now(UTC)
    with money_write(rt) as uow:
        decided = (
            committee_approval(uow, gate_committee.code, record.id) if gate_committee else None
        )
        selection = decided.projects if decided else list(record.result["selected"])
        if not selection:
            raise InvalidInput(f"run {record.id} chose no project", [Problem("nothing to approve")])
        chosen = _new_in(uow, selection)
        if not chosen:
            raise Conflict(f"every project of run {record.id} is already approved")
        fund = _fund(uow)
        day = money_gate.today()
        tranches = [t for pid in chosen for t in _plan(uow, pid, fund, day)]
        _check_balance(uow, record.id, sum((t.amount for t in tranches), Decimal(0)))
        audit = AuditWriter(uow, rt.actor)
        uow.tranches.add_many(tranches)
        post_entries(
            uow,
            audit,
            [
                with_fx(
                    commit(
                        at,
                        t.amount,
                        project_id=t.project_id,
                        tranche_id=t.id,
                        currency=t.currency,
                        memo=f"approved in {record.id}"
                        + (f" by {decided.record_id}" if decided else "")
                        + _at_rate(t),
                    ),
                    t.fx,
                )
                for t in tranches
            ],
        )
        for pid in chosen:
            uow.projects.set_status(pid, ProjectStatus.APPROVED)
            by = {"committee_record": decided.record_id} if decided else {}
            audit.record("project.approved", "project", pid, {"run": record.id} | by)
        total = sum((t.amount for t in tranches), Decimal(0))
        result = ApproveResult(
            run=record.id,
            projects=len(chosen),
            tranches=len(tranches),
            committed=total,
            committee_record=decided.record_id if decided else None,
        )
        finish(uow, rt, result)
    return result


def _check_balance(uow: UnitOfWork, run_id: str, needed: Decimal) -> None:
    """Refuse an approval the fund's balance cannot cover, saying what is missing.

    Approval commits money received from members; right after ``pfund demo`` the ledger
    is empty, and the ledger's own refusal ("exceeds the 0.00 USD in the fund balance")
    does not say what to do about it. The refusal is ``CONTRIBUTIONS_NEEDED`` with its
    figures as data: the CLI names its command, a page says who records contributions,
    the API names its route; none of them is written here.
    """
    held = Ledger(entries=tuple(uow.ledger.list())).balance(LedgerAccount.FUND_BALANCE)
    if needed <= held:
        return
    years = sorted({c.year for c in uow.reference.contributors()})
    fund = uow.fund.get()
    currency = fund.currency if fund is not None else ""
    facts: dict[str, str | int] = {
        "run": run_id,
        "held": f"{held:.2f}",
        "needed": f"{needed:.2f}",
        "currency": currency,
    }
    if years:
        facts["year"] = years[-1]
    short = Problem(f"the fund balance is below what {run_id} commits", field="fund_balance")
    raise Refusal(
        f"{shortfall(facts)}; members' contributions must be received first",
        code=CONTRIBUTIONS_NEEDED,
        facts=facts,
        problems=[short],
    )


def shortfall(facts: Facts) -> str:
    """The figures of a ``CONTRIBUTIONS_NEEDED`` refusal in words, as every channel
    starts it: "the fund holds USD 0.00, and approving OPT-0001 commits USD 4.00"."""
    cur = f"{facts['currency']} " if facts.get("currency") else ""
    held, needed = Decimal(str(facts["held"])), Decimal(str(facts["needed"]))
    return (
        f"the fund holds {cur}{held:,.2f}, and approving {facts['run']} commits {cur}{needed:,.2f}"
    )


def _new_in(uow: UnitOfWork, selected: list[str]) -> list[str]:
    """The run's projects not yet approved (or funded, or under way)."""
    decided = {p.id for p in uow.projects.list() if p.status in DECIDED}
    return [pid for pid in selected if pid not in decided]


def _fund(uow: UnitOfWork) -> FundDefinition:
    fund = uow.fund.get()
    if fund is None:
        raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
    return fund


def _plan(uow: UnitOfWork, project_id: str, fund: FundDefinition, day: date) -> list[Tranche]:
    """One tranche per year of likely cost, in the fund's currency.

    A project in another currency is converted at the rate for ``day`` (the
    commitment's), and each tranche keeps the project's own amount and the rate used;
    without a rate the approval is refused and nothing is stored.
    """
    project = uow.projects.get(project_id)
    if project is None:
        raise NotFound(f"project '{project_id}' of the run is no longer stored")
    if project.status not in OPEN:
        raise Conflict(f"project {project_id} is already {project.status.value}")
    if InstrumentRepository(uow.session).guarantees(project_id):
        return []  # a guaranteed project is financed by its lender; the fund pays only calls
    used = None
    if project.currency != fund.currency:
        used = rate_for(uow, project.currency, fund.currency, day, fund.rate_max_age_days)
    own = Decimal(10) ** -minor_digits(project.currency)
    out = []
    for year, amount in project.likely_cost_by_year().items():
        if amount <= 0:
            continue
        original = amount.quantize(own)
        values: dict[str, object] = {"amount": original, "currency": project.currency}
        if used is not None:
            values = {
                "amount": fund_amount(original, used),
                "currency": fund.currency,
            } | _conversion(original, project.currency, used)
        out.append(
            Tranche.model_validate(
                {
                    "id": f"{project_id}-{year}",
                    "project_id": project_id,
                    "year": year,
                    "stage": project.stage,
                }
                | values
            )
        )
    return out


def _conversion(original: Decimal, currency: str, used: RateUsed) -> dict[str, object]:
    return {
        "original_amount": original,
        "original_currency": currency,
        "rate": used.rate,
        "rate_date": used.day,
        "rate_source": used.source[:300],
    }


def _at_rate(tranche: Tranche) -> str:
    if tranche.original_amount is None:
        return ""
    return (
        f"; {tranche.original_currency} {tranche.original_amount:,} at {tranche.rate} "
        f"({tranche.rate_date})"
    )


class TrancheStep(BaseModel):
    tranche: str
    status: str
    amount: Decimal
    reason: str
    # A payment in the project's own currency: that amount, the payment day's rate, what
    # the payment cost in the fund's currency, and the exchange difference booked
    # (positive: a loss, negative: a gain) against the commitment's rate.
    original_amount: Decimal | None = None
    original_currency: str | None = None
    rate: Decimal | None = None
    rate_date: date | None = None
    cost: Decimal | None = None
    exchange_difference: Decimal | None = None


def release_tranche(
    rt: Runtime, tranche_id: str, *, early: bool = False, reason: str = ""
) -> TrancheStep:
    """Release a planned tranche if the gate lets it through; say every reason it does not.

    ``early`` with a ``reason`` is a person's explicit decision to release before the
    tranche's year; the reason is kept in the release's audit event.
    """
    rt.require(Permission.MOVE_MONEY)
    why_early = early_reason(early, reason)
    with money_write(rt) as uow:
        tranche = _tranche(uow, tranche_id, TrancheStatus.PLANNED)
        gate = check_gate(uow, tranche, Step.RELEASE, today=money_gate.today(), early=early)
        at = datetime.now(UTC)
        audit = AuditWriter(uow, rt.actor)
        post_entries(
            uow,
            audit,
            [release(at, tranche.amount, project_id=tranche.project_id, tranche_id=tranche.id)],
        )
        _move(uow, tranche, TrancheStatus.PLANNED, TrancheStatus.RELEASED)
        details = {"amount": str(tranche.amount)} | why_early
        audit.record("tranche.released", "tranche", tranche.id, details)
        advance(uow, audit, [tranche.project_id], ProjectStatus.FUNDED, f"released {tranche.id}")
        step = TrancheStep(
            tranche=tranche.id, status="released", amount=tranche.amount, reason=gate.reason
        )
        finish(uow, rt, step)
    return step


def early_reason(early: bool, reason: str) -> dict[str, str]:
    """The audit details of an early release; refuse one without a reason, or a stray reason."""
    text = reason.strip()
    if early and len(text) < 10:
        raise InvalidInput(
            "an early release needs its reason",
            [Problem("say in at least 10 characters why the money goes early", field="reason")],
        )
    if text and not early:
        raise InvalidInput(
            "a reason is given but no early release asked",
            [Problem("add --early (early: true) or drop the reason", field="early")],
        )
    return {"early": "yes", "early_reason": text} if early else {}


def disburse_tranche(
    rt: Runtime,
    tranche_id: str,
    *,
    amount: Decimal | None = None,
    details: dict[str, str] | None = None,
) -> TrancheStep:
    """Pay a released tranche through the gate: all of it, or ``amount`` of it when a
    payment by results earned less (the rest stays released until a decision returns it).
    """
    rt.require(Permission.MOVE_MONEY)
    with money_write(rt) as uow:
        tranche = _tranche(uow, tranche_id, TrancheStatus.RELEASED)
        paid = tranche.amount if amount is None else amount
        if not Decimal(0) < paid <= tranche.amount:
            raise InvalidInput(
                f"cannot pay {paid} of tranche {tranche.id}",
                [Problem(f"must be above 0 and at most {tranche.amount}", field="amount")],
            )
        day = money_gate.today()
        cover = check_payment(uow, tranche, paid, today=day)
        licensed = record_licence_uses(uow, tranche, paid, cover, at=datetime.now(UTC))
        audit = AuditWriter(uow, rt.actor)
        entries, fx = payment_entries(uow, tranche, paid, datetime.now(UTC))
        post_entries(uow, audit, entries)
        _move(uow, tranche, TrancheStatus.RELEASED, TrancheStatus.DISBURSED)
        fx_details = {k: str(v) for k, v in fx.items() if v is not None}
        audit.record(
            "tranche.disbursed",
            "tranche",
            tranche.id,
            {"amount": str(paid)} | _licence_details(licensed) | fx_details | (details or {}),
        )
        after_payment(uow, audit, tranche.project_id, f"paid {tranche.id}")
        step = TrancheStep.model_validate(
            {"tranche": tranche.id, "status": "disbursed", "amount": paid, "reason": "paid"} | fx
        )
        finish(uow, rt, step)
    return step


def _licence_details(used: dict[str, str]) -> dict[str, str]:
    """The audit's record of the licence each sanctioned party was paid under."""
    if not used:
        return {}
    return {"licences": ", ".join(f"{party}: {lic}" for party, lic in sorted(used.items()))}


def payment_entries(
    uow: UnitOfWork, tranche: Tranche, paid: Decimal, at: datetime
) -> tuple[list[LedgerEntry], dict[str, object]]:
    """The ledger entries of paying ``paid`` (fund currency, at the commitment's rate).

    A tranche in the project's own currency is paid in that currency: the share of its
    own amount that ``paid`` is of the tranche, converted at the payment day's rate. The
    disbursement moves the commitment-rate value out of ``released``; what the payment
    cost more or less than that is one ``exchange_loss`` or ``exchange_gain`` entry
    carrying the payment's rate. Worked example: EUR 1,000,000.00 committed at 1.0800
    (USD 1,080,000.00) and paid at 1.1000 costs USD 1,100,000.00: disbursed USD
    1,080,000.00 and an exchange loss of USD 20,000.00 from the fund balance.
    """
    pid, tid = tranche.project_id, tranche.id
    if tranche.original_amount is None or tranche.original_currency is None:
        return [disburse(at, paid, project_id=pid, tranche_id=tid, currency=tranche.currency)], {}
    fund = _fund(uow)
    own = share_of(tranche.original_amount, paid, tranche.amount, tranche.original_currency)
    used = rate_for(
        uow, tranche.original_currency, tranche.currency, money_gate.today(), fund.rate_max_age_days
    )
    cost = fund_amount(own, used)
    committed = tranche.fx
    assert committed is not None
    at_commitment = committed.model_copy(update={"fx_amount": own})
    at_payment = at_commitment.model_copy(update={"fx_rate": used.rate, "fx_rate_date": used.day})
    memo = f"paid {tranche.original_currency} {own:,} at {used.rate} ({used.day})"
    cur = tranche.currency
    paying = disburse(at, paid, project_id=pid, tranche_id=tid, currency=cur, memo=memo)
    entries = [with_fx(paying, at_commitment)]
    difference = cost - paid
    if difference:
        book = exchange_loss if difference > 0 else exchange_gain
        moved = book(at, abs(difference), project_id=pid, tranche_id=tid, currency=cur, memo=memo)
        entries.append(with_fx(moved, at_payment))
    facts: dict[str, object] = {
        "original_amount": own,
        "original_currency": tranche.original_currency,
        "rate": used.rate,
        "rate_date": used.day,
        "cost": cost,
        "exchange_difference": difference,
    }
    return entries, facts


def freeze_entries(uow: UnitOfWork, tranche_ids: list[str], at: datetime) -> list[LedgerEntry]:
    """Ledger entries moving each tranche's committed or released money to frozen."""
    ledger = Ledger(entries=tuple(uow.ledger.list()))
    out: list[LedgerEntry] = []
    for tid in tranche_ids:
        tranche = uow.tranches.get(tid)
        assert tranche is not None
        for account in (LedgerAccount.RELEASED, LedgerAccount.COMMITTED):
            held = ledger.balance(account, tid)
            if held > 0:
                out.append(
                    freeze(at, held, project_id=tranche.project_id, tranche_id=tid, source=account)
                )
    return out


def _move(uow: UnitOfWork, tranche: Tranche, expected: TrancheStatus, new: TrancheStatus) -> None:
    """Change the tranche's status only if it is still ``expected``; a Conflict if not."""
    if not uow.tranches.transition(tranche.id, expected, new):
        raise Conflict(
            f"tranche {tranche.id} is no longer {expected.value}: another change came first; "
            "nothing was changed"
        )


def _tranche(uow: UnitOfWork, tranche_id: str, expected: TrancheStatus) -> Tranche:
    tranche = uow.tranches.get(tranche_id)
    if tranche is None:
        raise NotFound(f"no tranche '{tranche_id}'")
    if tranche.status is not expected:
        raise Conflict(f"tranche {tranche_id} is {tranche.status.value}, not {expected.value}")
    return tranche


def list_tranches(rt: Runtime, project_id: str | None = None) -> list[Tranche]:
    with rt.uow() as uow:
        return uow.tranches.list(project_id)


class ScheduleRow(BaseModel):
    """One tranche of a payment schedule as a user writes it."""

    year: int
    amount: Decimal
    conditions: list[str] = []


class RescheduleResult(BaseModel):
    project: str
    tranches: int
    scheduled: Decimal
    commitment: Decimal
    returned: Decimal


def reschedule(
    rt: Runtime, project_id: str, rows: list[ScheduleRow], *, source: str
) -> RescheduleResult:
    """Replace an approved project's planned tranches by a schedule of the user's.

    The schedule may not exceed the commitment; tranches may add project-level
    conditions (a verified result, say) that must also hold before release. The old
    tranches' commitment goes back to the fund balance and the new ones are committed,
    in one transaction, so the ledger never shows money committed twice.
    """
    rt.require(Permission.MOVE_MONEY)
    at = datetime.now(UTC)
    with money_write(rt) as uow:
        stored = uow.tranches.list(project_id)
        old = [t for t in stored if t.status is not TrancheStatus.CANCELLED]
        if not old:
            raise NotFound(f"project '{project_id}' has no tranches: approve its run first")
        moving = [t for t in old if t.status is not TrancheStatus.PLANNED]
        if moving:
            raise Conflict(
                f"tranche {moving[0].id} is {moving[0].status.value}; "
                "only planned tranches can be rescheduled"
            )
        commitment = sum((t.amount for t in old), Decimal(0))
        _check_schedule(rows, commitment, {c.code for c in uow.conditions.list()}, source)
        project = old[0]
        first = _next_schedule_number(project_id, stored)
        new = [
            Tranche.model_validate(
                {
                    "id": f"{project_id}-S{first + i}",
                    "project_id": project_id,
                    "year": r.year,
                    "amount": r.amount,
                    "currency": project.currency,
                    "stage": project.stage,
                    "conditions": r.conditions,
                }
                | _rescheduled_conversion(project, r.amount)
            )
            for i, r in enumerate(rows)
        ]
        audit = AuditWriter(uow, rt.actor)
        entries = [
            return_funds(at, t.amount, project_id=project_id, tranche_id=t.id, memo="rescheduled")
            for t in old
        ]
        entries += [
            with_fx(
                commit(
                    at,
                    t.amount,
                    project_id=project_id,
                    tranche_id=t.id,
                    currency=t.currency,
                    memo="rescheduled",
                ),
                t.fx,
            )
            for t in new
        ]
        uow.tranches.add_many(new)
        post_entries(uow, audit, entries)
        for t in old:
            _move(uow, t, TrancheStatus.PLANNED, TrancheStatus.CANCELLED)
        audit.record(
            "tranches.rescheduled", "project", project_id, {"source": source, "tranches": len(new)}
        )
        scheduled = sum((r.amount for r in rows), Decimal(0))
        result = RescheduleResult(
            project=project_id,
            tranches=len(new),
            scheduled=scheduled,
            commitment=commitment,
            returned=commitment - scheduled,
        )
        finish(uow, rt, result)
    return result


def _rescheduled_conversion(old: Tranche, amount: Decimal) -> dict[str, object]:
    """A rescheduled tranche keeps the commitment's rate: its own amount is ``amount``
    (fund currency) divided by that rate, rounded half to even to the minor unit."""
    if old.original_currency is None or old.rate is None:
        return {}
    own = (amount / old.rate).quantize(Decimal(10) ** -minor_digits(old.original_currency))
    return {
        "original_amount": own,
        "original_currency": old.original_currency,
        "rate": old.rate,
        "rate_date": old.rate_date,
        "rate_source": old.rate_source,
    }


def _next_schedule_number(project_id: str, stored: list[Tranche]) -> int:
    """The first unused n of ``<project>-S<n>``: a second schedule replaces the first
    (whose tranches are cancelled but kept) under new ids, never reusing one."""
    prefix = f"{project_id}-S"
    used = [
        int(t.id[len(prefix) :])
        for t in stored
        if t.id.startswith(prefix) and t.id[len(prefix) :].isdigit()
    ]
    return max(used, default=0) + 1


def _check_schedule(
    rows: list[ScheduleRow], commitment: Decimal, known: set[str], source: str
) -> None:
    problems = [
        Problem(f"amount must be positive, got {r.amount}", source, i + 2, "amount")
        for i, r in enumerate(rows)
        if r.amount <= 0
    ]
    problems += [
        Problem(f"unknown condition '{c}'", source, i + 2, "conditions")
        for i, r in enumerate(rows)
        for c in r.conditions
        if c not in known
    ]
    total = sum((r.amount for r in rows), Decimal(0))
    if total > commitment:
        problems.append(
            Problem(
                f"the schedule pays {total}, above the commitment of {commitment}",
                source,
                None,
                "amount",
            )
        )
    if not rows:
        problems.append(Problem("the schedule has no tranche", source))
    if problems:
        raise InvalidInput(
            f"{source}: the payment schedule is not valid; nothing was changed", problems
        )
