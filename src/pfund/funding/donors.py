"""Donor agreements as numbers: receipts matched to instalments, and money attributed.

Matching. Receipts (in the agreement's currency, converted at each receipt day's rate
before they reach here) are applied in day order to the instalments in due order, the
oldest open one first; a receipt larger than an instalment runs on to the next. An
instalment is ``paid`` once it is covered, ``part_paid`` while some is, else ``open``.
It is late by the days between its due day and the receipt that completed it, or, while
not covered, between its due day and ``today`` when that is past it.

Attribution (the per-donor report). Every pool of money (an agreement's receipts net of
its administration fee, or a contributor's other receipts) is attributed to what the
fund spends on each project (committed, released, frozen or paid, in the fund's
currency), by one rule, in two steps:

1. Earmarked pools first, in the order given: each funds the projects its earmark
   allows, in proportion to what is spent on them that is not yet funded by an earlier
   pool, up to the pool's amount.
2. What no earmark funded is funded by the unearmarked pools together, each in
   proportion to its amount; if that remainder exceeds them (the ledger also spends the
   fees, which it does not keep apart), each unearmarked pool is spent in full, in the
   same proportions.

What a pool does not fund is ``held``: in the fund, not yet spent. Amounts are Decimal
rounded half to even to the cent, per pool and project; the exact shares are kept so a
reader can redo the arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from pfund.domain.donor_agreement import DonorAgreement, Earmark

__all__ = [
    "Attribution",
    "InstalmentState",
    "Pool",
    "Spend",
    "attribute",
    "fee_on",
    "match",
]

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class InstalmentState:
    """Where one instalment stands: paid, part-paid or open, and late by how many days."""

    number: int
    due: date
    amount: Decimal
    paid: Decimal
    status: str  # paid | part_paid | open
    days_late: int
    # (receipt number, amount of it applied here) in day order
    applied: tuple[tuple[int, Decimal], ...] = ()

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid

    @property
    def late(self) -> bool:
        return self.days_late > 0


def match(
    agreement: DonorAgreement,
    receipts: Sequence[tuple[int, date, Decimal]],
    *,
    today: date,
) -> list[InstalmentState]:
    """The agreement's instalments after ``receipts`` (number, day, amount in the
    agreement's currency), applied oldest due first (see the module's rule)."""
    left = [i.amount for i in agreement.instalments]
    applied: list[list[tuple[int, Decimal]]] = [[] for _ in left]
    completed: list[date | None] = [None] * len(left)
    for number, day, amount in sorted(receipts, key=lambda r: (r[1], r[0])):
        rest = amount
        for k, owed in enumerate(left):
            if rest <= 0:
                break
            if owed <= 0:
                continue
            part = min(owed, rest)
            left[k] -= part
            rest -= part
            applied[k].append((number, part))
            if left[k] == 0:
                completed[k] = day
    return [
        _state(k, inst.due, inst.amount, left[k], applied[k], completed[k], today)
        for k, inst in enumerate(agreement.instalments)
    ]


def _state(
    k: int,
    due: date,
    amount: Decimal,
    owed: Decimal,
    applied: list[tuple[int, Decimal]],
    done: date | None,
    today: date,
) -> InstalmentState:
    paid = amount - owed
    status = "paid" if owed == 0 else "part_paid" if paid > 0 else "open"
    until = done if done is not None else today
    return InstalmentState(
        number=k + 1,
        due=due,
        amount=amount,
        paid=paid,
        status=status,
        days_late=max((until - due).days, 0),
        applied=tuple(applied),
    )


def fee_on(amount: Decimal, rate: Decimal) -> Decimal:
    """The administration fee on ``amount``: amount x rate, half to even to the cent."""
    return (amount * rate).quantize(CENT, ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Pool:
    """Money to attribute: ``key`` (an agreement id, or a contributor's other money),
    its contributor, its amount in the fund's currency and its earmark (None: none)."""

    key: str
    contributor: str
    amount: Decimal
    earmark: Earmark | None = None


@dataclass(frozen=True)
class Spend:
    """What the fund has put into one project (committed or paid), in its currency."""

    project: str
    area: str
    stage: int
    amount: Decimal


@dataclass(frozen=True)
class Attribution:
    """Per pool, what it funded in each project and what it still holds."""

    funded: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    held: dict[str, Decimal] = field(default_factory=dict)
    # the unearmarked pools' share of each project's remainder (exact), for the reader
    unearmarked_share: dict[str, Decimal] = field(default_factory=dict)

    def by_project(self, key: str) -> dict[str, Decimal]:
        return self.funded.get(key, {})


def attribute(pools: Sequence[Pool], spending: Sequence[Spend]) -> Attribution:
    """Attribute every pool's money to projects by the module's two-step rule."""
    rest = {s.project: s.amount for s in spending}
    funded: dict[str, dict[str, Decimal]] = {p.key: {} for p in pools}
    held: dict[str, Decimal] = {}
    for pool in pools:
        if pool.earmark is None or not pool.earmark.limits:
            continue
        eligible = [s for s in spending if pool.earmark.allows(s.area, s.stage)]
        base = sum((rest[s.project] for s in eligible), ZERO)
        used = min(pool.amount, base)
        for s in eligible:
            if base > 0 and rest[s.project] > 0:
                part = (used * rest[s.project] / base).quantize(CENT, ROUND_HALF_EVEN)
                funded[pool.key][s.project] = part
        for s in eligible:
            rest[s.project] -= funded[pool.key].get(s.project, ZERO)
        held[pool.key] = pool.amount - sum(funded[pool.key].values(), ZERO)
    free = [p for p in pools if p.earmark is None or not p.earmark.limits]
    money = sum((p.amount for p in free), ZERO)
    remainder = sum((max(v, ZERO) for v in rest.values()), ZERO)
    spend_all = min(remainder, money)
    shares: dict[str, Decimal] = {}
    for pool in free:
        share = pool.amount / money if money else ZERO
        shares[pool.key] = share
        for project, left in rest.items():
            if left > 0 and remainder > 0:
                exact = share * spend_all * left / remainder
                funded[pool.key][project] = exact.quantize(CENT, ROUND_HALF_EVEN)
        held[pool.key] = pool.amount - sum(funded[pool.key].values(), ZERO)
    return Attribution(funded=funded, held=held, unearmarked_share=shares)
