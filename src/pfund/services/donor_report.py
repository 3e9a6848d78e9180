"""Each donor's report: what their money funded, what it achieved and what is held.

The rule (``ATTRIBUTION_RULE``, ``pfund.funding.donors``) is applied to the ledger as it
stands: every agreement's receipts net of fee, and each contributor's other receipts,
against what the fund has committed to or paid each project. "Achieved": the verified
figures of the projects funded, with the donor's share of each.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from pfund.domain import LedgerAccount, LedgerEntry, Project
from pfund.domain.account import Permission
from pfund.domain.results import Indicator
from pfund.errors import NotFound
from pfund.funding import contributor_positions
from pfund.funding.donors import Attribution, Pool, Spend, attribute
from pfund.services import gate as money_gate
from pfund.services.donors import AgreementView, _fund, _view
from pfund.services.names import Name, area_names
from pfund.services.results_public import unit_ru
from pfund.services.runtime import Runtime
from pfund.services.verified import Key, VerifiedFigure, verified_figures
from pfund.store.repositories.donors import DonorRepository
from pfund.store.repositories.results import ResultsRepository

__all__ = [
    "ATTRIBUTION_RULE",
    "Achieved",
    "DonorMoney",
    "DonorReport",
    "FundedProject",
    "donor_report",
    "donors_overview",
]

PIPELINE = {
    LedgerAccount.COMMITTED,
    LedgerAccount.RELEASED,
    LedgerAccount.FROZEN,
    LedgerAccount.DISBURSED,
}
ATTRIBUTION_RULE = (
    "Each agreement's receipts, net of its administration fee, and each contributor's "
    "other receipts are attributed to what the fund has committed to or paid each "
    "project. Earmarked agreements first, in the order of their ids: each funds the "
    "projects its earmark allows, in proportion to what is spent on them and not yet "
    "funded, up to its amount. The rest of every project is funded by the unearmarked "
    "money together, each part in proportion to its amount. What is not attributed is "
    "held by the fund."
)


class Achieved(BaseModel):
    """One indicator of a funded project, named from its results framework: the target
    of a period and, once verified, what the verifier found and this donor's share."""

    project: str
    code: str
    name: str
    name_ru: str
    unit: str
    unit_ru: str
    period: str | None  # the period verified, or the first with a target
    baseline: Decimal
    target: Decimal | None
    verified: Decimal | None  # None: not verified yet
    share: Decimal | None  # the donor's part of the verified value


class FundedProject(BaseModel):
    project: str
    title: str
    title_ru: str
    area: str
    spent: Decimal  # what the fund put in (committed or paid)
    attributed: Decimal  # the donor's part of it
    share: float  # attributed / spent
    results: list[str]  # verified figures, in words (the indicators by name)
    results_ru: list[str]
    achieved: list[Achieved] = []  # every indicator, verified or not yet


class DonorReport(BaseModel):
    """What one donor's money funded, what it achieved, and what the fund still holds."""

    contributor: str
    name: str
    fund_currency: str
    on: date
    rule: str
    agreements: list[AgreementView]
    received: Decimal  # all the donor's receipts in the fund's currency (ledger)
    fees: Decimal
    net: Decimal
    attributed: Decimal
    held: Decimal
    projects: list[FundedProject]
    verified_results: int = 0  # how many indicator values are verified: 0 says none yet
    areas: dict[str, Name] = {}  # area names in both languages, for the report's words


def donor_report(rt: Runtime, contributor: str, *, today: date | None = None) -> DonorReport:
    """The per-donor report: agreements, money in, money attributed to projects by the
    stated rule (``ATTRIBUTION_RULE``), results where they exist, and money held."""
    rt.require(Permission.READ_INTERNAL)
    return _donor_report(rt, contributor, today or money_gate.today())


