"""The synthetic generators: reproducible by seed, valid, acyclic, any size."""

from __future__ import annotations

import csv
import io
from collections import Counter
from importlib.resources import files

import pytest

from pfund.domain import Organisation, OrganisationKind, Project
from pfund.sample.synthetic import generate_organisations, generate_projects


def codes(name: str) -> list[str]:
    text = (files("pfund") / "data" / "rpf" / name).read_text(encoding="utf-8")
    return [row["code"] for row in csv.DictReader(io.StringIO(text))]


AREAS = codes("areas.csv")
REGIONS = codes("regions.csv")


def make(n: int, seed: int = 7, link_share: float = 0.1) -> list[Project]:
    return generate_projects(n, seed=seed, areas=AREAS, regions=REGIONS, link_share=link_share)


def dump(projects: list[Project]) -> list[dict[str, object]]:
    return [p.model_dump() for p in projects]


def test_same_seed_gives_identical_projects() -> None:
    assert dump(make(300, seed=11)) == dump(make(300, seed=11))


def test_another_seed_gives_other_projects() -> None:
    assert dump(make(300, seed=11)) != dump(make(300, seed=12))


@pytest.mark.parametrize("n", [0, 1, 2, 57])
def test_any_size(n: int) -> None:
    projects = make(n)
    assert len(projects) == n
    assert len({p.id for p in projects}) == n


def test_projects_revalidate_from_their_dump() -> None:
    for p in make(200):
        assert Project.model_validate(p.model_dump()) == p


def test_values_stay_inside_the_given_vocabulary() -> None:
    projects = make(500)
    assert {p.area for p in projects} <= set(AREAS)
    assert {r for p in projects for r in p.regions} <= set(REGIONS)
    assert {p.stage for p in projects} <= {0, 1, 2, 3}
    assert all(p.currency == "USD" for p in projects)


def test_costs_span_one_to_five_years_from_first_year() -> None:
    projects = generate_projects(300, seed=3, areas=AREAS, regions=REGIONS, first_year=2030)
    assert all(1 <= len(p.costs) <= 5 and min(p.costs) >= 2030 for p in projects)
    assert all(p.benefits and p.outcomes for p in projects)


def test_dependencies_point_only_to_earlier_projects() -> None:
    projects = make(2000, link_share=0.3)
    position = {p.id: i for i, p in enumerate(projects)}
    links = [(position[p.id], position[d]) for p in projects for d in p.depends_on]
    assert links
    assert all(target < source for source, target in links)


def test_excludes_are_symmetric() -> None:
    projects = make(2000, link_share=0.3)
    index = {p.id: p for p in projects}
    pairs = [(p.id, q) for p in projects for q in p.excludes]
    assert pairs
    assert all(a in index[b].excludes for a, b in pairs)


def test_no_project_depends_on_half_of_an_exclusive_pair() -> None:
    projects = make(2000, link_share=0.5)
    paired = {p.id for p in projects if p.excludes}
    assert all(not set(p.depends_on) & paired for p in projects)


def test_link_share_zero_gives_no_links() -> None:
    assert all(not p.depends_on and not p.excludes for p in make(300, link_share=0.0))


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="link_share"):
        make(10, link_share=1.5)
    with pytest.raises(ValueError, match="areas"):
        generate_projects(10, seed=1, areas=[], regions=REGIONS)
    with pytest.raises(ValueError, match="n must"):
        make(-1)


def test_ten_thousand_projects_are_distinct_and_valid() -> None:
    """Any size: ten thousand projects, each a valid, distinct record (speed: bench/)."""
    projects = make(10_000)
    assert len(projects) == 10_000
    assert len({p.id for p in projects}) == 10_000
    assert all(isinstance(p, Project) and p.likely_cost() > 0 for p in projects)
    assert {p.area for p in projects} <= set(AREAS)


def orgs(n: int, seed: int = 5) -> list[Organisation]:
    return generate_organisations(n, seed=seed, areas=AREAS, regions=REGIONS)


def test_organisations_are_reproducible_and_seed_dependent() -> None:
    first = [o.model_dump() for o in orgs(200)]
    assert first == [o.model_dump() for o in orgs(200)]
    assert first != [o.model_dump() for o in orgs(200, seed=6)]


def test_organisations_cover_every_kind_with_consistent_profiles() -> None:
    result = orgs(500)
    kinds = Counter(o.kind for o in result)
    assert all(kinds[k] for k in OrganisationKind)
    for o in result:
        assert (o.company is not None) == (o.kind is OrganisationKind.COMPANY)
        assert (o.vetting is not None) == (o.kind is OrganisationKind.DEMOCRATIC_FORCES)
        if o.country == "RU":
            assert o.public_name() == o.alias
    groups = [o.vetting for o in result if o.vetting is not None]
    assert any(v.approved_on for v in groups)
    assert any(v.approved_on is None and not v.complete() for v in groups)
