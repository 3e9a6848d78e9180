"""The fund's money: its size from members' GDP, and the ledger of what came and went.

Every ledger entry is checked by the pure ledger (``pfund.funding``) against all entries
before it, then stored with its audit event in one transaction, so a refused entry
leaves the store exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel

from pfund.domain import LedgerEntry
from pfund.domain.account import Permission
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import (
    FundingRule,
    Ledger,
    account_balances,
    check_invariants,
    contributor_positions,
    pledge,
    receipt,
    reverse_pledge,
    reverse_receipt,
    schedule,
)
from pfund.funding.book import movement
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.services.writes import finish, money_write
from pfund.store.unit_of_work import UnitOfWork

# 0.25% of GDP is about a tenth of what NATO members spend on defence (2.4% of GDP on
# average in 2023), so "a share of defence spending" defaults to a tenth of it.
DEFAULT_DEFENCE_SHARE = Decimal("0.10")


class MemberShare(BaseModel):
    iso3: str
    name: str
    gdp_usd: Decimal
    contribution: Decimal
    share_of_total: float
    note: str = ""


class FundSize(BaseModel):
    """``share_of_gdp`` is what the rule raises as a share of the members' GDP."""

    rule: str
    share_of_gdp: Decimal
    year: int
    total: Decimal
    members: list[MemberShare]


def fund_size(
    rt: Runtime,
    *,
    share: Decimal | None = None,
    year: int | None = None,
    rule: str = "gdp_share",
    cap: Decimal | None = None,
    defence_share: Decimal | None = None,
) -> FundSize:
    """What each member pays for one GDP year under a burden-sharing rule."""
    with rt.uow() as uow:
        fund = uow.fund.get()
        contributors = uow.reference.contributors()
    if fund is None or not contributors:
        raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
    year = year or max(c.year for c in contributors)
    members = [c for c in contributors if c.year == year]
    if not members:
        years = sorted({c.year for c in contributors})
        raise InvalidInput(
            "no GDP for that year", [Problem(f"no GDP for {year}; have {years}", field="year")]
        )
    kwargs: dict[str, object] = {"kind": rule, "share": share or fund.default_share_of_gdp}
    if cap is not None:
        kwargs["cap_share_of_total"] = cap
    if rule == "defence_share":
        kwargs["defence_share"] = defence_share or DEFAULT_DEFENCE_SHARE
    plan = schedule(members, FundingRule(**kwargs), years=[year])  # type: ignore[arg-type]
    total = plan.total()
    return FundSize(
        rule=rule,
        share_of_gdp=total / sum((c.gdp_usd for c in members), Decimal(0)),
        year=year,
        total=total,
        members=sorted(
            (
                MemberShare(
                    iso3=c.iso3,
                    name=c.name,
                    gdp_usd=c.gdp_usd,
                    contribution=plan.amount(c.iso3, year),
                    share_of_total=float(plan.amount(c.iso3, year) / total) if total else 0.0,
                    note=plan.notes.get(c.iso3, ""),
                )
                for c in members
            ),
            key=lambda m: -m.contribution,
        ),
    )


def post_entries(uow: UnitOfWork, audit: AuditWriter, entries: list[LedgerEntry]) -> Ledger:
    """Check new entries against the whole ledger, then store them with their events."""
    ledger = Ledger(entries=tuple(uow.ledger.list())).post_all(entries)
    for entry in entries:
        stored = uow.ledger.add(entry)
        record = entry.tranche_id or entry.contributor or "fund"
        audit.record(
            f"ledger.{_movement(entry)}",
            "ledger_entry",
            str(stored.id),
            {"record": record, "amount": str(entry.amount), "currency": entry.currency}
            | {k: str(v) for k, v in (entry.fx.model_dump() if entry.fx else {}).items()},
        )
    return ledger


def _movement(entry: LedgerEntry) -> str:
    return f"{entry.credit.value}_to_{entry.debit.value}"


class PledgeResult(BaseModel):
    year: int
    pledged: Decimal
    received: Decimal
    members: int


