"""Domain rules that every reader and writer relies on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from pfund.domain import Estimate, Money, Organisation, Person, Project
from pfund.domain.money import from_minor, to_minor
from pfund.domain.protection import ProtectionClass, protected_values, view

DESIGN_EXAMPLE = {
    "id": "TRN-M11-03",
    "title": "M-11 corridor, Tver to Veliky Novgorod segment, safety upgrade",
    "area": "transport",
    "regions": ["RU-TVE", "RU-NGR"],
    "stage": 2,
    "depends_on": ["TRN-M11-02"],
    "excludes": ["TRN-M11-03B"],
    "costs": {
        2028: {"capital": [38e6, 45e6, 60e6]},
        2029: {"capital": [30e6, 35e6, 50e6], "running": [1e6, 1.2e6, 1.5e6]},
    },
    "benefits": {
        "travel_time_and_safety": {"per_year": [9e6, 12e6, 15e6], "from": 2030, "years": 20}
    },
    "outcomes": {"road_deaths_avoided_per_year": [8, 12, 18]},
    "contacts": ["PER-1"],
    "scores": {"democratic_governance": 3.5},
}


def test_design_example_reads_with_costs_and_expanded_benefits() -> None:
    project = Project.model_validate(DESIGN_EXAMPLE)
    assert project.likely_cost() == Decimal("81200000")
    stream = project.benefits["travel_time_and_safety"].by_year
    assert list(stream) == list(range(2030, 2050))
    assert stream[2049].likely == Decimal("12000000")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"costs": {2028: {"capital": [5, 3, 1]}}}, "low <= likely <= high"),
        ({"costs": {2028: {"capital": [-1, 3, 4]}}}, "negative"),
        ({"costs": {}}, "at least one year"),
        ({"currency": "XYZ"}, "unknown currency"),
        ({"regions": ["RU-XYZ"]}, "ISO 3166-2"),
        ({"depends_on": ["TRN-M11-03"]}, "itself"),
        ({"excludes": ["TRN-M11-02"]}, "both required and excluded"),
        ({"regions": ["RU-TVE", "RU-TVE"]}, "twice"),
    ],
)
def test_project_rejects_inconsistent_values(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Project.model_validate({**DESIGN_EXAMPLE, **change})


def test_estimate_accepts_a_single_number_as_certain() -> None:
    assert Estimate[float].model_validate(7).as_list() == [7.0, 7.0, 7.0]


def test_money_is_exact_in_minor_units_and_refuses_mixed_currencies() -> None:
    amount = Decimal("12345678901.23")
    assert from_minor(to_minor(amount, "USD"), "USD") == amount
    assert to_minor(Decimal("1000"), "JPY") == 1000
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money(amount=Decimal(1), currency="USD") + Money(amount=Decimal(1), currency="EUR")


def test_public_view_drops_protected_and_internal_fields() -> None:
    project = Project.model_validate({**DESIGN_EXAMPLE, "notes": "internal remark"})
    public = view(project, audience=ProtectionClass.PUBLIC)
    staff = view(project, audience=ProtectionClass.INTERNAL)
    assert "contacts" not in public and "notes" not in public
    assert "contacts" not in staff and staff["notes"] == "internal remark"
    assert public["costs"][2028]["capital"]["likely"] == Decimal("45000000")


def test_a_person_is_protected_except_role_and_alias() -> None:
    person = Person(id="PER-1", name="Иван Петров", email="ivan@example.org", role="coordinator")
    assert view(person, audience=ProtectionClass.INTERNAL) == {
        "id": "PER-1",
        "organisation": None,
        "role": "coordinator",
        "alias": "",
    }
    assert set(protected_values(person)) == {"Иван Петров", "ivan@example.org"}


def test_an_organisation_can_protect_its_own_name() -> None:
    org = Organisation(
        id="ORG-1",
        name="Real NGO name",
        alias="Health NGO (Volga)",
        kind="ngo",
        country="RU",
        protected_fields=["name"],
    )
    assert "name" not in view(org, audience=ProtectionClass.PUBLIC)
    assert org.public_name() == "Health NGO (Volga)"
    assert protected_values(org) == ["Real NGO name"]


def test_company_needs_its_russia_status() -> None:
    with pytest.raises(ValidationError, match="company profile"):
        Organisation(id="C-1", name="Acme", kind="company", country="DE")


def test_a_protected_description_keeps_its_russian_twin_protected() -> None:
    project = Project.model_validate(
        {
            **DESIGN_EXAMPLE,
            "description": "A secret plan",
            "description_ru": "Секретный план",
            "protected_fields": ["description"],
        }
    )
    public = view(project, audience=ProtectionClass.PUBLIC)
    assert "description" not in public and "description_ru" not in public
    assert set(protected_values(project)) >= {"A secret plan", "Секретный план"}