class DonorMoney(BaseModel):
    """One donor's money as the portal shows it: its agreements, what arrived, what it
    funds and what the fund holds of it (attribution: ``ATTRIBUTION_RULE``)."""

    contributor: str
    name: str
    fund_currency: str
    agreements: list[AgreementView]
    received: Decimal
    fees: Decimal
    attributed: Decimal
    held: Decimal
    projects: int


def donors_overview(rt: Runtime, *, today: date | None = None) -> list[DonorMoney]:
    """Every donor with an agreement, its money in one line each (public)."""
    rt.require(Permission.READ_PUBLIC)
    day = today or money_gate.today()
    with rt.uow() as uow:
        fund = _fund(uow)
        donors = sorted({a.contributor for a in DonorRepository(uow.session, fund.currency).list()})
    out = []
    for iso3 in donors:
        r = _donor_report(rt, iso3, day)
        out.append(
            DonorMoney(
                contributor=r.contributor,
                name=r.name,
                fund_currency=r.fund_currency,
                agreements=[_public(v) for v in r.agreements],
                received=r.received,
                fees=r.fees,
                attributed=r.attributed,
                held=r.held,
                projects=len(r.projects),
            )
        )
    return out


def _public(view: AgreementView) -> AgreementView:
    """The register as the public reads it: who reversed a receipt is internal."""
    receipts = [r.model_copy(update={"reversed_by": ""}) for r in view.receipts]
    return view.model_copy(update={"receipts": receipts})


def _donor_report(rt: Runtime, contributor: str, day: date) -> DonorReport:
    iso3 = contributor.strip().upper()
    with rt.uow() as uow:
        fund = _fund(uow)
        names = {c.iso3: c.name for c in uow.reference.contributors()}
        if iso3 not in names:
            raise NotFound(f"no contributor '{contributor}'")
        repo = DonorRepository(uow.session, fund.currency)
        agreements, receipts = repo.list(), repo.receipts()
        entries = uow.ledger.list()
        projects = {p.id: p for p in uow.projects.list()}
        figures = verified_figures(uow)
        indicators = ResultsRepository(uow.session).indicators()
    views = [
        _view(a, [r for r in receipts if r.agreement_id == a.id], fund.currency, day)
        for a in agreements
    ]
    pools = _pools(views, entries)
    spending = _spending(entries, projects)
    split = attribute(pools, spending)
    mine = [p for p in pools if p.contributor == iso3]
    report = _report(
        iso3,
        names[iso3],
        (fund.currency, day),
        views,
        (mine, split, spending),
        projects,
        (figures, indicators),
        entries,
    )
    return report.model_copy(update={"areas": area_names(rt)})


def _pools(views: list[AgreementView], entries: list[LedgerEntry]) -> list[Pool]:
    """One pool per agreement (net of fee), then each contributor's other receipts."""
    pools = [
        Pool(
            v.agreement.id,
            v.agreement.contributor,
            v.net,
            v.agreement.earmark if v.agreement.earmark.limits else None,
        )
        for v in views
        if v.net > 0
    ]
    by_agreements: dict[str, Decimal] = {}
    for v in views:
        c = v.agreement.contributor
        by_agreements[c] = by_agreements.get(c, Decimal(0)) + v.received_fund
    for iso3, position in sorted(contributor_positions(entries).items()):
        other = position.received - by_agreements.get(iso3, Decimal(0))
        if other > 0:
            pools.append(Pool(f"{iso3}:contributions", iso3, other))
    return pools


def _spending(entries: list[LedgerEntry], projects: dict[str, Project]) -> list[Spend]:
    """What the ledger holds committed, released, frozen or paid per project."""
    held: dict[str, Decimal] = {}
    for e in entries:
        if not e.project_id:
            continue
        sign = (e.debit in PIPELINE) - (e.credit in PIPELINE)
        held[e.project_id] = held.get(e.project_id, Decimal(0)) + sign * e.amount
    out = []
    for pid, amount in sorted(held.items()):
        project = projects.get(pid)
        if amount > 0 and project is not None:
            out.append(Spend(pid, project.area, project.stage, amount))
    return out


