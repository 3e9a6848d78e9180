"""Every domain type read back equals what was written, money exact to the cent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from pfund.domain import ConditionStatus, LedgerAccount, TrancheStatus
from pfund.store import UnitOfWork
from tests.factories import (
    make_areas,
    make_audit_chain,
    make_company,
    make_condition,
    make_contributor,
    make_democratic_forces,
    make_fund,
    make_ledger_entry,
    make_organisation,
    make_person,
    make_project,
    make_regions,
    make_stage,
    make_tranche,
)

MakeUow = Callable[[], UnitOfWork]


def test_fund_definition_round_trips_and_put_replaces(make_uow: MakeUow) -> None:
    first, second = make_fund(), make_fund(name="Another fund", discount_rate=Decimal("0.035"))
    with make_uow() as uow:
        assert uow.fund.get() is None
        uow.fund.put(first)
        uow.commit()
    with make_uow() as uow:
        assert uow.fund.get() == first
        uow.fund.put(second)
        uow.commit()
    with make_uow() as uow:
        stored = uow.fund.get()
    assert stored == second
    assert stored is not None
    assert str(stored.discount_rate) == "0.035"


def test_reference_data_round_trips(make_uow: MakeUow) -> None:
    contributors = [
        make_contributor(),
        make_contributor(year=2024, gdp_usd=Decimal("12345678901.23"), defence_pct_gdp=None),
        make_contributor(iso3="ALB", name="Albania", share_of_gdp=Decimal("0.00275")),
    ]
    with make_uow() as uow:
        uow.reference.add_areas(make_areas())
        uow.reference.add_regions(make_regions())
        uow.reference.add_contributors(contributors)
        uow.commit()
    with make_uow() as uow:
        assert uow.reference.areas() == sorted(make_areas(), key=lambda a: a.code)
        assert uow.reference.regions() == sorted(make_regions(), key=lambda r: r.code)
        assert uow.reference.contributors() == [contributors[2], contributors[0], contributors[1]]
        assert uow.reference.contributors(2024) == [contributors[1]]
        exact = uow.reference.contributors(2023)[1].contribution_usd
    assert exact == Decimal("4525703903627.43") * Decimal("0.0025")


def test_project_round_trips_with_costs_benefits_outcomes_and_links(seeded: MakeUow) -> None:
    other = make_project("TRN-M11-02", depends_on=[], excludes=[])
    alternative = make_project("TRN-M11-03B", depends_on=[], excludes=[], benefits={})
    project = make_project(depends_on=["TRN-M11-02"], excludes=["TRN-M11-03B"])
    with seeded() as uow:
        uow.projects.add_many([project, other, alternative])
        uow.commit()
    with seeded() as uow:
        stored = uow.projects.get(project.id)
    assert stored == project
    assert stored is not None
    assert stored.depends_on == ["TRN-M11-02"]
    assert stored.excludes == ["TRN-M11-03B"]
    assert list(stored.outcomes) == list(project.outcomes)
    assert list(stored.benefits) == list(project.benefits)
    assert stored.partners == ["ORG-0003", "ORG-0002"]


def test_money_is_exact_to_the_cent(seeded: MakeUow) -> None:
    project = make_project(costs={2030: {"capital": ["0.01", "12345678901.23", "99999999999.99"]}})
    with seeded() as uow:
        uow.projects.add(project)
        uow.commit()
    with seeded() as uow:
        stored = uow.projects.get(project.id)
    assert stored is not None
    capital = stored.costs[2030].capital
    assert capital is not None
    assert capital.as_list() == [
        Decimal("0.01"),
        Decimal("12345678901.23"),
        Decimal("99999999999.99"),
    ]
    assert all(isinstance(v, Decimal) for v in capital.as_list())
    assert stored.benefits["freight"].by_year[2031].likely == Decimal("12345678901.23")


def test_currency_without_minor_unit_round_trips(seeded: MakeUow) -> None:
    costs = {2030: {"running": [1, 2, 3_000_000_000_000]}}
    project = make_project(
        currency="JPY", costs=costs, benefits={"yen": {"by_year": {2031: [5, 6, 7]}}}
    )
    with seeded() as uow:
        uow.projects.add(project)
        uow.commit()
    with seeded() as uow:
        assert uow.projects.get(project.id) == project


def test_organisations_round_trip_with_company_and_vetting(make_uow: MakeUow) -> None:
    orgs = [
        make_organisation(),
        make_company(),
        make_democratic_forces(),
        make_democratic_forces("ORG-D02", vetting={}, protected_fields=[]),
    ]
    with make_uow() as uow:
        uow.organisations.add_many(orgs)
        uow.commit()
    with make_uow() as uow:
        assert uow.organisations.list() == sorted(orgs, key=lambda o: o.id)
        assert uow.organisations.get("ORG-D01") == orgs[2]
        assert uow.organisations.list(kind="company") == [orgs[1]]
        assert uow.organisations.ids() == {o.id for o in orgs}
        assert uow.organisations.get("ORG-NONE") is None


def test_people_round_trip(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.organisations.add(make_organisation())
        uow.people.add_many([make_person(), make_person("PER-0002", organisation=None, email=None)])
        uow.commit()
    with make_uow() as uow:
        assert uow.people.get("PER-0001") == make_person()
        assert [p.id for p in uow.people.list()] == ["PER-0001", "PER-0002"]
        assert uow.people.list(organisation="ORG-0001") == [make_person()]
        assert uow.people.ids() == {"PER-0001", "PER-0002"}


def test_conditions_and_stages_round_trip(make_uow: MakeUow) -> None:
    conditions = [make_condition(), make_condition("sovereignty_restored", status_since=None)]
    stages = [make_stage(2), make_stage(0, conditions=[], unlocks=[])]
    with make_uow() as uow:
        uow.conditions.add_many(conditions)
        uow.stages.add_many(stages)
        uow.commit()
    with make_uow() as uow:
        assert uow.conditions.list() == conditions
        assert uow.conditions.get("ceasefire_holding") == conditions[0]
        assert uow.stages.list() == [stages[1], stages[0]]
        assert uow.stages.get(2) == stages[0]
        uow.conditions.set_status(
            "ceasefire_holding", ConditionStatus.REVERSED, since=date(2028, 1, 2)
        )
        uow.commit()
    with make_uow() as uow:
        changed = uow.conditions.get("ceasefire_holding")
        with pytest.raises(LookupError):
            uow.conditions.set_status("no_such", ConditionStatus.MET, since=None)
    assert changed == conditions[0].model_copy(
        update={"status": ConditionStatus.REVERSED, "status_since": date(2028, 1, 2)}
    )


def test_tranches_and_ledger_round_trip(seeded: MakeUow) -> None:
    tranche = make_tranche()
    plain = make_tranche("TR-0002", conditions=[], amount=Decimal("0.01"), status="planned")
    local = timezone(timedelta(hours=3))
    # A sound sequence: the database keeps balances and refuses one that overdraws.
    entries = [
        make_ledger_entry(amount=Decimal("12345678901.23")),
        make_ledger_entry(
            at=datetime(2028, 6, 1, 15, 0, tzinfo=local),
            debit=LedgerAccount.FUND_BALANCE,
            credit=LedgerAccount.CONTRIBUTIONS_RECEIVABLE,
            amount=Decimal("12345678901.23"),
        ),
        make_ledger_entry(
            debit=LedgerAccount.COMMITTED,
            credit=LedgerAccount.FUND_BALANCE,
            amount=Decimal("12345678901.23"),
            contributor=None,
            project_id=tranche.project_id,
            tranche_id=tranche.id,
        ),
    ]
    with seeded() as uow:
        uow.projects.add(make_project(depends_on=[], excludes=[]))
        uow.tranches.add(tranche)
        uow.tranches.add(plain)
        stored_entries = [uow.ledger.add(e) for e in entries]
        uow.commit()
    assert [e.id for e in stored_entries] == [1, 2, 3]
    with seeded() as uow:
        assert uow.tranches.list() == [tranche, plain]
        assert uow.tranches.list(tranche.project_id) == [tranche, plain]
        assert uow.tranches.list("OTHER") == []
        uow.tranches.set_status(tranche.id, TrancheStatus.RELEASED)
        assert uow.tranches.get(tranche.id) == tranche.model_copy(
            update={"status": TrancheStatus.RELEASED}
        )
        listed = uow.ledger.list()
        assert uow.ledger.list(tranche_id=tranche.id) == [listed[2]]
    assert listed == stored_entries
    assert listed[1].at.tzinfo is not None
    assert listed[1].at == datetime(2028, 6, 1, 12, 0, tzinfo=UTC)


def test_audit_events_round_trip(make_uow: MakeUow) -> None:
    events = make_audit_chain(3)
    with make_uow() as uow:
        for event in events:
            uow.audit.append(event)
        uow.commit()
    with make_uow() as uow:
        assert uow.audit.list() == events