def record_contributions(
    rt: Runtime,
    *,
    year: int,
    received: bool,
    members: list[str] | None = None,
    rule: str = "gdp_share",
) -> PledgeResult:
    """Pledge each member's contribution for a GDP year (and its receipt, if received).

    Each member's pledge and receipt for a year are recorded once: a pledge already
    recorded is refused, naming the member and year (with ``received`` it is kept and only
    the receipt is added); a receipt already recorded is refused. Corrections are
    explicit reversing entries (:func:`reverse_contributions`). All or nothing.
    """
    rt.require(Permission.MOVE_MONEY)
    size = fund_size(rt, year=year, rule=rule)
    chosen = [m for m in size.members if not members or m.iso3 in members]
    unknown = sorted(set(members or []) - {m.iso3 for m in size.members})
    if unknown:
        raise InvalidInput(
            "unknown members", [Problem(f"no contributor {u}", field="member") for u in unknown]
        )
    at = datetime.now(UTC)
    with money_write(rt) as uow:
        book = _Contributions(uow.ledger.list(), year)
        entries: list[LedgerEntry] = []
        already: list[tuple[str, str]] = []
        pledged = receipted = Decimal(0)
        for m in chosen:
            pledge_live = book.live(m.iso3, "pledge")
            if pledge_live is None:
                amount = m.contribution
                entries.append(
                    pledge(
                        at,
                        amount,
                        contributor=m.iso3,
                        memo=f"contribution {year}",
                        year=year,
                        correction=book.count(m.iso3, "pledge"),
                    )
                )
                pledged += amount
            elif not received:
                already.append(("pledge", m.iso3))
            else:
                amount = pledge_live
            if not received:
                continue
            if book.live(m.iso3, "receipt") is not None:
                already.append(("receipt", m.iso3))
                continue
            entries.append(
                receipt(
                    at,
                    amount,
                    contributor=m.iso3,
                    memo=f"receipt {year}",
                    year=year,
                    correction=book.count(m.iso3, "receipt"),
                )
            )
            receipted += amount
        if already:
            kind, member = already[0]
            flag = " --received" if kind == "receipt" else ""
            raise Conflict(
                f"the {kind} of {member} for {year} is already recorded; corrections are "
                f"explicit reversing entries (pfund fund contributions --year {year} "
                f"--member {member}{flag} --reverse); nothing was recorded",
                [
                    Problem(f"the {k} of {m} for {year} is already recorded", field="member")
                    for k, m in already
                ],
            )
        post_entries(uow, AuditWriter(uow, rt.actor), entries)
        result = PledgeResult(year=year, pledged=pledged, received=receipted, members=len(chosen))
        finish(uow, rt, result)
    return result


class ReversalResult(BaseModel):
    year: int
    kind: str
    reversed: Decimal
    members: list[str]


def reverse_contributions(
    rt: Runtime,
    *,
    year: int,
    receipts: bool,
    members: list[str] | None = None,
    reason: str = "",
) -> ReversalResult:
    """Correct a contribution recorded in error by an explicit, audited reversing entry.

    ``receipts`` reverses the members' receipts for the year (the money did not arrive);
    otherwise their pledges, which is refused for a member whose receipt still stands
    (reverse that first). The ledger refuses a receipt's reversal when the fund balance
    no longer holds the money. Afterwards the year can be recorded again, correctly.
    """
    rt.require(Permission.MOVE_MONEY)
    kind = "receipt" if receipts else "pledge"
    at = datetime.now(UTC)
    with money_write(rt) as uow:
        book = _Contributions(uow.ledger.list(), year)
        chosen = sorted(members or book.members())
        problems = [
            Problem(f"no {kind} of {m} for {year} to reverse", field="member")
            for m in chosen
            if book.live(m, kind) is None
        ]
        if not receipts:
            problems += [
                Problem(
                    f"the receipt of {m} for {year} stands: reverse it first (--received)",
                    field="member",
                )
                for m in chosen
                if book.live(m, "receipt") is not None
            ]
        if problems or not chosen:
            raise Conflict(
                f"cannot reverse the {kind}s of {year}; nothing was changed",
                problems or [Problem(f"no {kind} recorded for {year}", field="year")],
            )
        build = reverse_receipt if receipts else reverse_pledge
        memo = f"reverses {kind} {year}" + (f": {reason}" if reason else "")
        entries = [
            build(
                at,
                book.live(m, kind) or Decimal(0),
                contributor=m,
                year=year,
                correction=book.reversals(m, kind),
                memo=memo,
            )
            for m in chosen
        ]
        audit = AuditWriter(uow, rt.actor)
        post_entries(uow, audit, entries)
        for entry in entries:
            audit.record(
                "contribution.reversed",
                "contributor",
                entry.contributor or "",
                {"year": year, "kind": kind, "amount": str(entry.amount), "reason": reason},
            )
        result = ReversalResult(
            year=year,
            kind=kind,
            reversed=sum((e.amount for e in entries), Decimal(0)),
            members=chosen,
        )
        finish(uow, rt, result)
    return result