def _report(
    iso3: str,
    name: str,
    when: tuple[str, date],
    views: list[AgreementView],
    money: tuple[list[Pool], Attribution, list[Spend]],
    projects: dict[str, Project],
    results: tuple[dict[Key, VerifiedFigure], list[Indicator]],
    entries: list[LedgerEntry],
) -> DonorReport:
    currency, day = when
    mine, split, spending = money
    own = [v for v in views if v.agreement.contributor == iso3]
    position = contributor_positions(entries).get(iso3)
    received = position.received if position is not None else Decimal(0)
    fees = sum((v.fees for v in own), Decimal(0))
    per_project: dict[str, Decimal] = {}
    for pool in mine:
        for pid, amount in split.by_project(pool.key).items():
            per_project[pid] = per_project.get(pid, Decimal(0)) + amount
    spent = {s.project: s.amount for s in spending}
    figures, indicators = results
    funded = [
        _funded(pid, amount, spent[pid], projects[pid], figures, indicators)
        for pid, amount in sorted(per_project.items())
        if amount > 0
    ]
    attributed = sum(per_project.values(), Decimal(0))
    return DonorReport(
        contributor=iso3,
        name=name,
        fund_currency=currency,
        on=day,
        rule=ATTRIBUTION_RULE,
        agreements=own,
        received=received,
        fees=fees,
        net=received - fees,
        attributed=attributed,
        held=received - fees - attributed,
        projects=funded,
        verified_results=sum(1 for p in funded for a in p.achieved if a.verified is not None),
    )


def _funded(
    pid: str,
    amount: Decimal,
    spent: Decimal,
    project: Project,
    figures: dict[Key, VerifiedFigure],
    indicators: list[Indicator],
) -> FundedProject:
    share = amount / spent if spent else Decimal(0)
    achieved = _achieved(pid, share, figures, [i for i in indicators if i.project == pid])
    results = [
        f"{a.name} ({a.unit}), {a.period}: {a.verified:,} verified against a target of "
        f"{a.target:,} (baseline {a.baseline:,}); this donor's share {a.share:,}"
        for a in achieved
        if a.verified is not None
    ]
    results_ru = [
        f"{a.name_ru} ({a.unit_ru}), {a.period}: подтверждено {a.verified:,} при цели "
        f"{a.target:,} (исходно {a.baseline:,}); доля донора {a.share:,}"
        for a in achieved
        if a.verified is not None
    ]
    return FundedProject(
        project=pid,
        title=project.title,
        title_ru=project.title_ru or project.title,
        area=project.area,
        spent=spent,
        attributed=amount,
        share=float(share),
        results=results,
        results_ru=results_ru,
        achieved=achieved,
    )


def _achieved(
    pid: str, share: Decimal, figures: dict[Key, VerifiedFigure], indicators: list[Indicator]
) -> list[Achieved]:
    """Each indicator of the project by name: one line per verified period, or one line
    with its first target when nothing is verified yet."""
    out = []
    for i in indicators:
        verified = sorted(
            (period, fig)
            for (p, code, period), fig in figures.items()
            if (p, code) == (pid, i.code)
        )
        lines: list[tuple[str | None, VerifiedFigure | None]] = list(verified) or [
            (min(i.targets) if i.targets else None, None)
        ]
        for period, fig in lines:
            out.append(
                Achieved(
                    project=pid,
                    code=i.code,
                    name=i.name,
                    name_ru=i.name_ru,
                    unit=i.unit,
                    unit_ru=unit_ru(i.unit),
                    period=period,
                    baseline=i.baseline,
                    target=i.targets.get(period) if period is not None else None,
                    verified=fig.verified if fig is not None else None,
                    share=(fig.verified * share).quantize(Decimal("0.1")) if fig else None,
                )
            )
    return out
