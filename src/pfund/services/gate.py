"""The one gate every release and payment of a tranche passes, naming every reason it holds.

Release and disbursement both call ``check_gate`` inside their transaction, after
reading the tranche, so a payment re-checks what may have changed since the release:

- the conditions of the tranche's stage, of every stage before it, and its own;
- open or confirmed screening hits on the proponent, the partners, their people and the
  project's contacts;
- grievances that hold money: a substantiated (or, by the fund's policy, a credible
  open) grievance against the project or one of its parties, until an audited decision
  lifts the hold (``pfund.services.grievances``);
- the vetting of every counterparty of a vetted kind (a democratic-forces group):
  unapproved, incomplete or lapsed vetting holds the money;
- sanctions licences, at payment: a counterparty in a jurisdiction the fund's policy
  names (``sanctions:`` in fund.yaml) is paid only under a licence or exemption in
  force that names it, covers the project's area and has room under its cap
  (``pfund.conditions.licences``); the payment records the licence it used;
- the tranche's year, at release: not before 1 January of its year unless a person
  decides an early release (the service audits the reason).

A refusal is one ``Conflict`` whose headline lists every reason and whose problems
explain each, by ids and codes only (never a person's name). The pure rules live in
``pfund.conditions.stages`` and ``pfund.conditions.gates``; this module reads the store
and the clock and hands them ``today``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from pfund.conditions import statuses_of, tranche_gate
from pfund.conditions.gates import Hold, condition_holds, vetting_holds, year_hold
from pfund.conditions.licences import LICENCE_MISSING, LicenceCover, licence_cover
from pfund.conditions.stages import GateResult, Statuses
from pfund.domain import Condition, Organisation, Project, Stage, Tranche
from pfund.domain.compliance import CounterpartyKind
from pfund.domain.licence import SanctionsLicence, SanctionsPolicy
from pfund.errors import Conflict, Problem
from pfund.services.screening import HitRef, blocking_refs
from pfund.store.repositories.grievances import GrievanceRepository
from pfund.store.repositories.licences import LicenceRepository
from pfund.store.unit_of_work import UnitOfWork

__all__ = [
    "GRIEVANCE_HOLD",
    "LICENCE_MISSING",
    "SCREENING_HIT",
    "GateContext",
    "GateNames",
    "GateRefused",
    "Step",
    "check_gate",
    "check_payment",
    "condition_gate",
    "conditions_held",
    "gate_context",
    "gate_holds",
    "licences_for",
    "record_licence_uses",
    "today",
]


# The code of a screening hold said as data (facts: ``hit``, ``status``, ``organisation``,
# ``counterparty_kind``, ``counterparty``): each channel adds where the hit is reviewed.
SCREENING_HIT = "screening_hit"
# The code of a grievance's hold (facts: ``grievance``, ``subject_kind``, ``subject``).
GRIEVANCE_HOLD = "grievance_hold"


class Step(StrEnum):
    """What the gate is asked to let through, in the words of the refusal."""

    RELEASE = "released"
    DISBURSE = "paid"


def today() -> date:
    """The day in UTC: the one clock the gate reads (tests replace it to fix a day)."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class GateNames:
    """The English names of what a refusal cites by code: each condition's title, each
    stage's name, and the stage that needs each condition (a CLI reader is told
    "Ceasefire holding [ceasefire_holding] ... stage 1, Humanitarian ...", as a page
    names them, not left to look the codes up)."""

    conditions: dict[str, str] = field(default_factory=dict)
    stages: dict[int, str] = field(default_factory=dict)
    holders: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, conditions: Iterable[Condition], stages: Iterable[Stage]) -> GateNames:
        stages = list(stages)
        return cls(
            conditions={c.code: c.title for c in conditions},
            stages={s.number: s.name for s in stages},
            holders={code: s.number for s in stages for code in s.conditions},
        )


class GateRefused(Conflict):
    """The gate's refusal: a ``Conflict`` (same status and body for the API) that also
    carries its ``holds``, the tranche and step, and the names of what they cite, so a
    page or the CLI can name each reason in words and a page link to it."""

    def __init__(
        self,
        message: str,
        holds: list[Hold],
        *,
        tranche: str = "",
        step: str = "",
        names: GateNames | None = None,
    ) -> None:
        super().__init__(message, [h.problem for h in holds])
        self.holds = holds
        self.tranche = tranche
        self.step = step
        self.names = names or GateNames()


