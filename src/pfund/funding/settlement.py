"""Settling a project's money: decommitting what is unpaid and booking refunds.

Pure builders over a :class:`~pfund.funding.ledger.Ledger` and the project's tranches;
the entries they return are the ledger's own return movements, so whether they may be
posted is still the ledger's decision.

* :func:`decommit_entries` empties each tranche's committed, released and frozen money
  (never paid) and its returned money (refunds not yet re-used) into the fund balance;
  what the tranche paid, in ``disbursed``, stays. Afterwards the project holds no money
  in committed, released, frozen or returned: its accounts are settled.
* :func:`refund_entries` places money a project pays back on its paid tranches, oldest
  first: disbursed -> returned, each followed by returned -> fund balance when the
  refund is re-used at once. A refund above what the tranches hold in ``disbursed``
  (paid, net of earlier refunds) is refused.

A tranche in another currency was committed, and is paid, at the commitment rate's value
in the fund's currency; decommitting moves that value, so no exchange difference arises
there. A refund of such a tranche is stated in the tranche's own currency
(:func:`refund_entries_fx`): it moves the commitment-rate value of the refunded amount
disbursed -> returned and books two exchange entries beside it, each naming its rate:

* the payment's exchange difference on the refunded share, undone (the share cost the
  fund the payment rate's value, but ``disbursed`` holds it at the commitment rate);
* the refund's own difference: the refund day's value less the payment rate's value.

Together they make the fund balance and ``returned`` grow by exactly the refund day's
value of the money that came back. Worked example: EUR 1,000.00 committed at 1.08 (USD
1,080.00), paid at 1.10 (cost USD 1,100.00, loss 20.00); EUR 400.00 refunded at 1.05:
returned USD 432.00 (400 x 1.08), the payment's loss on the share undone (gain 8.00 =
400 x 1.10 - 432.00), the refund's loss against the payment rate 20.00 (400 x 1.05 =
420.00 against 440.00): the fund holds USD 432.00 + 8.00 - 20.00 = 420.00 more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from pfund.domain import LedgerAccount, LedgerEntry, Tranche
from pfund.domain.fx import RATE_PLACES, RateUsed, convert
from pfund.domain.ledger import FxNote
from pfund.domain.money import minor_digits
from pfund.errors import InvalidInput, Problem
from pfund.funding.book import EXCHANGE
from pfund.funding.entries import exchange_gain, exchange_loss, return_funds, with_fx
from pfund.funding.ledger import Ledger

__all__ = [
    "UNPAID",
    "PaidInOwn",
    "decommit_entries",
    "own_paid",
    "refund_entries",
    "refund_entries_fx",
]

A = LedgerAccount
UNPAID = (A.COMMITTED, A.RELEASED, A.FROZEN)
REFUND_MOVES = ((A.RETURNED, A.DISBURSED), (A.FUND_BALANCE, A.RETURNED))


def decommit_entries(
    ledger: Ledger, tranches: Iterable[Tranche], at: datetime, *, memo: str
) -> list[LedgerEntry]:
    """Return entries that settle every tranche: unpaid and refunded money to the fund."""
    out: list[LedgerEntry] = []
    for t in tranches:
        for account in (*UNPAID, A.RETURNED):
            held = ledger.balance(account, t.id)
            if held > 0:
                out.append(
                    return_funds(
                        at,
                        held,
                        project_id=t.project_id,
                        tranche_id=t.id,
                        source=account,
                        currency=t.currency,
                        memo=memo,
                    )
                )
    return out


def refund_entries(
    ledger: Ledger,
    tranches: Iterable[Tranche],
    amount: Decimal,
    at: datetime,
    *,
    repool: bool,
    memo: str,
) -> list[LedgerEntry]:
    """disbursed -> returned over the paid tranches, oldest first, until ``amount`` is
    placed; with ``repool`` each is followed by returned -> fund balance."""
    ordered = sorted(tranches, key=lambda t: (t.year, t.id))
    paid = sum((ledger.balance(A.DISBURSED, t.id) for t in ordered), Decimal(0))
    if not Decimal(0) < amount <= paid:
        reason = f"a refund must be above 0 and at most the {paid} paid, net of earlier refunds"
        raise InvalidInput("refund above what was paid", [Problem(reason, field="amount")])
    out: list[LedgerEntry] = []
    left = amount
    for t in ordered:
        take = min(ledger.balance(A.DISBURSED, t.id), left)
        if take <= 0:
            continue
        ids = {"project_id": t.project_id, "tranche_id": t.id, "currency": t.currency}
        out.append(return_funds(at, take, source=A.DISBURSED, memo=memo, **ids))
        if repool:
            out.append(return_funds(at, take, source=A.RETURNED, memo=memo, **ids))
        left -= take
    return out


class PaidInOwn:
    """What a tranche in another currency paid, read from its ledger entries: in its own
    currency (``own``, net of refunds), what that cost the fund at the payment rates
    (``cost``, before refunds; ``own_gross`` the own amount those payments were)."""

    __slots__ = ("cost", "own", "own_gross")

    def __init__(self, own: Decimal, own_gross: Decimal, cost: Decimal) -> None:
        self.own, self.own_gross, self.cost = own, own_gross, cost

    def payment_value(self, part: Decimal, currency: str) -> Decimal:
        """``part`` (own currency) at the tranche's payment rate(s), in the fund's currency
        (the whole paid amount is exactly what it cost)."""
        if part == self.own_gross:
            return self.cost
        exact = self.cost * part / self.own_gross
        return exact.quantize(Decimal(10) ** -minor_digits(currency))

    @property
    def rate(self) -> Decimal:
        """The payment rate: 1 own = ``rate`` fund currency (an average over payments)."""
        quotient = (self.cost / self.own_gross).quantize(Decimal(10) ** -RATE_PLACES)
        return Decimal(format(quotient.normalize(), "f"))


def own_paid(ledger: Ledger, tranche_id: str) -> PaidInOwn:
    """The tranche's payments in its own currency and their cost at the payment rates.

    A payment is the disbursement entry (its ``fx_amount`` the own amount) and the
    exchange entry posted with it at the same time, if any (the payment rate's extra
    cost, a loss, or saving, a gain)."""
    gross = cost = Decimal(0)
    paid_at = set()
    entries = [e for e in ledger.entries if e.tranche_id == tranche_id]
    # a loan repayment's exchange entry sits on the tranche too (loan_entries), beside
    # the project's principal entry of the same time: money back, not a refund
    project = entries[0].project_id if entries else None
    repaid_at = {
        e.at
        for e in ledger.entries
        if e.tranche_id is None and e.project_id == project and e.credit is A.PRINCIPAL_REPAID
    }
    for e in entries:
        if e.debit is A.DISBURSED and e.credit is A.RELEASED and e.fx_amount is not None:
            gross += e.fx_amount
            cost += e.amount
            paid_at.add(e.at)
    # a refund's entries all carry the euros it placed on the tranche, once per refund
    # (its time): the return, and its exchange entries (all a cent's refund may have)
    refunded: dict[datetime, Decimal] = {}
    for e in entries:
        exchange = bool({e.debit, e.credit} & EXCHANGE)
        if e.at in paid_at:
            if exchange:
                cost += e.amount if e.debit is A.EXCHANGE_LOSS else -e.amount
        elif e.at in repaid_at and exchange:
            continue
        elif e.fx_amount is not None and (exchange or (e.debit, e.credit) in REFUND_MOVES):
            refunded[e.at] = e.fx_amount
    own = gross - sum(refunded.values(), Decimal(0))
    return PaidInOwn(own, gross, cost)


def refund_entries_fx(
    ledger: Ledger,
    tranches: Iterable[Tranche],
    amount: Decimal,
    used: RateUsed,
    at: datetime,
    *,
    repool: bool,
    memo: str,
) -> list[LedgerEntry]:
    """A refund of ``amount`` in the tranches' own currency (``used.base``), converted at
    ``used`` (the refund day's rate), placed on the paid tranches oldest first (see the
    module's worked example). Refused above what the tranches paid in that currency, net
    of earlier refunds."""
    ordered = sorted(
        (t for t in tranches if t.original_currency == used.base), key=lambda t: (t.year, t.id)
    )
    paid = {t.id: own_paid(ledger, t.id) for t in ordered}
    total = sum((p.own for p in paid.values()), Decimal(0))
    if not Decimal(0) < amount <= total:
        reason = (
            f"a refund must be above 0 and at most the {used.base} {total:,} paid, net of "
            "earlier refunds"
        )
        raise InvalidInput("refund above what was paid", [Problem(reason, field="amount")])
    fund = used.quote
    out: list[LedgerEntry] = []
    left, placed = amount, Decimal(0)
    for t in ordered:
        p = paid[t.id]
        take = min(p.own, left)
        if take <= 0:
            continue
        assert t.rate is not None and t.rate_date is not None
        held = ledger.balance(A.DISBURSED, t.id)
        carried = held if take == p.own else min(held, convert(take, t.rate, fund))
        at_payment = p.payment_value(take, fund)
        # each tranche's share of the refund's value, so the shares add up to the
        # refund converted whole (no cent lost to rounding per tranche)
        at_refund = convert(placed + take, used.rate, fund) - convert(placed, used.rate, fund)
        placed += take
        ids = {"project_id": t.project_id, "tranche_id": t.id, "currency": fund}
        note = FxNote(
            fx_amount=take, fx_currency=used.base, fx_rate=t.rate, fx_rate_date=t.rate_date
        )
        if carried > 0:  # (a cent's rounding can have emptied disbursed before the euros)
            back = return_funds(at, carried, source=A.DISBURSED, memo=memo, **ids)
            out.append(with_fx(back, note))
            if repool:
                again = return_funds(at, carried, source=A.RETURNED, memo=memo, **ids)
                out.append(with_fx(again, note))
        undone = at_payment - carried  # the payment's loss (+) or gain (-) on this share
        if undone:
            paid_rate = note.model_copy(update={"fx_rate": p.rate})
            book = exchange_gain if undone > 0 else exchange_loss
            why = f"{memo}; the payment's exchange difference on {used.base} {take:,} undone"
            pid, tid = t.project_id, t.id
            out.append(
                book(
                    at,
                    abs(undone),
                    project_id=pid,
                    tranche_id=tid,
                    currency=fund,
                    memo=why[:300],
                    fx=paid_rate,
                )
            )
        difference = at_refund - at_payment
        if difference:
            refund_rate = note.model_copy(update={"fx_rate": used.rate, "fx_rate_date": used.day})
            book = exchange_gain if difference > 0 else exchange_loss
            why = f"{memo}; {used.base} {take:,} at {used.rate} ({used.day}) against {p.rate} paid"
            out.append(
                book(
                    at,
                    abs(difference),
                    project_id=t.project_id,
                    tranche_id=t.id,
                    currency=fund,
                    memo=why[:300],
                    fx=refund_rate,
                )
            )
        left -= take
        if left <= 0:
            break
    return out
