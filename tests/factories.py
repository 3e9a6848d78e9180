"""Small builders of valid domain objects for tests, with overridable fields.

Each builder gives a realistic record that passes validation; tests override only what
they are about, so a failing test shows the one field that matters.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pfund.domain import (
    Area,
    AuditEvent,
    Condition,
    Contributor,
    FundDefinition,
    LedgerAccount,
    LedgerEntry,
    Organisation,
    OrganisationKind,
    Person,
    Project,
    Region,
    Stage,
    Tranche,
    event_hash,
)
from pfund.domain.audit import GENESIS_HASH
from pfund.domain.enums import VettingCriterion
from pfund.keys import default_keys

AREAS = ("transport", "health", "energy", "education")
REGIONS = ("RU-MOW", "RU-SPE", "RU-TVE", "RU-NGR", "RU-SVE")
ORGANISATIONS = ("ORG-0001", "ORG-0002", "ORG-0003")
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def make_fund(**overrides: Any) -> FundDefinition:
    values: dict[str, Any] = {
        "code": "rpf",
        "name": "Russian Partnership Fund",
        "name_ru": "Фонд партнёрства с Россией",
        "beneficiary_country": "RU",
        "currency": "USD",
        "first_year": 2026,
        "last_year": 2060,
        "default_share_of_gdp": Decimal("0.0025"),
        "discount_rate": Decimal("0.06"),
        "description": "A test fund.",
    }
    return FundDefinition(**values | overrides)


def make_areas() -> list[Area]:
    return [
        Area(code=code, name=code.title(), name_ru="", dac_categories=[str(210 + i), "998"])
        for i, code in enumerate(AREAS)
    ]


def make_regions() -> list[Region]:
    return [
        Region(code=code, name=code, name_ru="", kind="Oblast", population=1_000_000 + i)
        for i, code in enumerate(REGIONS)
    ]


def make_contributor(**overrides: Any) -> Contributor:
    values: dict[str, Any] = {
        "iso3": "DEU",
        "name": "Germany",
        "year": 2023,
        "gdp_usd": Decimal("4525703903627.43"),
        "defence_pct_gdp": Decimal("1.5678"),
        "share_of_gdp": Decimal("0.0025"),
    }
    return Contributor(**values | overrides)


def make_organisation(org_id: str = "ORG-0001", **overrides: Any) -> Organisation:
    values: dict[str, Any] = {
        "id": org_id,
        "name": f"Organisation {org_id}",
        "kind": OrganisationKind.NGO,
        "country": "DE",
        "areas": ["health", "education"],
        "regions": ["RU-MOW"],
        "capabilities": ["training"],
    }
    return Organisation(**values | overrides)


def make_company(org_id: str = "ORG-C01", **overrides: Any) -> Organisation:
    company = {"russia_status": "withdrawn", "reengagement": "in_talks", "home_country": "FI"}
    values: dict[str, Any] = {"kind": OrganisationKind.COMPANY, "company": company}
    return make_organisation(org_id, **values | overrides)


def make_democratic_forces(org_id: str = "ORG-D01", **overrides: Any) -> Organisation:
    """A vetted group: every criterion met, approved, with evidence and a reviewer."""
    items = [
        {
            "criterion": criterion,
            "met": True,
            "evidence": f"statement on {criterion.value}",
            "reviewer": "reviewer-7",
            "checked_on": date(2026, 3, i + 1),
        }
        for i, criterion in enumerate(VettingCriterion)
    ]
    vetting = {"items": items, "approved_on": date(2026, 4, 1), "valid_until": date(2027, 4, 1)}
    values: dict[str, Any] = {
        "kind": OrganisationKind.DEMOCRATIC_FORCES,
        "country": "LT",
        "vetting": vetting,
        "protected_fields": ["name"],
        "alias": "Group D",
    }
    return make_organisation(org_id, **values | overrides)


def make_person(person_id: str = "PER-0001", **overrides: Any) -> Person:
    values: dict[str, Any] = {
        "id": person_id,
        "organisation": "ORG-0001",
        "role": "Project lead",
        "alias": "Contact A",
        "name": "Анна Иванова",
        "email": "anna@example.org",
        "phone": "+49 30 1234567",
        "notes": "prefers Signal",
    }
    return Person(**values | overrides)


def make_project(project_id: str = "TRN-M11-03", **overrides: Any) -> Project:
    """The DESIGN.md example project, with costs, benefits, outcomes and links."""
    values: dict[str, Any] = {
        "id": project_id,
        "title": "M-11 corridor, Tver to Veliky Novgorod segment, safety upgrade",
        "title_ru": "Трасса М-11, участок Тверь — Великий Новгород",
        "description": "Safety upgrade of a motorway segment.",
        "area": "transport",
        "regions": ["RU-TVE", "RU-NGR"],
        "proponent": "ORG-0001",
        "partners": ["ORG-0003", "ORG-0002"],
        "contacts": ["PER-0001", "someone@example.org"],
        "stage": 2,
        "currency": "USD",
        "costs": {
            2028: {"capital": ["38e6", "45000000", "60e6"]},
            2029: {"capital": [30e6, 35e6, 50e6], "running": ["1e6", "1.2e6", "1.5e6"]},
        },
        "benefits": {
            "travel_time_and_safety": {"per_year": [9e6, 12e6, 15e6], "from": 2030, "years": 20},
            "freight": {"by_year": {2031: ["0.01", "12345678901.23", "12345678901.99"]}},
        },
        "outcomes": {
            "road_deaths_avoided_per_year": [8, 12, 18],
            "people_served": {"value": [1.1e6, 1.3e6, 1.5e6], "unit": "people"},
        },
        "risk": "medium",
        "scores": {"democratic_governance": 4.5, "innovation": 2.0},
        "value_score": 0.75,
        "notes": "internal note",
        "protected_fields": ["contacts", "notes"],
    }
    return Project(**values | overrides)


def cents(amount: Decimal) -> Decimal:
    """Rounded to the cent, so a synthetic amount is one the store keeps exactly."""
    return amount.quantize(Decimal("0.01"))


def make_synthetic_projects(count: int, *, seed: int = 0) -> list[Project]:
    """Many varied projects (``SYN-00001``...), with links only to earlier ones."""
    rng = random.Random(seed)
    projects = []
    for n in range(1, count + 1):
        likely = Decimal(rng.randrange(100_000, 90_000_000_00)) / 100
        years = rng.randrange(1, 4)
        costs = {
            2027 + y: {"capital": [cents(likely * Decimal("0.8")), likely, cents(likely * 13 / 10)]}
            for y in range(years)
        }
        earlier = [f"SYN-{k:05d}" for k in rng.sample(range(1, n), min(n - 1, 2))]
        projects.append(
            Project(
                id=f"SYN-{n:05d}",
                title=f"Synthetic project {n}",
                area=rng.choice(AREAS),
                regions=rng.sample(REGIONS, rng.randrange(0, 3)),
                proponent=rng.choice(ORGANISATIONS),
                costs=costs,
                benefits={
                    "main": {
                        "per_year": [1, cents(likely / 10), cents(likely / 5)],
                        "from": 2030,
                        "years": 5,
                    }
                },
                outcomes={"people": [100, 200 + n, 400 + n]},
                depends_on=earlier[:1],
                excludes=earlier[1:],
                status=rng.choice(["proposed", "screened", "appraised"]),
            )
        )
    return projects


def make_condition(code: str = "ceasefire_holding", **overrides: Any) -> Condition:
    values: dict[str, Any] = {
        "code": code,
        "title": code.replace("_", " ").capitalize(),
        "title_ru": "Соблюдается прекращение огня",
        "definition": "A ceasefire has held for 90 days.",
        "protocol": {"verifier": "OSCE mission", "evidence": "monitoring reports"},
        "iati_type": "1",
        "status": "partly_met",
        "status_since": date(2027, 5, 9),
    }
    return Condition(**values | overrides)


def make_stage(number: int = 1, **overrides: Any) -> Stage:
    values: dict[str, Any] = {
        "number": number,
        "name": f"Stage {number}",
        "name_ru": "Этап",
        "description": "Unlocks some work.",
        "conditions": ["sovereignty_restored", "ceasefire_holding"],
        "unlocks": ["health", "education"],
    }
    return Stage(**values | overrides)


def make_tranche(tranche_id: str = "TR-0001", **overrides: Any) -> Tranche:
    values: dict[str, Any] = {
        "id": tranche_id,
        "project_id": "TRN-M11-03",
        "year": 2028,
        "amount": Decimal("12345678901.23"),
        "currency": "USD",
        "stage": 1,
        "conditions": ["sovereignty_restored", "ceasefire_holding"],
        "status": "frozen",
    }
    return Tranche(**values | overrides)


def make_ledger_entry(**overrides: Any) -> LedgerEntry:
    values: dict[str, Any] = {
        "at": datetime(2028, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
        "debit": LedgerAccount.CONTRIBUTIONS_RECEIVABLE,
        "credit": LedgerAccount.PLEDGED,
        "amount": Decimal("11314259759.07"),
        "currency": "USD",
        "contributor": "DEU",
        "memo": "pledge 2028",
    }
    return LedgerEntry(**values | overrides)


def make_audit_chain(count: int, *, start: tuple[int, str] = (0, GENESIS_HASH)) -> list[AuditEvent]:
    """``count`` correctly chained events following ``start`` (last seq, last hash)."""
    seq, prev = start
    events = []
    for _ in range(count):
        seq += 1
        body: dict[str, Any] = {
            "seq": seq,
            "at": T0 + timedelta(minutes=seq, microseconds=seq),
            "actor": "analyst:test",
            "action": "update" if seq % 2 else "create",
            "record_type": "project",
            "record_id": f"P-{seq % 3}",
            "details": {"fields": ["title", "costs"], "n": seq, "ü": "ä"},
            "prev_hash": prev,
        }
        prev = event_hash(default_keys().audit_key, **body)
        events.append(AuditEvent(**body, hash=prev))
    return events