@dataclass(frozen=True)
class GateContext:
    """What the gate reads from the store for some tranches, read once: a page of
    tranches is judged with a handful of queries, not a handful per tranche."""

    conditions: dict[str, Condition]
    stages: list[Stage]
    projects: dict[str, Project]
    organisations: dict[str, Organisation]
    hits: list[HitRef]
    # the grievances holding money against these projects or their parties
    grievances: list[dict[str, str]] = field(default_factory=list)
    # the fund's sanctions policy, its licences and what was paid under each
    sanctions: SanctionsPolicy = field(default_factory=SanctionsPolicy)
    licences: list[SanctionsLicence] = field(default_factory=list)
    licence_paid: dict[str, Decimal] = field(default_factory=dict)
    currency: str = ""

    @cached_property
    def statuses(self) -> Statuses:
        return statuses_of(list(self.conditions.values()))

    @cached_property
    def holders(self) -> dict[str, int]:
        return {code: s.number for s in self.stages for code in s.conditions}


def gate_context(uow: UnitOfWork, tranches: Iterable[Tranche]) -> GateContext:
    """Read, once, what the gate needs to judge ``tranches``."""
    project_ids = sorted({t.project_id for t in tranches})
    projects = uow.projects.many(project_ids)
    parties = sorted({party for p in projects.values() for party in _parties(p)})
    contacts = sorted({c for p in projects.values() for c in p.contacts})
    hits = blocking_refs(uow, organisations=parties, contacts=contacts) if projects else []
    found = uow.organisations.many(parties)
    organisations = {o: found[o] for o in parties if o in found}
    conditions = {c.code: c for c in uow.conditions.list()}
    held = GrievanceRepository(uow.session, uow.cipher).holding([*project_ids, *parties])
    fund = uow.fund.get()
    sanctions = fund.sanctions if fund else SanctionsPolicy()
    currency = fund.currency if fund else ""
    licences: list[SanctionsLicence] = []
    paid: dict[str, Decimal] = {}
    if sanctions.jurisdictions and any(
        o.country in sanctions.jurisdictions for o in organisations.values()
    ):
        store = LicenceRepository(uow.session, currency)
        licences = [lic for lic in store.list() if set(lic.counterparties) & set(parties)]
        paid = store.paid(lic.id for lic in licences)
    return GateContext(
        conditions,
        uow.stages.list(),
        projects,
        organisations,
        hits,
        held,
        sanctions=sanctions,
        licences=licences,
        licence_paid=paid,
        currency=currency,
    )


def gate_holds(
    context: GateContext,
    tranche: Tranche,
    step: Step,
    *,
    today: date,
    early: bool = False,
    amount: Decimal | None = None,
) -> tuple[GateResult, list[Hold]]:
    """Every reason ``tranche`` is held at ``step`` on ``today``, from ``context``;
    ``check_gate`` refuses on exactly these, and a page shows them before anyone asks."""
    gate, holds = conditions_held(context, tranche)
    project = context.projects.get(tranche.project_id)
    parties = _parties(project) if project else []
    contacts = set(project.contacts) if project else set()
    hits = [h for h in context.hits if _concerns(h, set(parties), contacts)]
    holds += _screening_holds(hits)
    subjects = {tranche.project_id, *parties}
    holds += _grievance_holds([g for g in context.grievances if g["subject_id"] in subjects])
    organisations = [context.organisations[p] for p in parties if p in context.organisations]
    holds += vetting_holds(_unique(organisations), today)
    if step is Step.DISBURSE:
        holds += licences_for(context, tranche, today=today, amount=amount).holds
    if step is Step.RELEASE:
        held = year_hold(tranche, today, early=early)
        holds += [held] if held else []
    return gate, holds


def licences_for(
    context: GateContext, tranche: Tranche, *, today: date, amount: Decimal | None = None
) -> LicenceCover:
    """The licence each sanctioned party of the tranche's project is paid under on
    ``today`` (``amount``, or the whole tranche), or the holds of those none covers."""
    project = context.projects.get(tranche.project_id)
    if project is None or not context.sanctions.jurisdictions:
        return LicenceCover({}, [])
    parties = [context.organisations[p] for p in _parties(project) if p in context.organisations]
    return licence_cover(
        parties,
        area=project.area,
        amount=tranche.amount if amount is None else amount,
        day=today,
        licences=context.licences,
        paid=context.licence_paid,
        policy=context.sanctions,
        currency=context.currency,
    )


def check_gate(
    uow: UnitOfWork,
    tranche: Tranche,
    step: Step,
    *,
    today: date,
    early: bool = False,
    amount: Decimal | None = None,
) -> GateResult:
    """Let the tranche through or raise ``Conflict`` naming every reason it is held.

    ``early`` is an explicit, audited early release decided by a person; it lifts only
    the year rule, and only at release (a released tranche's year was checked then).
    """
    return _judge(uow, tranche, step, today=today, early=early, amount=amount)[0]


