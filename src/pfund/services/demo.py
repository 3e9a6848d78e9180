"""The demo: the bundled sample fund loaded through the same checks as any import."""

from __future__ import annotations

from pathlib import Path

from pfund.errors import InvalidInput
from pfund.io.checks import check_organisations, check_people, check_projects
from pfund.io.dataset import load_dataset
from pfund.io.files import read_records
from pfund.io.indicators import check_indicators
from pfund.services.audit import AuditWriter
from pfund.services.demo_companies import load_sample_companies
from pfund.services.donors import store_agreements
from pfund.services.imports import known, store_records
from pfund.services.instruments import store_instruments
from pfund.services.licences import store_licences
from pfund.services.rates import import_rates
from pfund.services.results import write_framework
from pfund.services.runtime import Runtime
from pfund.services.scorecard import store_indicator_set
from pfund.services.setup import init_fund
from pfund.services.summary import FundSummary, summarise
from pfund.store.unit_of_work import UnitOfWork

SAMPLE_RATES = "ECB euro foreign exchange reference rates (two days; rates/README.md)"
SAMPLE_RATES_RU = "Справочные курсы евро ЕЦБ (два дня; rates/README.md)"
ORDER = (
    ("organisations", check_organisations),
    ("people", check_people),
    ("projects", check_projects),
)


def load_demo(rt: Runtime) -> FundSummary:
    """Initialise the store and load the sample pipeline, unless it is already there.

    Organisations go first, then people, then projects, then the projects' indicators,
    each checked against what the previous step added, all in one transaction.
    """
    init_fund(rt)
    data = load_dataset(rt.dataset)
    rates = data.sample_files.get("rates")
    if rates is not None:  # before the projects: one of them is budgeted in euros
        with rt.uow() as uow:
            stored = uow.rates.count()
        if not stored:
            import_rates(rt, rates, source=SAMPLE_RATES, source_ru=SAMPLE_RATES_RU)
    with rt.uow() as uow:
        if uow.projects.count() == 0:
            audit = AuditWriter(uow, rt.actor)
            for kind, check in ORDER:
                path = data.sample_files.get(kind)
                if path is None:
                    continue
                checked = check(read_records(path, key=kind), known(uow))
                if checked.problems:
                    raise InvalidInput(f"the sample file {path.name} is invalid", checked.problems)
                items = [item for _, item in checked.items]
                store_records(uow, audit, kind, items, source=f"sample:{path.name}")
                uow.session.flush()
            licences = data.sample_files.get("licences")
            if licences is not None:  # the sanctions licences payments to Russia need
                records = read_records(licences, key="licences")
                store_licences(uow, audit, records, source=f"sample:{licences.name}")
            donors = data.sample_files.get("donor_agreements")
            if donors is not None:  # contribution agreements: instalments, an earmark
                records = read_records(donors, key="agreements")
                store_agreements(uow, audit, records, source=f"sample:{donors.name}")
            instruments = data.sample_files.get("instruments")
            if instruments is not None:  # a loan and a guarantee among the sample projects
                store_instruments(uow, audit, instruments)
            _load_indicators(uow, audit, data.sample_files.get("indicators"))
            # tracker lists of companies and their return pipeline (ILLUSTRATIVE)
            load_sample_companies(uow, audit, data.sample_files)
            figures = data.sample_files.get("indicator_data")
            if figures is not None:  # public indicators the condition rules read
                store_indicator_set(uow, audit, figures, actor=rt.actor)
            uow.commit()
    return summarise(rt)


def _load_indicators(uow: UnitOfWork, audit: AuditWriter, path: Path | None) -> None:
    """The sample projects' results frameworks, checked like an import of them."""
    if path is None:
        return
    projects = {p.id: p for p in uow.projects.list()}
    checked = check_indicators(read_records(path, key="indicators"), known(uow), projects)
    if checked.problems:
        raise InvalidInput(f"the sample file {path.name} is invalid", checked.problems)
    write_framework(uow, audit, [i for _, i in checked.items], f"sample:{path.name}")
