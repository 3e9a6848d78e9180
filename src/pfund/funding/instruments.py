"""Loans and guarantees: repayment schedules, arrears, and what each costs the fund.

Conventions, stated once:

- **Periods.** A loan's interest rate per period is ``annual_rate / periods_per_year``
  (a nominal annual rate, as the loan agreement states it); instalment ``k`` falls due
  ``k`` periods after disbursement. The first ``grace_periods`` instalments pay interest
  only; the next ``instalments`` repay the principal.
- **Rounding** (``ROUNDING_RULE``): every interest amount and the annuity payment are
  rounded half to even to the currency's minor unit (the rule of every stored amount,
  ``pfund.domain.money.to_minor``); principal = payment - interest; the last instalment
  repays whatever balance is left, so the rounding never leaves a cent owed or over-paid.
- **Repayments** are applied oldest instalment first, its interest before its principal
  (``allocate``); an instalment past its due date and not fully paid is in arrears.
- **Grant element** (OECD DAC method): ``1 - PV / face``, PV the present value of the
  scheduled instalments (interest and principal) discounted at the fund's policy rate,
  an instalment ``k`` periods after disbursement discounted by ``(1 + d) ** (k / m)``
  (``m`` periods a year). The grant-equivalent is face x grant element: what the loan
  costs the fund. A loan dearer than the discount rate has a negative grant element;
  its cost to the fund is then 0 (the fund never books a loan as income in advance).
- **Guarantee**: expected cost = exposure x probability of a call x loss given a call.
- **Cost to the fund** (``fund_cost``): a grant costs its project's cost; a loan its
  grant-equivalent; a guarantee its expected cost. The optimiser's budget counts these
  (``fund_cost_by_year`` scales a project's yearly costs by cost to the fund / cost).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from pfund.domain.instrument import AmortisationMethod, GuaranteeTerms, LoanTerms
from pfund.domain.money import minor_digits
from pfund.errors import InvalidInput, Problem

__all__ = [
    "GE_PLACES",
    "ROUNDING_RULE",
    "Arrears",
    "FundCost",
    "Instalment",
    "Overdue",
    "allocate",
    "arrears",
    "fund_cost",
    "fund_cost_by_year",
    "grant_element",
    "guarantee_expected_cost",
    "schedule",
]

ZERO = Decimal(0)
GE_PLACES = 6  # a grant element is stated to 6 decimal places (0.0001 percentage point)
ROUNDING_RULE = (
    "interest and the annuity payment are rounded half to even to the minor unit; "
    "principal = payment - interest; the last instalment repays the balance left"
)


@dataclass(frozen=True)
class Instalment:
    """One scheduled payment of a loan: its interest, principal and the balance after."""

    number: int
    due: date
    interest: Decimal
    principal: Decimal
    balance: Decimal

    @property
    def payment(self) -> Decimal:
        return self.interest + self.principal


def _round(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(10) ** -minor_digits(currency), rounding=ROUND_HALF_EVEN)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_rate(terms: LoanTerms) -> Decimal:
    return terms.annual_rate / terms.periods_per_year


def annuity_payment(principal: Decimal, rate: Decimal, count: int, currency: str) -> Decimal:
    """The equal payment that repays ``principal`` in ``count`` periods at ``rate`` each."""
    if rate == 0:
        return _round(principal / count, currency)
    return _round(principal * rate / (1 - (1 + rate) ** -count), currency)


def schedule(terms: LoanTerms) -> tuple[Instalment, ...]:
    """Every instalment of the loan, grace periods (interest only) first."""
    rate, cur, months = period_rate(terms), terms.currency, 12 // terms.periods_per_year
    balance, rows = terms.principal, []
    n = terms.instalments
    payment = annuity_payment(balance, rate, n, cur)
    linear = _round(balance / n, cur)
    for k in range(1, terms.grace_periods + n + 1):
        interest = _round(balance * rate, cur)
        if k <= terms.grace_periods:
            principal = _round(ZERO, cur)
        elif k == terms.grace_periods + n:
            principal = balance
        elif terms.method is AmortisationMethod.ANNUITY:
            principal = min(payment - interest, balance)
        else:
            principal = min(linear, balance)
        balance -= principal
        due = add_months(terms.disbursed_on, months * k)
        rows.append(Instalment(k, due, interest, principal, balance))
    return tuple(rows)


def allocate(
    rows: Sequence[Instalment], *, interest_paid: Decimal, principal_paid: Decimal, amount: Decimal
) -> tuple[Decimal, Decimal]:
    """Split a repayment into (interest, principal): oldest instalment first, interest first.

    Refuses a repayment above what the schedule still asks (a prepayment would change
    the schedule, which needs an amended loan).
    """
    cum_i = cum_p = to_i = to_p = ZERO
    left = amount
    for row in rows:
        cum_i += row.interest
        take = min(left, max(cum_i - interest_paid - to_i, ZERO))
        to_i, left = to_i + take, left - take
        cum_p += row.principal
        take = min(left, max(cum_p - principal_paid - to_p, ZERO))
        to_p, left = to_p + take, left - take
    if left > 0:
        owed = amount - left
        reason = f"repayment of {amount:,} exceeds the {owed:,} the schedule still asks"
        raise InvalidInput("repayment refused", [Problem(reason, field="amount")])
    return to_i, to_p


@dataclass(frozen=True)
class Overdue:
    """An instalment past its due date and not fully paid."""

    number: int
    due: date
    unpaid: Decimal
    days_late: int


@dataclass(frozen=True)
class Arrears:
    overdue: tuple[Overdue, ...]

    @property
    def total(self) -> Decimal:
        return sum((o.unpaid for o in self.overdue), ZERO)

    @property
    def days_late(self) -> int:
        """How late the oldest unpaid instalment is (0: none)."""
        return max((o.days_late for o in self.overdue), default=0)


def arrears(rows: Sequence[Instalment], *, paid: Decimal, on: date) -> Arrears:
    """Instalments due before ``on`` that what was paid (in total) does not cover."""
    cumulative, overdue = ZERO, []
    for row in rows:
        before = cumulative
        cumulative += row.payment
        if row.due >= on:
            break
        unpaid = min(row.payment, max(cumulative - max(paid, before), ZERO))
        if unpaid > 0:
            overdue.append(Overdue(row.number, row.due, unpaid, (on - row.due).days))
    return Arrears(tuple(overdue))


def present_value(rows: Sequence[Instalment], discount_rate: Decimal, per_year: int) -> Decimal:
    """Each instalment discounted by (1 + d) ** (k / m), k periods after disbursement."""
    one = 1 + discount_rate
    return sum((r.payment / one ** (Decimal(r.number) / per_year) for r in rows), ZERO)


def grant_element(terms: LoanTerms, discount_rate: Decimal) -> Decimal:
    """1 - PV(scheduled repayments) / face, to ``GE_PLACES`` places (half to even)."""
    if discount_rate <= -1:
        raise InvalidInput("bad rate", [Problem("discount rate must be above -1", field="rate")])
    pv = present_value(schedule(terms), discount_rate, terms.periods_per_year)
    ge = (1 - pv / terms.principal).quantize(Decimal(10) ** -GE_PLACES, ROUND_HALF_EVEN)
    return ge if ge else abs(ge)  # never "-0.000000"


def guarantee_expected_cost(terms: GuaranteeTerms) -> Decimal:
    """Exposure x probability of a call x loss given a call, to the minor unit."""
    cost = terms.exposure * terms.call_probability * terms.loss_given_call
    return _round(cost, terms.currency)


@dataclass(frozen=True)
class FundCost:
    """What an instrument costs the fund, and how that was found (for the decision record)."""

    kind: str
    face: Decimal
    cost: Decimal
    basis: str


def fund_cost(instrument: LoanTerms | GuaranteeTerms, discount_rate: Decimal) -> FundCost:
    """A loan's grant-equivalent (never below 0), or a guarantee's expected cost."""
    if isinstance(instrument, GuaranteeTerms):
        cost = guarantee_expected_cost(instrument)
        basis = (
            f"expected cost = exposure {instrument.exposure} x P(call) "
            f"{instrument.call_probability} x loss given call {instrument.loss_given_call}"
        )
        return FundCost("guarantee", instrument.exposure, cost, basis)
    ge = grant_element(instrument, discount_rate)
    cost = max(_round(instrument.principal * ge, instrument.currency), ZERO)
    basis = f"grant-equivalent = face x grant element {ge} (discounted at {discount_rate})"
    return FundCost("loan", instrument.principal, cost, basis)


def fund_cost_by_year(costs: Mapping[int, Decimal], cost: FundCost) -> dict[int, Decimal]:
    """A project's yearly costs scaled so that they add up to what it costs the fund."""
    total = sum(costs.values(), ZERO)
    if total <= 0:
        return dict(costs)
    share = cost.cost / total
    return {year: value * share for year, value in costs.items()}
