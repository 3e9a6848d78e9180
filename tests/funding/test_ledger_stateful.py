"""Random sequences of ledger movements against a plain model of where the money is.

The model keeps its own balances (and, for frozen money, where it was frozen from) and
predicts whether each movement may be posted. A refused movement must raise and leave
the ledger as it was; after every step the conservation law holds: the buckets together
hold exactly what was pledged and what exchange gains added, and no tranche has paid out
more than was committed to it. Exchange differences of tranches paid in another currency
take money out of the fund balance (a loss, never more than it holds) or add to it (a
gain, from the second source account).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pfund.domain import LedgerAccount, LedgerEntry, Tranche
from pfund.errors import InvalidInput
from pfund.funding import (
    Ledger,
    account_balances,
    check_invariants,
    commit,
    disburse,
    exchange_gain,
    exchange_loss,
    freeze,
    pledge,
    receipt,
    release,
    return_funds,
    unfreeze,
)
from pfund.funding.settlement import decommit_entries, refund_entries

A = LedgerAccount
ZERO = Decimal(0)
AT = datetime(2030, 1, 1, tzinfo=UTC)
MEMBERS = ("DEU", "FRA", "USA")
# P3 has two tranches, so settling a project and placing a refund span tranches.
TRANCHES = {"T1": "P1", "T2": "P2", "T3": "P3", "T4": "P3"}
PROJECTS = sorted(set(TRANCHES.values()))
BUCKETS = tuple(a for a in A if a not in (A.PLEDGED, A.EXCHANGE_GAIN))

# how much to move: all that is available (the boundary), a part of it, or any amount
Drawn = tuple[str, int]
amounts = st.tuples(st.sampled_from(["all", "part", "part", "any"]), st.integers(1, 300_000))
tranches = st.sampled_from(sorted(TRANCHES))
pipeline = st.sampled_from([A.COMMITTED, A.RELEASED])
Key = tuple[str, str]


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.model: defaultdict[Key, Decimal] = defaultdict(Decimal)
        self.pledged = ZERO
        self.gained = ZERO
        self.flows: defaultdict[Key, Decimal] = defaultdict(Decimal)

    # -- the model ------------------------------------------------------------------
    def _post(self, entry: LedgerEntry, available: Decimal) -> bool:
        """Post if the model says there is enough; else expect a refusal and no change."""
        before = self.ledger
        snapshot = (before.entries, {a: before.balance(a) for a in A})
        if entry.amount > available:
            with pytest.raises(InvalidInput):
                before.post(entry)
            assert (before.entries, {a: before.balance(a) for a in A}) == snapshot
            return False
        self.ledger = before.post(entry)
        assert len(self.ledger) == len(before) + 1
        return True

    def _move(self, source: Key, target: Key, amount: Decimal) -> None:
        self.model[source] -= amount
        self.model[target] += amount

    @staticmethod
    def _amount(drawn: Drawn, available: Decimal) -> Decimal:
        kind, number = drawn
        if kind == "any":
            return Decimal(number) / 100
        part = available if kind == "all" else available * (number % 100 + 1) / 100
        return max(part.quantize(Decimal("0.01")), Decimal("0.01"))

    @initialize(drawn=st.lists(st.integers(0, 1_000_000), min_size=3, max_size=3))
    def fund(self, drawn: list[int]) -> None:
        """Members pledge and pay something first, so most runs reach the tranches."""
        for member, cents in zip(MEMBERS, drawn, strict=True):
            if cents:
                self.pledge(member, cents)
                self.receive(member, ("all", 1))

    # -- movements ------------------------------------------------------------------
    @rule(member=st.sampled_from(MEMBERS), drawn=st.integers(1, 1_000_000))
    def pledge(self, member: str, drawn: int) -> None:
        amount = Decimal(drawn) / 100
        self._post(pledge(AT, amount, contributor=member), available=amount)
        self.pledged += amount
        self.model[("receivable", member)] += amount

    @rule(member=st.sampled_from(MEMBERS), drawn=amounts)
    def receive(self, member: str, drawn: Drawn) -> None:
        available = self.model[("receivable", member)]
        amount = self._amount(drawn, available)
        if self._post(receipt(AT, amount, contributor=member), available):
            self._move(("receivable", member), ("fund", ""), amount)

    @rule(tranche=tranches, drawn=amounts)
    def commit(self, tranche: str, drawn: Drawn) -> None:
        available = self.model[("fund", "")]
        amount = self._amount(drawn, available)
        entry = commit(AT, amount, project_id=TRANCHES[tranche], tranche_id=tranche)
        if self._post(entry, available):
            self._move(("fund", ""), ("committed", tranche), amount)
            self.flows[("committed", tranche)] += amount

    @rule(tranche=tranches, drawn=amounts)
    def release(self, tranche: str, drawn: Drawn) -> None:
        available = self.model[("committed", tranche)]
        amount = self._amount(drawn, available)
        entry = release(AT, amount, project_id=TRANCHES[tranche], tranche_id=tranche)
        if self._post(entry, available):
            self._move(("committed", tranche), ("released", tranche), amount)

    @rule(tranche=tranches, source=pipeline, drawn=amounts)
    def freeze(self, tranche: str, source: LedgerAccount, drawn: Drawn) -> None:
        available = self.model[(source.value, tranche)]
        amount = self._amount(drawn, available)
        ids = {"project_id": TRANCHES[tranche], "tranche_id": tranche}
        if self._post(freeze(AT, amount, source=source, **ids), available):
            self._move((source.value, tranche), (f"frozen<-{source}", tranche), amount)

    @rule(tranche=tranches, to=pipeline, drawn=amounts)
    def unfreeze(self, tranche: str, to: LedgerAccount, drawn: Drawn) -> None:
        available = self.model[(f"frozen<-{to}", tranche)]
        amount = self._amount(drawn, available)
        ids = {"project_id": TRANCHES[tranche], "tranche_id": tranche}
        if self._post(unfreeze(AT, amount, to=to, **ids), available):
            self._move((f"frozen<-{to}", tranche), (to.value, tranche), amount)

    @rule(tranche=tranches, drawn=amounts)
    def disburse(self, tranche: str, drawn: Drawn) -> None:
        available = self.model[("released", tranche)]
        amount = self._amount(drawn, available)
        entry = disburse(AT, amount, project_id=TRANCHES[tranche], tranche_id=tranche)
        if self._post(entry, available):
            self._move(("released", tranche), ("disbursed", tranche), amount)
            self.flows[("disbursed", tranche)] += amount

    @rule(
        tranche=tranches,
        source=st.sampled_from([A.COMMITTED, A.RELEASED, A.DISBURSED, A.RETURNED]),
        drawn=amounts,
    )
    def give_back(self, tranche: str, source: LedgerAccount, drawn: Drawn) -> None:
        available = self.model[(source.value, tranche)]
        amount = self._amount(drawn, available)
        ids = {"project_id": TRANCHES[tranche], "tranche_id": tranche}
        if not self._post(return_funds(AT, amount, source=source, **ids), available):
            return
        target = ("returned", tranche) if source is A.DISBURSED else ("fund", "")
        self._move((source.value, tranche), target, amount)
        self._record_return(tranche, source, amount)

    @rule(tranche=tranches, drawn=amounts)
    def give_back_frozen(self, tranche: str, drawn: Drawn) -> None:
        keys = [("frozen<-committed", tranche), ("frozen<-released", tranche)]
        available = sum((self.model[k] for k in keys), ZERO)
        amount = self._amount(drawn, available)
        ids = {"project_id": TRANCHES[tranche], "tranche_id": tranche}
        if not self._post(return_funds(AT, amount, source=A.FROZEN, **ids), available):
            return
        taken = min(amount, self.model[keys[0]])
        self._move(keys[0], ("fund", ""), taken)
        self._move(keys[1], ("fund", ""), amount - taken)
        self.flows[("committed", tranche)] -= amount

    @rule(tranche=tranches, number=st.integers(1, 300_000))
    def pay_in_one_go(self, tranche: str, number: int) -> None:
        """Commit, release and pay part of it in one step, so short runs reach refunds."""
        self.commit(tranche, ("part", number))
        self.release(tranche, ("all", number))
        self.disburse(tranche, ("part", number // 7))

    @rule(tranche=tranches, number=st.integers(1, 300_000))
    def refund_and_reuse(self, tranche: str, number: int) -> None:
        """A project pays part back and the fund puts part of the refund back in the pool."""
        self.give_back(tranche, A.DISBURSED, ("part", number))
        self.give_back(tranche, A.RETURNED, ("part", number // 3))

    def _record_return(self, tranche: str, source: LedgerAccount, amount: Decimal) -> None:
        if source is A.DISBURSED:
            self.flows[("disbursed", tranche)] -= amount
        elif source is not A.RETURNED:
            self.flows[("committed", tranche)] -= amount

    # -- agreements: settling a project, refunds across its tranches ---------------
    @staticmethod
    def _tranches(project: str) -> list[Tranche]:
        return [
            Tranche(id=t, project_id=p, year=2030, amount=Decimal(1))
            for t, p in sorted(TRANCHES.items())
            if p == project
        ]

    @rule(project=st.sampled_from(PROJECTS))
    def settle_project(self, project: str) -> None:
        """A cancelled or closed agreement: every unpaid or refunded cent of the project
        goes back to the fund balance; what was paid stays paid."""
        entries = decommit_entries(self.ledger, self._tranches(project), AT, memo="settled")
        self.ledger = self.ledger.post_all(entries)
        for t in self._tranches(project):
            for name in ("committed", "released", "frozen<-committed", "frozen<-released"):
                held = self.model[(name, t.id)]
                self._move((name, t.id), ("fund", ""), held)
                self.flows[("committed", t.id)] -= held
            self._move(("returned", t.id), ("fund", ""), self.model[("returned", t.id)])
            for account in (A.COMMITTED, A.RELEASED, A.FROZEN, A.RETURNED):
                assert self.ledger.balance(account, t.id) == 0

    @rule(project=st.sampled_from(PROJECTS), drawn=amounts, repool=st.booleans())
    def refund_project(self, project: str, drawn: Drawn, repool: bool) -> None:
        """A partner pays back: placed on its paid tranches, oldest first; never above
        what they hold in disbursed (paid, net of earlier refunds)."""
        tranches = self._tranches(project)
        available = sum((self.model[("disbursed", t.id)] for t in tranches), ZERO)
        amount = self._amount(drawn, available)
        before = self.ledger
        if amount > available:
            with pytest.raises(InvalidInput, match="refund above what was paid"):
                refund_entries(before, tranches, amount, AT, repool=repool, memo="refund")
            assert self.ledger is before
            return
        entries = refund_entries(before, tranches, amount, AT, repool=repool, memo="refund")
        self.ledger = before.post_all(entries)
        left = amount
        for t in tranches:
            take = min(self.model[("disbursed", t.id)], left)
            target = ("fund", "") if repool else ("returned", t.id)
            self._move(("disbursed", t.id), target, take)
            self.flows[("disbursed", t.id)] -= take
            left -= take
        assert left == 0

    @rule(tranche=tranches, drawn=amounts)
    def lose_on_exchange(self, tranche: str, drawn: Drawn) -> None:
        """A tranche paid at a dearer rate: the difference leaves the fund balance."""
        available = self.model[("fund", "")]
        amount = self._amount(drawn, available)
        entry = exchange_loss(AT, amount, project_id=TRANCHES[tranche], tranche_id=tranche)
        if self._post(entry, available):
            self._move(("fund", ""), ("exchange_loss", ""), amount)

    @rule(tranche=tranches, drawn=st.integers(1, 300_000))
    def gain_on_exchange(self, tranche: str, drawn: int) -> None:
        """Paid at a cheaper rate: the saving joins the fund balance (a source, unlimited)."""
        amount = Decimal(drawn) / 100
        entry = exchange_gain(AT, amount, project_id=TRANCHES[tranche], tranche_id=tranche)
        self._post(entry, available=amount)
        self.gained += amount
        self.model[("fund", "")] += amount

    @rule(drawn=st.integers(1, 1000))
    def exchange_without_its_tranche_is_refused(self, drawn: int) -> None:
        entry = exchange_gain(AT, Decimal(drawn), project_id="", tranche_id="")
        self._post(entry, available=ZERO)

    @rule(drawn=st.integers(1, 1000))
    def foreign_currency_is_refused(self, drawn: int) -> None:
        entry = pledge(AT, Decimal(drawn), contributor="DEU", currency="EUR")
        self._post(entry, available=ZERO)

    # -- invariants -----------------------------------------------------------------
    @invariant()
    def money_is_never_created_or_lost(self) -> None:
        held = sum((self.ledger.balance(a) for a in BUCKETS), ZERO)
        assert self.ledger.balance(A.PLEDGED) == self.pledged
        assert self.ledger.balance(A.EXCHANGE_GAIN) == self.gained
        assert held == self.pledged + self.gained

    @invariant()
    def ledger_agrees_with_the_model(self) -> None:
        for (name, scope), value in self.model.items():
            if name.startswith("frozen<-"):
                got = self.ledger.frozen_from(A(name.removeprefix("frozen<-")), scope)
            elif name == "fund":
                got = self.ledger.balance(A.FUND_BALANCE, "")
            elif name == "exchange_loss":
                got = self.ledger.balance(A.EXCHANGE_LOSS, "")
            elif name == "receivable":
                got = self.ledger.balance(A.CONTRIBUTIONS_RECEIVABLE, scope)
            else:
                got = self.ledger.balance(A(name), scope)
            assert got == value >= 0, (name, scope)

    @invariant()
    def nothing_is_paid_beyond_its_commitment_or_the_money_received(self) -> None:
        for tranche in TRANCHES:
            paid = self.flows[("disbursed", tranche)]
            assert ZERO <= paid <= self.flows[("committed", tranche)]
        received = sum(
            (e.amount for e in self.ledger.entries if e.credit is A.CONTRIBUTIONS_RECEIVABLE),
            ZERO,
        )
        assert sum(self.flows[("disbursed", t)] for t in TRANCHES) <= received + self.gained

    @invariant()
    def the_entries_pass_the_invariant_check(self) -> None:
        assert check_invariants(self.ledger.entries) == []
        assert account_balances(self.ledger.entries) == {a: self.ledger.balance(a) for a in A}


LedgerMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
TestLedgerMachine = LedgerMachine.TestCase