class _Contributions:
    """The pledges, receipts and reversals of one year, per member and kind."""

    def __init__(self, entries: list[LedgerEntry], year: int) -> None:
        self._recorded: dict[tuple[str, str], list[Decimal]] = {}
        self._reversed: dict[tuple[str, str], int] = {}
        for entry in entries:
            if entry.year != year or not entry.contributor:
                continue
            kind, _, reversal = (movement(entry) or "").partition(" ")
            key = (entry.contributor, kind)
            if reversal:
                self._reversed[key] = self._reversed.get(key, 0) + 1
            else:
                self._recorded.setdefault(key, []).append(entry.amount)

    def members(self) -> list[str]:
        return sorted({m for m, _ in self._recorded})

    def count(self, member: str, kind: str) -> int:
        return len(self._recorded.get((member, kind), []))

    def reversals(self, member: str, kind: str) -> int:
        return self._reversed.get((member, kind), 0)

    def live(self, member: str, kind: str) -> Decimal | None:
        """The amount of the member's standing (unreversed) entry, or None."""
        amounts = self._recorded.get((member, kind), [])
        standing = amounts[self.reversals(member, kind) :]
        return standing[-1] if standing else None


class LedgerView(BaseModel):
    entries: int
    balances: dict[str, Decimal]
    contributors: dict[str, dict[str, Decimal]]
    invariants: list[str]


def ledger_view(rt: Runtime) -> LedgerView:
    with rt.uow() as uow:
        entries = uow.ledger.list()
    positions = contributor_positions(entries)
    return LedgerView(
        entries=len(entries),
        balances={a.value: v for a, v in account_balances(entries).items()},
        contributors={
            k: {"pledged": p.pledged, "received": p.received, "outstanding": p.outstanding}
            for k, p in positions.items()
        },
        invariants=check_invariants(entries),
    )


class EnvelopeYear(BaseModel):
    year: int
    total: Decimal
    ramp: Decimal


class Envelope(BaseModel):
    """Contributions by year under a rule, a ramp-up and GDP growth: the budget envelope."""

    rule: str
    gdp_year: int
    growth: Decimal
    years: list[EnvelopeYear]
    by_member: dict[str, dict[int, Decimal]]


def envelope(
    rt: Runtime,
    *,
    first: int,
    last: int,
    ramp: dict[int, Decimal],
    growth: Decimal,
    rule: str = "gdp_share",
    share: Decimal | None = None,
) -> Envelope:
    """What members pay each year from ``first`` to ``last``; this feeds the budgets."""
    if last < first:
        raise InvalidInput("bad years", [Problem(f"{last} is before {first}", field="years")])
    with rt.uow() as uow:
        fund = uow.fund.get()
        contributors = uow.reference.contributors()
    if fund is None or not contributors:
        raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
    base = max(c.year for c in contributors)
    members = [c for c in contributors if c.year == base]
    kwargs: dict[str, object] = {
        "kind": rule,
        "share": share or fund.default_share_of_gdp,
        "ramp": ramp,
        "gdp_growth": growth,
    }
    if rule == "defence_share":
        kwargs["defence_share"] = DEFAULT_DEFENCE_SHARE
    rule_ = FundingRule(**kwargs)  # type: ignore[arg-type]
    plan = schedule(members, rule_, years=list(range(first, last + 1)))
    return Envelope(
        rule=rule,
        gdp_year=base,
        growth=growth,
        years=[
            EnvelopeYear(year=y, total=t, ramp=rule_.ramp_fraction(y))
            for y, t in plan.envelope().items()
        ],
        by_member={m.iso3: dict(plan.amounts[m.iso3]) for m in members},
    )
