"""What the public portal shows: where every dollar goes, and what must happen for more.

Built only from public views of stored records. Money per project comes from its
tranches (committed when a run is approved, disbursed when paid), which the ledger
mirrors entry for entry. Money per region splits a project's commitment equally across
the regions it names: proposals do not say how much lands where, and an equal split is
the assumption a reader can check.

Every answer is cached until the store's public state changes: every change to stored
data appends an audit event in its own transaction, so a new head is exactly "something
changed"; the events that change nothing the public reads (a job's life, accounts,
people, a proposal received) move the head without dropping the answers.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from threading import Lock, local
from typing import Any, TypeVar

from pydantic import BaseModel

from pfund.conditions import stage_reached, statuses_of
from pfund.domain import (
    Condition,
    ConditionStatus,
    LedgerAccount,
    LedgerEntry,
    Organisation,
    Project,
    ProjectStatus,
    TrancheStatus,
)
from pfund.domain.conditions import named_verifiers
from pfund.domain.fund import Verifier
from pfund.domain.fx import ECB_BASE
from pfund.domain.project import INTAKE_STATUSES
from pfund.domain.protection import ProtectionClass, effective_protection, view
from pfund.errors import NotFound
from pfund.services.appraisal import OutcomeCost, costs_per_outcome
from pfund.services.audit import AuditHead, published_head
from pfund.services.funding import fund_size
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

T = TypeVar("T")
PUBLIC = ProtectionClass.PUBLIC
UNPUBLISHED = INTAKE_STATUSES
COMMITTED_STATUSES = {
    ProjectStatus.APPROVED.value,
    ProjectStatus.FUNDED.value,
    ProjectStatus.IN_PROGRESS.value,
    ProjectStatus.COMPLETED.value,
}
ZERO = Decimal(0)


class ProjectLine(BaseModel):
    id: str
    title: str
    title_ru: str
    area: str
    area_name: str
    area_name_ru: str
    regions: list[str]
    status: str
    stage: int | None
    likely_cost: Decimal | None
    committed: Decimal
    disbursed: Decimal
    frozen: Decimal
    currency: str
    proponent: str | None
    released: Decimal = ZERO  # released to the project, not yet paid
    proponent_hidden: bool = False
    # the currency of the money figures above (the fund's; ``currency`` is the
    # project's own, its costs'), and the exchange gains and losses its payments,
    # refunds and repayments in another currency brought the fund
    money_currency: str = ""
    exchange_gain: Decimal = ZERO
    exchange_loss: Decimal = ZERO


class ConditionLine(BaseModel):
    code: str
    title: str
    title_ru: str
    definition: str
    definition_ru: str = ""
    status: str
    since: date | None
    met: bool
    # Who verifies it, by the fund's register in each language ("" when a store from
    # before the codes holds free text: ``verifier`` then is that text, in English).
    verifier: str = ""
    verifier_ru: str = ""


class StageLine(BaseModel):
    number: int
    name: str
    name_ru: str
    description: str
    description_ru: str = ""
    unlocked: bool
    conditions: list[ConditionLine]
    tranches_waiting: int
    money_waiting: Decimal


class AreaMoney(BaseModel):
    code: str
    name: str
    name_ru: str
    projects: int
    committed: Decimal
    disbursed: Decimal


class RegionMoney(BaseModel):
    code: str
    name: str
    name_ru: str
    projects: int
    committed: Decimal
    per_person: Decimal | None


class ContributorLine(BaseModel):
    iso3: str
    name: str
    gdp_usd: Decimal
    share_of_gdp: Decimal
    annual_contribution: Decimal


class DecisionLine(BaseModel):
    id: str
    kind: str
    created_at: str
    status: str
    gap: float | None
    selected: int
    cost: float | None
    value: float | None
    approved: bool


class Overview(BaseModel):
    fund: str
    fund_ru: str
    currency: str
    projects: int
    approved_projects: int
    committed: Decimal
    disbursed: Decimal
    frozen: Decimal
    annual_contributions: Decimal
    released: Decimal = ZERO  # released to projects, not yet paid
    stage_reached: int
    next_stage: StageLine | None
    by_area: list[AreaMoney]
    latest_decision: DecisionLine | None
    # what paying, refunding and repaying in other currencies gained and lost the fund,
    # and the sources of the rates those conversions used
    exchange_gain: Decimal = ZERO
    exchange_loss: Decimal = ZERO
    rate_sources: list[str] = []
    # the same sources in Russian, in the same order (the English where none is stored)
    rate_sources_ru: list[str] = []


# Entries kept per store: every page in both languages, with room for the filters
# readers use; beyond it the least recently used entry goes, so requests with ever new
# query strings cannot grow the cache (and the worker's memory) without bound.
MAX_ENTRIES = 512

# Events that change nothing the public reads: a job's life (what a job does records
# its own events), accounts and sessions, people (personal data is never public), and a
# proposal received through the form (an intake project, shown only to staff and its
# proposer). Any other event empties the cache; these only move the footer's head.
PRIVATE_RECORD_TYPES = frozenset({"job", "user", "person"})
PRIVATE_ACTIONS = frozenset({"project.submitted"})


class _Cache:
    """Public answers, kept while the store's public state stays the same.

    Each request reads the audit head (one query). When it has moved since the last
    look, one range read over the new events tells whether any of them can change what
    the public reads; only then are the entries dropped. A key is built by one thread at
    a time: the others wait for its value rather than computing it again.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = Lock()
        self._look = Lock()  # one thread at a time compares a moved head
        self._seen: tuple[int, str] = (-1, "")  # the head last compared
        self._generation = 0  # counts the times the entries were dropped
        self._values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._building: dict[tuple[Any, ...], Lock] = {}
        self._published: tuple[tuple[int, str], AuditHead] | None = None
        self._local = local()
        self.max_entries = max_entries

    def __len__(self) -> int:
        return len(self._values)

    def get(self, rt: Runtime, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        outer = getattr(self._local, "generation", None)
        # inside a build the state was read once for the whole answer (the values it
        # combines belong to one state, and the head is not read again for each)
        generation = outer if outer is not None else self.generation(rt)[1]
        with self._lock:
            if key in self._values and generation == self._generation:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[no-any-return]
            building = self._building.setdefault(key, Lock())
        with building:
            with self._lock:
                if key in self._values and generation == self._generation:
                    return self._values[key]  # type: ignore[no-any-return]
            self._local.generation = generation
            try:
                value = build()
            finally:  # also when it fails (an unknown id): no lock is left behind
                self._local.generation = outer
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                if generation == self._generation:
                    self._values[key] = value
                    self._values.move_to_end(key)
                    while len(self._values) > self.max_entries:
                        self._values.popitem(last=False)
        return value

    def generation(self, rt: Runtime) -> tuple[tuple[int, str], int]:
        """The audit head, and the generation of the entries, which match the store."""
        with rt.uow() as uow:
            head = uow.audit.head(lock=False)
            if head == self._seen:
                return head, self._generation
            with self._look:
                if head != self._seen:
                    if head[0] < self._seen[0] and self._holds(uow, self._seen):
                        return head, self._generation  # read before another thread's
                    if not self._extends(uow, head):
                        with self._lock:
                            self._values = OrderedDict()
                            self._generation += 1
                    self._seen = head
                return head, self._generation

    @staticmethod
    def _holds(uow: UnitOfWork, head: tuple[int, str]) -> bool:
        return head[0] == 0 or uow.audit.hash_at(head[0]) == head[1]

    def _extends(self, uow: UnitOfWork, head: tuple[int, str]) -> bool:
        """Whether ``head`` continues the history last seen with events the public
        cannot see: the event last seen still there (the same store: two stores, or one
        restored from a backup, never share an entry), and nothing public after it."""
        seen = self._seen
        if seen[0] < 0 or head[0] < seen[0] or not self._holds(uow, seen):
            return False
        return not uow.audit.any_between(
            seen[0], head[0], except_types=PRIVATE_RECORD_TYPES, except_actions=PRIVATE_ACTIONS
        )

    def published_head(self, rt: Runtime) -> AuditHead:
        """The head as the footer publishes it: read on every request (it moves with
        every event, public or not), the time of its event once per head."""
        with rt.uow() as uow:
            head = uow.audit.head(lock=False)
            known = self._published
            if known is not None and known[0] == head:
                return known[1]
            published = published_head(uow)
        self._published = ((published.seq, published.hash), published)
        return published


_caches: dict[int, _Cache] = {}


def _cache(rt: Runtime) -> _Cache:
    return _caches.setdefault(id(rt.engine), _Cache())


def cached(rt: Runtime, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``, computed once per state of the store (until the next audit event).

    For what the public reads: a page or a list is the same for every reader until
    something changes, and every change appends an audit event.
    """
    return _cache(rt).get(rt, key, build)


def audit_head(rt: Runtime) -> AuditHead:
    """The audit chain's head as the footer publishes it (seq, keyed hash, time)."""
    return _cache(rt).published_head(rt)


def projects(rt: Runtime) -> list[ProjectLine]:
    return _cache(rt).get(rt, ("projects",), lambda: _projects(rt))


def project(rt: Runtime, project_id: str) -> tuple[ProjectLine, dict[str, Any]]:
    """One published project's line and its public fields."""
    line, found = _published(rt, project_id)
    return line, view(found, audience=ProtectionClass.PUBLIC)


def published_project(rt: Runtime, project_id: str) -> Project:
    """A published project as stored (NotFound unless the portal shows it), read once per
    state of the store for every part of its page. Not to be changed by the caller."""
    return _published(rt, project_id)[1]


def _published(rt: Runtime, project_id: str) -> tuple[ProjectLine, Project]:
    line = next((p for p in projects(rt) if p.id == project_id), None)
    if line is None:
        raise NotFound(f"no project with id '{project_id}'")

    def build() -> Project:
        with rt.uow() as uow:
            found = uow.projects.get(project_id)
        assert found is not None
        return found

    return line, _cache(rt).get(rt, ("stored-project", project_id), build)


def outcome_costs(rt: Runtime, project_id: str) -> list[OutcomeCost]:
    """Cost per unit of each outcome of a published project, at likely values, discounted
    at the fund's rate to its first year; empty when its costs or outcomes are protected.

    Names: the outcome's own ``name`` / ``name_ru`` when the data gives them, else its key
    with underscores as spaces.
    """
    found = published_project(rt, project_id)  # NotFound unless published

    def build() -> list[OutcomeCost]:
        with rt.uow() as uow:
            fund = uow.fund.get()
        shown = view(found, audience=ProtectionClass.PUBLIC)
        if fund is None or "costs" not in shown or "outcomes" not in shown:
            return []
        return costs_per_outcome(fund, found)

    return _cache(rt).get(rt, ("outcome-costs", project_id), build)


def _projects(rt: Runtime) -> list[ProjectLine]:
    with rt.uow() as uow:
        areas = {a.code: a for a in uow.reference.areas()}
        orgs = {o.id: o for o in uow.organisations.list()}
        money = _tranche_money(uow)
        fund = uow.fund.get()
        money_currency = fund.currency if fund else ""
        found = [
            p
            for p in uow.projects.list(published=True)
            if p.status not in UNPUBLISHED and effective_protection(p, "status") is PUBLIC
        ]
    lines = [_line(p, areas, orgs, money.get(p.id, {})) for p in found]
    return [line.model_copy(update={"money_currency": money_currency}) for line in lines]


def _line(
    p: Project, areas: dict[str, Any], orgs: dict[str, Organisation], money: dict[str, Decimal]
) -> ProjectLine:
    """The project as the public may see it: from its public view, so a field the
    project protects (its regions, costs, proponent...) never reaches a page."""
    shown = view(p, audience=ProtectionClass.PUBLIC)
    area = areas.get(shown.get("area", ""))
    proponent = orgs.get(shown.get("proponent") or "")
    return ProjectLine(
        id=p.id,
        title=shown.get("title") or p.id,
        title_ru=shown.get("title_ru", ""),
        area=area.code if area else "",
        area_name=area.name if area else "-",
        area_name_ru=(area.name_ru or area.name) if area else "-",
        regions=list(shown.get("regions", [])),
        status=p.status.value,
        stage=shown.get("stage"),
        likely_cost=p.likely_cost() if "costs" in shown else None,
        committed=money.get("committed", ZERO),
        disbursed=money.get("disbursed", ZERO),
        frozen=money.get("frozen", ZERO),
        released=money.get("released", ZERO),
        exchange_gain=money.get("exchange_gain", ZERO),
        exchange_loss=money.get("exchange_loss", ZERO),
        currency=p.currency,
        proponent=_public_name(proponent),
        proponent_hidden=bool(p.proponent) and _public_name(proponent) is None,
    )


def _public_name(org: Organisation | None) -> str | None:
    if org is None:
        return None
    shown = view(org, audience=ProtectionClass.PUBLIC)
    return shown.get("name") or shown.get("alias") or None


def _tranche_money(uow: UnitOfWork) -> dict[str, dict[str, Decimal]]:
    """Each project's tranches by status; disbursed as the ledger paid it, since a tranche
    paid by results may have earned less than its amount (the rest stays released)."""
    money: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    entries = uow.ledger.list()
    paid = _paid_by_tranche(entries)
    for t in uow.tranches.list():
        if t.status is TrancheStatus.CANCELLED:
            continue
        money[t.project_id]["committed"] += t.amount
        if t.status is TrancheStatus.DISBURSED:
            money[t.project_id]["disbursed"] += paid.get(t.id, t.amount)
        if t.status is TrancheStatus.FROZEN:
            money[t.project_id]["frozen"] += t.amount
        if t.status is TrancheStatus.RELEASED:
            money[t.project_id]["released"] += t.amount
    for pid, (gain, loss) in _exchange(entries).items():
        money[pid]["exchange_gain"] += gain
        money[pid]["exchange_loss"] += loss
    return money


def _exchange(entries: list[LedgerEntry]) -> dict[str, tuple[Decimal, Decimal]]:
    """Each project's exchange gains and losses, from its entries into those accounts."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for e in entries:
        if not e.project_id:
            continue
        gain, loss = out.get(e.project_id, (ZERO, ZERO))
        if LedgerAccount.EXCHANGE_GAIN in (e.debit, e.credit):
            out[e.project_id] = (gain + e.amount, loss)
        elif LedgerAccount.EXCHANGE_LOSS in (e.debit, e.credit):
            out[e.project_id] = (gain, loss + e.amount)
    return out


def _rate_sources(uow: UnitOfWork, entries: list[LedgerEntry]) -> list[tuple[str, str]]:
    """The sources of the published rates the ledger's conversions used, each in English
    and in Russian (the English where the rate carries no Russian)."""
    found: set[tuple[str, str]] = set()
    seen: set[tuple[str, date]] = set()
    for e in entries:
        if e.fx_currency is None or e.fx_rate_date is None:
            continue
        leg = e.currency if e.fx_currency == ECB_BASE else e.fx_currency
        if (leg, e.fx_rate_date) in seen:
            continue
        seen.add((leg, e.fx_rate_date))
        rate = uow.rates.latest(ECB_BASE, leg, e.fx_rate_date)
        if rate is not None and rate.source:
            found.add((rate.source, rate.source_ru or rate.source))
    return sorted(found)


def _paid_by_tranche(entries: list[LedgerEntry]) -> dict[str, Decimal]:
    """What the ledger disbursed on each tranche, less repayments."""
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        if e.tranche_id and e.debit is LedgerAccount.DISBURSED:
            paid[e.tranche_id] += e.amount
        elif e.tranche_id and e.credit is LedgerAccount.DISBURSED:
            paid[e.tranche_id] -= e.amount
    return paid


def stages(rt: Runtime) -> list[StageLine]:
    return _cache(rt).get(rt, ("stages",), lambda: _stages(rt))


def _stages(rt: Runtime) -> list[StageLine]:
    with rt.uow() as uow:
        conditions = {c.code: c for c in uow.conditions.list()}
        all_stages = uow.stages.list()
        tranches = uow.tranches.list()
        fund = uow.fund.get()
    register = {v.code: v for v in (fund.verifiers if fund else [])}
    reached = stage_reached(all_stages, statuses_of(list(conditions.values())))
    lines = []
    for s in sorted(all_stages, key=lambda s: s.number):
        waiting = [t for t in tranches if t.stage == s.number and t.status in WAITING_STATUSES]
        lines.append(
            StageLine(
                number=s.number,
                name=s.name,
                name_ru=s.name_ru or s.name,
                description=s.description,
                description_ru=s.description_ru,
                unlocked=s.number <= reached,
                conditions=[
                    _condition(conditions[c], register) for c in s.conditions if c in conditions
                ],
                tranches_waiting=len(waiting),
                money_waiting=sum((t.amount for t in waiting), ZERO),
            )
        )
    return lines


WAITING_STATUSES = {TrancheStatus.PLANNED, TrancheStatus.FROZEN}


class FrozenMoney(BaseModel):
    """Money a reversal holds now, and money returned by an unfreeze decision so far."""

    frozen: Decimal
    frozen_tranches: int
    unfrozen: Decimal
    unfrozen_tranches: int
    currency: str


def frozen_money(rt: Runtime) -> FrozenMoney:
    """Totals from the ledger: the frozen balance, and every unfreeze entry ever posted."""
    return _cache(rt).get(rt, ("frozen_money",), lambda: _frozen_money(rt))


def _frozen_money(rt: Runtime) -> FrozenMoney:
    with rt.uow() as uow:
        entries = uow.ledger.list()
        fund = uow.fund.get()
    frozen = {e.tranche_id: ZERO for e in entries if LedgerAccount.FROZEN in (e.debit, e.credit)}
    for e in entries:
        if e.debit is LedgerAccount.FROZEN:
            frozen[e.tranche_id] += e.amount
        elif e.credit is LedgerAccount.FROZEN:
            frozen[e.tranche_id] -= e.amount
    unfrozen = [
        e
        for e in entries
        if e.credit is LedgerAccount.FROZEN
        and e.debit in (LedgerAccount.COMMITTED, LedgerAccount.RELEASED)
    ]
    return FrozenMoney(
        frozen=sum(frozen.values(), ZERO),
        frozen_tranches=sum(1 for v in frozen.values() if v > 0),
        unfrozen=sum((e.amount for e in unfrozen), ZERO),
        unfrozen_tranches=len({e.tranche_id for e in unfrozen}),
        currency=fund.currency if fund else "USD",
    )


def _condition(c: Condition, register: dict[str, Verifier]) -> ConditionLine:
    """A condition for the public page, its verifiers named from the register."""
    found = named_verifiers(c.protocol.verifier, register)
    return ConditionLine(
        verifier="; ".join(v.name for v in found) if found else c.protocol.verifier,
        verifier_ru="; ".join(v.name_ru or v.name for v in found) if found else "",
        code=c.code,
        title=c.title,
        title_ru=c.title_ru or c.title,
        definition=c.definition,
        definition_ru=c.definition_ru,
        status=c.status.value,
        since=c.status_since,
        met=c.status is ConditionStatus.MET,
    )


def by_area(rt: Runtime) -> list[AreaMoney]:
    def build() -> list[AreaMoney]:
        with rt.uow() as uow:
            areas = uow.reference.areas()
        lines = projects(rt)
        return [
            AreaMoney(
                code=a.code,
                name=a.name,
                name_ru=a.name_ru or a.name,
                projects=sum(1 for p in lines if p.area == a.code),
                committed=sum((p.committed for p in lines if p.area == a.code), ZERO),
                disbursed=sum((p.disbursed for p in lines if p.area == a.code), ZERO),
            )
            for a in areas
        ]

    return _cache(rt).get(rt, ("areas",), build)


def by_region(rt: Runtime) -> list[RegionMoney]:
    """Committed money per region, each project's commitment split equally over its regions."""

    def build() -> list[RegionMoney]:
        with rt.uow() as uow:
            regions = uow.reference.regions()
        money: dict[str, Decimal] = defaultdict(lambda: ZERO)
        count: dict[str, int] = defaultdict(int)
        for p in projects(rt):
            for code in p.regions:
                count[code] += 1
                if p.committed:
                    money[code] += p.committed / len(p.regions)
        return [
            RegionMoney(
                code=r.code,
                name=r.name,
                name_ru=r.name_ru or r.name,
                projects=count[r.code],
                committed=money[r.code].quantize(Decimal(1)),
                per_person=(money[r.code] / r.population).quantize(Decimal("0.01"))
                if r.population
                else None,
            )
            for r in regions
        ]

    return _cache(rt).get(rt, ("regions",), build)


def contributors(rt: Runtime) -> list[ContributorLine]:
    def build() -> list[ContributorLine]:
        size = fund_size(rt)
        with rt.uow() as uow:
            found = {c.iso3: c for c in uow.reference.contributors()}
        lines = []
        for m in size.members:
            c = found.get(m.iso3)
            if c is None:
                continue
            lines.append(
                ContributorLine(
                    iso3=c.iso3,
                    name=c.name,
                    gdp_usd=c.gdp_usd,
                    # What the fund's rule (fund.yaml's share, or a cap) takes from this
                    # member, not the contributor table's default of 0.25%.
                    share_of_gdp=(m.contribution / c.gdp_usd).quantize(Decimal("1e-7"))
                    if c.gdp_usd
                    else ZERO,
                    annual_contribution=m.contribution,
                )
            )
        return sorted(lines, key=lambda x: -x.annual_contribution)

    return _cache(rt).get(rt, ("contributors",), build)


def decisions(rt: Runtime) -> list[DecisionLine]:
    def build() -> list[DecisionLine]:
        with rt.uow() as uow:
            records = uow.decisions.list(kind="portfolio")
            approved = {
                str(e.details.get("run"))
                for e in uow.audit.list(record_type="project")
                if e.action == "project.approved"
            }
        return [
            DecisionLine(
                id=r.id,
                kind=r.kind,
                created_at=r.created_at.isoformat(),
                status=r.status,
                gap=r.gap,
                selected=len(r.result.get("selected", [])),
                cost=r.result.get("cost"),
                value=r.objective,
                approved=r.id in approved,
            )
            for r in records
        ]

    return _cache(rt).get(rt, ("decisions",), build)


def overview(rt: Runtime) -> Overview:
    def build() -> Overview:
        with rt.uow() as uow:
            fund = uow.fund.get()
            entries = uow.ledger.list()
            sources = _rate_sources(uow, entries)
        gains = sum(
            (e.amount for e in entries if LedgerAccount.EXCHANGE_GAIN in (e.debit, e.credit)),
            ZERO,
        )
        losses = sum(
            (e.amount for e in entries if LedgerAccount.EXCHANGE_LOSS in (e.debit, e.credit)),
            ZERO,
        )
        if fund is None:
            raise NotFound("the store holds no fund yet")
        lines = projects(rt)
        stage_lines = stages(rt)
        reached = max((s.number for s in stage_lines if s.unlocked), default=0)
        upcoming = [s for s in stage_lines if not s.unlocked]
        runs = decisions(rt)
        return Overview(
            fund=fund.name,
            fund_ru=fund.name_ru or fund.name,
            currency=fund.currency,
            projects=len(lines),
            approved_projects=sum(1 for p in lines if p.status in COMMITTED_STATUSES),
            committed=sum((p.committed for p in lines), ZERO),
            disbursed=sum((p.disbursed for p in lines), ZERO),
            frozen=sum((p.frozen for p in lines), ZERO),
            released=sum((p.released for p in lines), ZERO),
            annual_contributions=sum((c.annual_contribution for c in contributors(rt)), ZERO),
            stage_reached=reached,
            next_stage=upcoming[0] if upcoming else None,
            by_area=by_area(rt),
            latest_decision=runs[0] if runs else None,
            exchange_gain=gains,
            exchange_loss=losses,
            rate_sources=[english for english, _ in sources],
            rate_sources_ru=[russian for _, russian in sources],
        )

    return _cache(rt).get(rt, ("overview",), build)