def check_payment(
    uow: UnitOfWork, tranche: Tranche, amount: Decimal, *, today: date
) -> LicenceCover:
    """Let a payment of ``amount`` through the gate (or raise as ``check_gate``) and say
    which licence each sanctioned party is paid under, judged from the same reading."""
    _, context = _judge(uow, tranche, Step.DISBURSE, today=today, amount=amount)
    return licences_for(context, tranche, today=today, amount=amount)


def _judge(
    uow: UnitOfWork,
    tranche: Tranche,
    step: Step,
    *,
    today: date,
    early: bool = False,
    amount: Decimal | None = None,
) -> tuple[GateResult, GateContext]:
    context = gate_context(uow, [tranche])
    gate, holds = gate_holds(context, tranche, step, today=today, early=early, amount=amount)
    if holds:
        headline = "; ".join(h.summary for h in holds)
        raise GateRefused(
            f"tranche {tranche.id} cannot be {step.value}: {headline}",
            holds,
            tranche=tranche.id,
            step=step.value,
            names=GateNames.of(context.conditions.values(), context.stages),
        )
    return gate, context


def record_licence_uses(
    uow: UnitOfWork, tranche: Tranche, amount: Decimal, cover: LicenceCover, *, at: datetime
) -> dict[str, str]:
    """Record, in the payment's transaction, the licence each sanctioned party is paid
    under (one row per licence, whatever the number of its parties, so a cap counts a
    payment once); the parties and licences, for the payment's audit event."""
    by_licence: dict[str, list[str]] = {}
    for party, licence in cover.used.items():
        by_licence.setdefault(licence, []).append(party)
    if by_licence:
        fund = uow.fund.get()
        store = LicenceRepository(uow.session, fund.currency if fund else "")
        for licence, parties in sorted(by_licence.items()):
            store.record_use(licence, tranche.id, parties, amount, at)
    return cover.used


def condition_gate(uow: UnitOfWork, tranche: Tranche) -> tuple[GateResult, list[Hold]]:
    """The conditions part of the gate alone: what an unfreeze must see hold again."""
    conditions = {c.code: c for c in uow.conditions.list()}
    return conditions_held(GateContext(conditions, uow.stages.list(), {}, {}, []), tranche)


def conditions_held(context: GateContext, tranche: Tranche) -> tuple[GateResult, list[Hold]]:
    """The conditions ``tranche`` needs that are not met, from ``context``."""
    gate = tranche_gate(tranche, context.statuses, context.stages)
    return gate, condition_holds(gate, context.holders)


def _parties(project: Project) -> list[str]:
    return [p for p in [project.proponent, *project.partners] if p]


def _concerns(hit: HitRef, parties: set[str], contacts: set[str]) -> bool:
    """Whether a hit is on one of the project's parties, their people or its contacts
    (as ``blocking_refs`` selects them for one project)."""
    if hit.counterparty_kind is CounterpartyKind.ORGANISATION:
        return hit.counterparty_id in parties
    return hit.organisation in parties or hit.counterparty_id in contacts


def _screening_holds(hits: list[HitRef]) -> list[Hold]:
    """One hold per open or confirmed hit; hit, counterparty and organisation by id only."""
    return [
        Hold(
            f"screening hit {h.hit} on organisation {h.organisation} is {h.status.value}",
            Problem(
                f"hit {h.hit} ({h.status.value}, score {h.score:.2f}) on "
                f"{h.counterparty_kind.value} {h.counterparty_id} of organisation "
                f"{h.organisation}; compliance must review it before money moves",
                field="screening",
                code=SCREENING_HIT,
                facts={
                    "hit": h.hit,
                    "status": h.status.value,
                    "organisation": h.organisation or "",
                    "counterparty_kind": h.counterparty_kind.value,
                    "counterparty": h.counterparty_id,
                },
            ),
            str(h.hit),
            h.status.value,
        )
        for h in hits
    ]


def _grievance_holds(grievances: list[dict[str, str]]) -> list[Hold]:
    """One hold per grievance holding the money; by id only, never what it says."""
    return [
        Hold(
            f"grievance {g['id']} against {g['subject_kind']} {g['subject_id']} holds its money",
            Problem(
                f"grievance {g['id']} ({g['status']}) against {g['subject_kind']} "
                f"{g['subject_id']} holds the money until the integrity officer lifts the hold",
                field="grievance",
                code=GRIEVANCE_HOLD,
                facts={
                    "grievance": g["id"],
                    "subject_kind": g["subject_kind"],
                    "subject": g["subject_id"],
                },
            ),
            g["id"],
            g["status"],
        )
        for g in grievances
    ]


def _unique(organisations: list[Organisation]) -> list[Organisation]:
    return list({o.id: o for o in organisations}.values())
