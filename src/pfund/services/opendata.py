"""Open data: the IATI activity file and the public datasets, built from public views only.

Everything here reads the store through ``view(record, audience=PUBLIC)``: a field the
domain model does not mark public (notes, a company's re-engagement talks, vetting) and
every protected field (people, contacts, what a partner asked to protect) is gone before
any output is built. Nothing is written to the store, so no audit event is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree
from pydantic import BaseModel

from pfund.domain import (
    Condition,
    Project,
    ProjectStatus,
    ProtectionClass,
    Stage,
    Tranche,
    TrancheStatus,
)
from pfund.domain.project import is_public
from pfund.domain.protection import effective_protection, view
from pfund.domain.results import Direction
from pfund.errors import IntegrityFailure, InvalidInput, NotFound, Problem
from pfund.io.iati import (
    COMMITMENT,
    DISBURSEMENT,
    Activity,
    ConditionText,
    Place,
    Publisher,
    ResultIndicator,
    ResultPeriod,
    Transaction,
    VerifiedCheck,
    activities_schema,
    activities_xml,
)
from pfund.services.opendata_datasets import (
    DATASETS,
    FORMATS,
    MEDIA_TYPES,
    DatasetInfo,
    catalogue,
    dataset_bytes,
    flow,
)
from pfund.services.rates import share_of
from pfund.services.results_public import PublicIndicator, read_public_results
from pfund.services.runtime import Runtime
from pfund.services.verified import VerifiedFigure
from pfund.store.unit_of_work import UnitOfWork

PUBLIC = ProtectionClass.PUBLIC
# Projects the fund reports as IATI activities: those it has decided to fund. A proposal
# is not yet the fund's activity, its budget not yet the fund's; proposals stay in the
# public projects dataset, where their status says what they are.
REPORTED = {
    ProjectStatus.APPROVED,
    ProjectStatus.FUNDED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
}
UNPAID = {TrancheStatus.PLANNED, TrancheStatus.RELEASED, TrancheStatus.FROZEN}
# each ledger flow (see ``flow``) as an IATI transaction type and its description
IATI_FLOWS = {
    ("committed", 1): (COMMITMENT, "Commitment"),
    ("committed", -1): (COMMITMENT, "Commitment returned to the fund"),
    ("disbursed", 1): (DISBURSEMENT, "Disbursement"),
    ("disbursed", -1): (DISBURSEMENT, "Repayment by the project"),
}
__all__ = [
    "DATASETS",
    "FORMATS",
    "MEDIA_TYPES",
    "DatasetInfo",
    "IatiExport",
    "OpenDataExport",
    "catalogue",
    "export_iati",
    "iati_xml",
    "public_dataset",
    "write_open_data",
]


@dataclass(frozen=True)
class _Store:
    """One consistent read of everything the IATI file draws on."""

    fund: dict[str, Any]
    areas: dict[str, dict[str, Any]]
    regions: dict[str, dict[str, Any]]
    conditions: dict[str, ConditionText]
    stages: list[Stage]
    organisations: dict[str, dict[str, Any]]
    projects: list[Project]
    tranches: dict[str, list[Tranche]]
    entries: dict[str, list[dict[str, Any]]]
    indicators: dict[str, list[PublicIndicator]]


def iati_xml(rt: Runtime, *, generated: datetime | None = None) -> bytes:
    """IATI 2.03 activities for every project the fund has approved (see ``REPORTED``).

    Left out, and why: proposals not yet approved (not the fund's activities), cancelled
    projects that never received a commitment (nothing to account for), contact people
    (protected), the names of implementing organisations that protect their name (shown
    by role only), internal notes, releases and freezes (gates inside the fund, not
    flows of money; the conditions say what the money waits for).

    An IATI file holds at least one activity, so before any approval this raises
    NotFound (a 404 for the API) rather than return a file no validator accepts.
    """
    with rt.uow() as uow:
        store = _read(uow)
    chosen = [p for p in store.projects if _reported(p, store)]
    if not chosen:
        raise NotFound("no project is approved yet, so there is no IATI activity to publish")
    activities = (_activity(p, store) for p in chosen)
    when = generated or datetime.now(UTC)
    return activities_xml(_publisher(store.fund), activities, generated=when)


def _publisher(fund: dict[str, Any]) -> Publisher:
    if not fund.get("iati_org_ref"):
        problem = Problem(
            "set the fund's IATI organisation identifier", "fund.yaml", None, "iati_org_ref"
        )
        raise InvalidInput("the fund has no IATI identifier to publish under", [problem])
    return Publisher(
        ref=fund["iati_org_ref"],
        name=fund["name"],
        name_ru=fund.get("name_ru", ""),
        country=fund["beneficiary_country"],
    )


class IatiExport(BaseModel):
    file: str
    activities: int
    bytes: int
    valid: bool


def export_iati(rt: Runtime, path: Path) -> IatiExport:
    """Write the IATI file after validating it against the shipped 2.03 schema.

    An invalid file is never written: publishing one would break every reader that
    harvests the fund's data, so it is an integrity failure to fix, not a warning.
    IATI files hold at least one activity, so before any approval there is no file.
    """
    data = iati_xml(rt)
    document = etree.fromstring(data)
    try:
        activities_schema().assertValid(document)
    except etree.DocumentInvalid as err:
        problem = Problem(str(err), "iati.xml")
        raise IntegrityFailure(
            "the IATI file does not validate against IATI 2.03", [problem]
        ) from None
    path.write_bytes(data)
    return IatiExport(file=str(path), activities=len(document), bytes=len(data), valid=True)


def public_dataset(rt: Runtime, name: str, fmt: str) -> bytes:
    """One public dataset (see ``DATASETS``) as CSV or JSON, UTF-8."""
    return dataset_bytes(rt, name, fmt)


class OpenDataExport(BaseModel):
    folder: str
    files: list[str]


def write_open_data(rt: Runtime, folder: Path) -> OpenDataExport:
    """Every public dataset in every format, plus ``iati.xml`` once a project is approved."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with suppress(NotFound):
        written.append(export_iati(rt, folder / "iati.xml").file)
    for name in DATASETS:
        for fmt in FORMATS:
            path = folder / f"{name}.{fmt}"
            path.write_bytes(public_dataset(rt, name, fmt))
            written.append(str(path))
    return OpenDataExport(folder=str(folder), files=written)


def _read(uow: UnitOfWork) -> _Store:
    fund = uow.fund.get()
    if fund is None:
        raise IntegrityFailure("the store holds no fund yet: run `pfund init` or `pfund demo`")
    entries: dict[str, list[dict[str, Any]]] = {}
    for entry in uow.ledger.list():
        if entry.project_id:
            entries.setdefault(entry.project_id, []).append(view(entry, audience=PUBLIC))
    tranches: dict[str, list[Tranche]] = {}
    for tranche in uow.tranches.list():
        tranches.setdefault(tranche.project_id, []).append(tranche)
    return _Store(
        fund=view(fund, audience=PUBLIC),
        areas={a.code: view(a, audience=PUBLIC) for a in uow.reference.areas()},
        regions={r.code: view(r, audience=PUBLIC) for r in uow.reference.regions()},
        conditions={c.code: _condition_text(c) for c in uow.conditions.list()},
        stages=uow.stages.list(),
        organisations={o.id: view(o, audience=PUBLIC) for o in uow.organisations.list()},
        projects=[p for p in uow.projects.list(published=True) if is_public(p)],
        tranches=tranches,
        entries=entries,
        indicators={r.id: r.indicators for r in read_public_results(uow)},
    )


def _reported(project: Project, store: _Store) -> bool:
    """Approved and later, or cancelled after money was committed; a project that
    protects its status is not reported, since its activity status would reveal it.
    """
    if effective_protection(project, "status") is not PUBLIC:
        return False
    if project.status in REPORTED:
        return True
    return project.status is ProjectStatus.CANCELLED and project.id in store.entries


def _activity(project: Project, store: _Store) -> Activity:
    # benefit streams (often 20 years of estimates) are not part of an IATI activity:
    # dropping them before the view halves the export's time on a large store
    public = view(project.model_copy(update={"benefits": {}}), audience=PUBLIC)
    tranches = store.tranches.get(project.id, [])
    return Activity(
        project=public,
        status=_status(project, tranches, store.entries.get(project.id, [])),
        years=_years(public, tranches, store),
        currency=public.get("currency") or store.fund["currency"],
        sectors=_sectors(public.get("area", ""), store),
        implementers=[_public_name(i, store) for i in _implementers(public)],
        transactions=_transactions(store.entries.get(project.id, []), tranches),
        conditions=_conditions(public.get("stage"), tranches, store),
        places=[_place(code, store) for code in public.get("regions", [])],
        indicators=[_indicator(i) for i in store.indicators.get(project.id, [])],
    )


def _indicator(indicator: PublicIndicator) -> ResultIndicator:
    """An indicator of the public results read model as the IATI writer takes it: the
    actual value is the verified one where a verifier checked it (the comment gives the
    reported value, factor and intervals), else the partner's reported one (the comment
    says it is not verified); per region only where the project's regions are public."""
    return ResultIndicator(
        code=indicator.code,
        name=indicator.name,
        name_ru=indicator.name_ru,
        unit=indicator.unit,
        unit_ru=indicator.unit_ru,
        baseline=indicator.baseline,
        baseline_date=indicator.baseline_date,
        outcome=indicator.outcome is not None,
        means_of_verification=indicator.means_of_verification,
        means_of_verification_ru=indicator.means_of_verification_ru,
        ascending=indicator.direction is Direction.INCREASE,
        periods=[
            ResultPeriod(
                start=p.start,
                end=p.end,
                target=p.target,
                actual=p.verified.verified if p.verified else p.achieved,
                by_region=p.by_region,
                verified=p.verified is not None,
                check=_check(p.verified),
            )
            for p in indicator.periods
        ],
    )


def _check(figure: VerifiedFigure | None) -> VerifiedCheck | None:
    if figure is None:
        return None
    return VerifiedCheck(
        verification=figure.verification,
        reported=figure.reported,
        factor=figure.factor,
        factor_lower=figure.factor_lower,
        factor_upper=figure.factor_upper,
        confidence=figure.confidence,
        verified_lower=figure.verified_lower,
        verified_upper=figure.verified_upper,
    )


def _status(project: Project, tranches: list[Tranche], entries: list[dict[str, Any]]) -> str:
    """ActivityStatus: 1 pipeline (committed, nothing paid), 2 implementation, 3
    finalisation (completed), 5 cancelled, 6 suspended (every unpaid tranche frozen).
    """
    if project.status is ProjectStatus.CANCELLED:
        return "5"
    if project.status is ProjectStatus.COMPLETED:
        return "3"
    unpaid = [t for t in tranches if t.status in UNPAID]
    if unpaid and all(t.status is TrancheStatus.FROZEN for t in unpaid):
        return "6"
    paid = any(flow(e["debit"], e["credit"]) == ("disbursed", 1) for e in entries)
    started = project.status in {ProjectStatus.FUNDED, ProjectStatus.IN_PROGRESS}
    return "2" if paid or started else "1"


def _sectors(area: str, store: _Store) -> list[tuple[str, str]]:
    """The area's DAC 5-digit code (vocabulary 1) chosen in fund.yaml; failing that,
    its DAC 3-digit categories (vocabulary 2), so an activity always has a sector.
    """
    code = store.fund.get("iati_sectors", {}).get(area)
    if code:
        return [("1", code)]
    categories = store.areas.get(area, {}).get("dac_categories", [])
    return [("2", c) for c in categories]


def _implementers(public: dict[str, Any]) -> list[str]:
    ids = [public.get("proponent"), *public.get("partners", [])]
    return [i for i in ids if i]


def _public_name(org_id: str, store: _Store) -> str | None:
    """The organisation's name when its public view has one; None shows it by role only."""
    org = store.organisations.get(org_id)
    name = org.get("name") if org else None
    return str(name) if name else None


def _transactions(
    entries: Iterable[dict[str, Any]], tranches: Iterable[Tranche] = ()
) -> list[Transaction]:
    """Commitments and disbursements; money returned counts against what it undoes.

    A tranche in another currency than the fund's keeps that currency (IATI 2.03: the
    value's ``currency``, its ``value-date`` the transaction's, for a reader's own
    conversion): an entry converted from it gives its own amount; one that moved the
    commitment rate's value back (unpaid money decommitted) the same share of the
    tranche's own amount. The fund's rate of each entry is in the ledger-entries dataset.
    """
    own = {t.id: t for t in tranches if t.original_amount is not None and t.original_currency}
    out: list[Transaction] = []
    for e in entries:
        moved = flow(e["debit"], e["credit"])
        if moved is None:
            continue
        code, words = IATI_FLOWS[moved]
        what = f"{words} (tranche {e['tranche_id']})" if e.get("tranche_id") else words
        amount, currency = Decimal(e["amount"]), e["currency"]
        tranche = own.get(e.get("tranche_id") or "")
        if e.get("fx_amount") is not None and e.get("fx_currency"):
            amount, currency = Decimal(e["fx_amount"]), e["fx_currency"]
        elif tranche is not None and tranche.original_currency and tranche.original_amount:
            amount = share_of(
                tranche.original_amount, amount, tranche.amount, tranche.original_currency
            )
            currency = tranche.original_currency
        out.append(Transaction(code, e["at"].date(), moved[1] * amount, currency, what))
    return out


def _years(public: dict[str, Any], tranches: list[Tranche], store: _Store) -> list[int]:
    """The cost years; when costs are protected, the tranches' years; else the fund's first."""
    years = sorted(int(y) for y in public.get("costs") or {})
    years = years or sorted({t.year for t in tranches})
    return years or [int(store.fund["first_year"])]


def _conditions(stage: int | None, tranches: list[Tranche], store: _Store) -> list[ConditionText]:
    """The conditions of every stage up to the project's (when its stage is public), then
    its tranches' own.
    """
    reached = -1 if stage is None else stage
    codes = [c for s in store.stages if s.number <= reached for c in s.conditions]
    codes += [c for t in tranches if t.status is not TrancheStatus.CANCELLED for c in t.conditions]
    unique = [c for i, c in enumerate(codes) if c not in codes[:i] and c in store.conditions]
    return [store.conditions[c] for c in unique]


def _condition_text(condition: Condition) -> ConditionText:
    public = view(condition, audience=PUBLIC)
    return ConditionText(
        type=public["iati_type"].value,
        title=public["title"],
        title_ru=public.get("title_ru", ""),
        definition=public["definition"],
        definition_ru=public.get("definition_ru", ""),
    )


def _place(code: str, store: _Store) -> Place:
    region = store.regions.get(code, {})
    return Place(code=code, name=region.get("name", code), name_ru=region.get("name_ru", ""))
