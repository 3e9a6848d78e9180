"""Store fixtures: a database seeded with the reference data projects point at."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pfund.store import UnitOfWork
from tests.factories import (
    ORGANISATIONS,
    make_areas,
    make_condition,
    make_organisation,
    make_person,
    make_regions,
)

MakeUow = Callable[[], UnitOfWork]


@pytest.fixture
def seeded(make_uow: MakeUow) -> MakeUow:
    """Areas, regions, three organisations, a person and two conditions, committed."""
    with make_uow() as uow:
        uow.reference.add_areas(make_areas())
        uow.reference.add_regions(make_regions())
        uow.organisations.add_many(make_organisation(org_id) for org_id in ORGANISATIONS)
        uow.people.add_many([make_person()])
        uow.conditions.add_many(
            [make_condition(), make_condition("sovereignty_restored", status="not_met")]
        )
        uow.commit()
    return make_uow
