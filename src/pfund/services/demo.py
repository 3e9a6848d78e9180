"""The demo: the bundled sample fund loaded through the same checks as any import."""

from __future__ import annotations

from pfund.errors import InvalidInput
from pfund.io.checks import check_organisations, check_people, check_projects
from pfund.io.dataset import load_dataset
from pfund.io.files import read_records
from pfund.services.audit import AuditWriter
from pfund.services.imports import known, store_records
from pfund.services.runtime import Runtime
from pfund.services.setup import init_fund
from pfund.services.summary import FundSummary, summarise

ORDER = (
    ("organisations", check_organisations),
    ("people", check_people),
    ("projects", check_projects),
)


def load_demo(rt: Runtime) -> FundSummary:
    """Initialise the store and load the sample pipeline, unless it is already there.

    Organisations go first, then people, then projects, each checked against what the
    previous step added, all in one transaction.
    """
    init_fund(rt)
    data = load_dataset(rt.dataset)
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
            uow.commit()
    return summarise(rt)
