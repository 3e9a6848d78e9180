"""The matchmaking engine: fit from area, region and capability, scaled by standing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pfund.domain.enums import OrganisationKind, ReengagementStatus, RussiaStatus, VettingCriterion
from pfund.domain.organisation import CompanyProfile, Organisation, VettingChecklist, VettingItem
from pfund.domain.project import Project
from pfund.matching import FIT, match, rank_partners, rank_projects

DAY = date(2026, 6, 1)


def project(pid: str = "P-1", **extra: object) -> Project:
    values: dict[str, object] = {
        "id": pid,
        "title": "Leak detection and repair on gas pipelines",
        "area": "energy",
        "regions": ["RU-KHM", "RU-YAN"],
        "costs": {2028: {"capital": Decimal(1000)}},
    }
    return Project.model_validate(values | extra)


def company(
    oid: str, russia: RussiaStatus, again: ReengagementStatus, **extra: object
) -> Organisation:
    values: dict[str, object] = {
        "id": oid,
        "name": f"Company {oid}",
        "kind": OrganisationKind.COMPANY,
        "country": "DE",
        "areas": ["energy"],
        "regions": ["RU-KHM"],
        "capabilities": ["leak detection", "pipeline valves"],
        "company": CompanyProfile(russia_status=russia, reengagement=again),
    }
    return Organisation.model_validate(values | extra)


def group(oid: str, approved_on: date | None, valid_until: date | None) -> Organisation:
    items = [VettingItem(criterion=c, met=True) for c in VettingCriterion]
    return Organisation(
        id=oid,
        name=f"Group {oid}",
        kind=OrganisationKind.DEMOCRATIC_FORCES,
        country="LT",
        areas=["energy"],
        vetting=VettingChecklist(items=items, approved_on=approved_on, valid_until=valid_until),
    )


def test_a_company_digging_in_ranks_below_one_that_withdrew_and_is_interested() -> None:
    digging = company("ORG-1", RussiaStatus.DIGGING_IN, ReengagementStatus.COMMITTED)
    willing = company("ORG-2", RussiaStatus.WITHDRAWN, ReengagementStatus.INTERESTED)
    ranked = rank_partners(project(), [digging, willing], on=DAY)
    assert [m.organisation_id for m in ranked] == ["ORG-2", "ORG-1"]
    assert ranked[0].fit == ranked[1].fit and ranked[0].score > ranked[1].score


def test_every_score_is_explained_by_its_factors_and_weights() -> None:
    found = match(
        project(), company("ORG-2", RussiaStatus.WITHDRAWN, ReengagementStatus.COMMITTED), DAY
    )
    assert [f.name for f in found.factors] == [factor.__name__ for factor, _ in FIT]
    assert found.fit == pytest.approx(sum(f.value * f.weight for f in found.factors), abs=1e-4)
    assert found.score == pytest.approx(found.fit * found.standing, abs=1e-4)
    values = {f.name: f.value for f in found.factors}
    assert values == {"same_area": 1.0, "shared_regions": 0.5, "capability_fit": 1.0}
    assert all(f.explanation for f in found.factors)
    assert "withdrawn" in found.standing_reason


def test_area_and_capability_move_the_fit() -> None:
    base = company("ORG-3", RussiaStatus.WITHDRAWN, ReengagementStatus.COMMITTED)
    elsewhere = base.model_copy(update={"areas": ["health"], "capabilities": ["vaccines"]})
    assert match(project(), elsewhere, DAY).fit < match(project(), base, DAY).fit


def test_a_group_needs_a_vetting_approval_valid_on_the_day() -> None:
    valid = group("ORG-4", date(2026, 1, 1), date(2026, 12, 31))
    lapsed = group("ORG-5", date(2025, 1, 1), date(2025, 12, 31))
    ranked = rank_partners(project(), [lapsed, valid], on=DAY)
    assert [(m.organisation_id, m.eligible) for m in ranked] == [("ORG-4", True), ("ORG-5", False)]
    assert ranked[1].score == 0 and "not eligible" in ranked[1].standing_reason
    assert not match(project(), valid, date(2027, 1, 1)).eligible


def test_a_company_gets_the_open_projects_it_fits_best() -> None:
    firm = company("ORG-2", RussiaStatus.WITHDRAWN, ReengagementStatus.INTERESTED)
    fits = project("P-1")
    other = project("P-2", title="School buses", area="education", regions=["RU-MOW"])
    closed = project("P-3", status="cancelled")
    ranked = rank_projects(firm, [other, closed, fits], on=DAY)
    assert [m.project_id for m in ranked] == ["P-1", "P-2"]
    with pytest.raises(ValueError, match="not a company"):
        rank_projects(group("ORG-4", None, None), [fits], on=DAY)


def test_a_blocked_organisation_is_never_eligible() -> None:
    willing = company("ORG-2", RussiaStatus.WITHDRAWN, ReengagementStatus.INTERESTED)
    digging = company("ORG-1", RussiaStatus.DIGGING_IN, ReengagementStatus.DECLINED)
    ranked = rank_partners(project(), [willing, digging], on=DAY, blocked=frozenset({"ORG-2"}))
    assert [(m.organisation_id, m.eligible) for m in ranked] == [("ORG-1", True), ("ORG-2", False)]
    assert "screening hit" in ranked[1].standing_reason and ranked[1].fit > 0
    assert not rank_projects(willing, [project()], on=DAY, blocked=True)[0].eligible
