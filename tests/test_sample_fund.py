"""The shipped Russian Partnership Fund sample data: valid, complete and consistent.

The demo, the docs and many engine tests start from this data set, so a broken reference
or a cycle here would surface far away; these tests catch it at the source.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import pytest
import yaml

from pfund.domain import (
    Condition,
    Organisation,
    OrganisationKind,
    Person,
    Project,
    ProjectStatus,
    RussiaStatus,
    Stage,
)
from pfund.domain.results import Indicator
from tests.language_runs import foreign_runs

AREA_PREFIX = {
    "agriculture": "AGR",
    "energy": "ENE",
    "environment": "ENV",
    "security": "SEC",
    "health": "HLT",
    "education": "EDU",
    "natural_resources": "NRS",
    "transport": "TRN",
    "science": "SCI",
    "economy": "ECO",
    "governance": "GOV",
}


def data_dir() -> Traversable:
    return files("pfund") / "data" / "rpf"


def load_yaml(name: str) -> Any:
    with (data_dir() / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def csv_codes(name: str) -> set[str]:
    text = (data_dir() / name).read_text(encoding="utf-8")
    return {row["code"] for row in csv.DictReader(io.StringIO(text))}


@cache
def projects() -> tuple[Project, ...]:
    return tuple(Project.model_validate(p) for p in load_yaml("projects.yaml"))


@cache
def organisations() -> tuple[Organisation, ...]:
    return tuple(Organisation.model_validate(o) for o in load_yaml("organisations.yaml"))


@cache
def people() -> tuple[Person, ...]:
    return tuple(Person.model_validate(p) for p in load_yaml("people.yaml"))


def by_id() -> dict[str, Project]:
    return {p.id: p for p in projects()}


def test_ids_are_unique_in_every_file() -> None:
    for records in (projects(), organisations(), people()):
        ids = [r.id for r in records]
        assert len(ids) == len(set(ids)), Counter(ids).most_common(3)


def test_at_least_85_projects_and_five_in_every_area() -> None:
    per_area = Counter(p.area for p in projects())
    assert len(projects()) >= 85
    assert set(per_area) == csv_codes("areas.csv")
    assert min(per_area.values()) >= 5, per_area


def test_project_ids_carry_their_area_prefix() -> None:
    wrong = [p.id for p in projects() if not p.id.startswith(AREA_PREFIX[p.area] + "-")]
    assert wrong == []


def test_projects_cover_30_regions_all_listed_in_regions_csv() -> None:
    known = csv_codes("regions.csv")
    used = {r for p in projects() for r in p.regions}
    assert len(used) >= 30
    assert used <= known, used - known


def test_organisation_regions_and_areas_are_known() -> None:
    regions, areas = csv_codes("regions.csv"), csv_codes("areas.csv")
    for org in organisations():
        assert set(org.regions) <= regions, org.id
        assert set(org.areas) <= areas, org.id


def test_projects_are_in_usd_or_euros_and_bilingual() -> None:
    """One sample project is budgeted in euros, so the demo shows a conversion."""
    assert {p.id for p in projects() if p.currency == "EUR"} == {"ENV-FIRE-01"}
    for p in projects():
        assert p.currency in ("USD", "EUR")
        assert p.title_ru, p.id
        assert p.description, p.id
        assert any("а" <= ch <= "я" for ch in p.title_ru.lower()), p.id


def test_every_text_a_reader_sees_is_written_in_russian_too() -> None:
    """Descriptions, outcome names, condition definitions and stage descriptions have a
    Russian twin that is Russian (not a copy of the English, not transliterated codes)."""
    for p in projects():
        assert foreign_runs(p.description_ru, "ru") == [], p.id
        assert _cyrillic(p.description_ru), p.id
        for name, outcome in p.outcomes.items():
            assert _cyrillic(outcome.name_ru), f"{p.id} {name}"
    for c in (Condition.model_validate(c) for c in load_yaml("conditions.yaml")):
        assert _cyrillic(c.definition_ru) and not foreign_runs(c.definition_ru, "ru"), c.code
    for s in (Stage.model_validate(s) for s in load_yaml("stages.yaml")):
        assert _cyrillic(s.description_ru) and not foreign_runs(s.description_ru, "ru"), s.number


def _cyrillic(text: str) -> bool:
    return sum("а" <= ch <= "я" for ch in text.lower()) > len(text) / 2


def test_years_lie_within_the_fund_horizon() -> None:
    fund = load_yaml("fund.yaml")
    for p in projects():
        assert fund["first_year"] <= min(p.costs), p.id
        assert max(p.costs) <= 2035, p.id
        assert min(p.years) >= fund["first_year"], p.id
        assert max(p.years) <= fund["last_year"], p.id


def test_stages_and_statuses_are_plausible() -> None:
    stages = {s["number"] for s in load_yaml("stages.yaml")}
    assert {p.stage for p in projects()} <= stages
    statuses = Counter(p.status for p in projects())
    assert statuses[ProjectStatus.PROPOSED] > len(projects()) / 2
    assert statuses[ProjectStatus.SCREENED]
    assert statuses[ProjectStatus.APPRAISED]


def test_proponents_partners_and_contacts_exist() -> None:
    orgs, persons = {o.id for o in organisations()}, {p.id for p in people()}
    for p in projects():
        assert p.proponent in orgs, p.id
        assert set(p.partners) <= orgs, p.id
        assert set(p.contacts) <= persons, p.id
    assert sum(bool(p.contacts) for p in projects()) >= 3


def test_people_belong_to_known_organisations() -> None:
    orgs = {o.id for o in organisations()}
    assert 10 <= len(people()) <= 20
    assert all(p.organisation in orgs for p in people())


def test_excludes_are_symmetric_and_enough_pairs() -> None:
    index = by_id()
    pairs = set()
    for p in projects():
        for other in p.excludes:
            assert other in index, (p.id, other)
            assert p.id in index[other].excludes, (p.id, other)
            pairs.add(frozenset((p.id, other)))
    assert len(pairs) >= 4


def test_dependencies_exist_and_form_no_cycle() -> None:
    index = by_id()
    links = [(p.id, d) for p in projects() for d in p.depends_on]
    assert len(links) >= 10
    assert all(d in index for _, d in links)
    assert_acyclic({p.id: list(p.depends_on) for p in projects()})


def assert_acyclic(graph: dict[str, list[str]]) -> None:
    """Depth-first search with three colours; a grey node met again is a cycle."""
    colour: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        colour[node] = 1
        for nxt in graph.get(node, []):
            assert colour.get(nxt) != 1, f"cycle: {[*path, node, nxt]}"
            if nxt not in colour:
                visit(nxt, [*path, node])
        colour[node] = 2

    for node in graph:
        if node not in colour:
            visit(node, [])


def test_no_project_requires_both_halves_of_an_exclusive_pair() -> None:
    index = by_id()

    def ancestors(pid: str) -> set[str]:
        seen: set[str] = set()
        stack = list(index[pid].depends_on)
        while stack:
            cur = stack.pop()
            if cur not in seen:
                seen.add(cur)
                stack.extend(index[cur].depends_on)
        return seen

    for p in projects():
        needed = ancestors(p.id) | {p.id}
        for q in needed:
            assert not set(index[q].excludes) & needed, (p.id, q)


def test_the_highway_corridor_is_a_chain_with_an_alternative() -> None:
    index = by_id()
    assert index["TRN-M11-02"].depends_on == ["TRN-M11-01"]
    assert "TRN-M11-02" in index["TRN-M11-03"].depends_on
    assert index["TRN-M11-03"].excludes == ["TRN-M11-03B"]
    assert index["TRN-M11-03B"].likely_cost() < index["TRN-M11-03"].likely_cost()


@pytest.mark.parametrize(
    "keyword",
    ["helium", "nuclear", "tuberculosis", "hiv", "methane", "arctic", "exchange", "media",
     "judicial", "election", "wildfire", "grain", "sme credit", "critical|lithium|rare-earth"],
)  # fmt: skip
def test_the_required_themes_are_present(keyword: str) -> None:
    text = [f"{p.title} {p.description}".lower() for p in projects()]
    assert any(any(k in t for k in keyword.split("|")) for t in text), keyword


def test_companies_in_every_russia_status() -> None:
    statuses = Counter(o.company.russia_status for o in organisations() if o.company is not None)
    assert all(statuses[s] >= 2 for s in RussiaStatus), statuses


def test_organisation_counts_and_kinds() -> None:
    kinds = Counter(o.kind for o in organisations())
    assert len(organisations()) >= 45
    assert all(kinds[k] for k in OrganisationKind), kinds


def test_democratic_forces_are_vetted_and_one_is_not_approved() -> None:
    groups = [o for o in organisations() if o.kind is OrganisationKind.DEMOCRATIC_FORCES]
    assert len(groups) >= 4
    assert all(g.vetting is not None for g in groups)
    approved = [g for g in groups if g.vetting and g.vetting.approved_on]
    assert approved
    assert len(approved) < len(groups)
    for g in approved:
        assert g.vetting is not None
        assert g.vetting.complete()
        assert g.vetting.valid_until
        assert all(i.evidence and i.checked_on for i in g.vetting.items)


def test_russian_ngos_protect_their_name_and_show_an_alias() -> None:
    inside = [o for o in organisations() if o.kind is OrganisationKind.NGO and o.country == "RU"]
    assert inside
    for org in inside:
        assert {"name", "website"} <= set(org.protected_fields), org.id
        assert org.alias
        assert org.public_name() == org.alias


def test_every_project_has_indicators_that_measure_its_predicted_outcomes() -> None:
    """The sample's results frameworks: one indicator per predicted outcome, in the same
    unit, named in both languages, its regions among the project's."""
    indicators = [Indicator.model_validate(i) for i in load_yaml("indicators.yaml")]
    projects_by_id = by_id()
    assert {i.project for i in indicators} == set(projects_by_id)
    for i in indicators:
        project = projects_by_id[i.project]
        assert i.outcome in project.outcomes, (i.project, i.code)
        unit = project.outcomes[i.outcome].unit
        assert unit in ("", i.unit), (i.project, i.code)
        assert _cyrillic(i.name_ru) and _cyrillic(i.means_of_verification_ru), i.code
        assert set(i.regions) <= set(project.regions)
    assert len(indicators) == sum(len(p.outcomes) for p in projects_by_id.values())
