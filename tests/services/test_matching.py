"""Matchmaking over the sample fund: loaded from the store, ranked by the engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import pfund
from pfund.errors import Conflict, NotFound
from pfund.services.hit_review import decide
from pfund.services.matching import match_company, match_project
from pfund.services.runtime import Runtime
from pfund.services.screening import load_watchlist

DAY = date(2026, 6, 1)
SAMPLE = Path(pfund.__file__).parent / "data" / "rpf" / "watchlists" / "sample.ftm.json"


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


def test_partners_for_a_project_rank_eligible_first_and_use_public_names(demo: Runtime) -> None:
    found = match_project(demo, "ENE-CH4-01", on=DAY, limit=80)
    assert len(found) == 70  # 54 of organisations.yaml, 16 more from the company lists
    scores = [m.score for m in found if m.eligible]
    assert scores == sorted(scores, reverse=True)
    assert found[0].organisation == "ORG-0051"  # methane repair, withdrawn and committed
    lapsed = next(m for m in found if m.organisation == "ORG-0003")
    assert not lapsed.eligible and found.index(lapsed) > len(scores) - 1
    protected = next(m for m in found if m.organisation == "ORG-0010")
    with demo.uow() as uow:
        org = uow.organisations.get("ORG-0010")
    assert org is not None and protected.organisation_name == org.alias != org.name


def test_projects_for_a_company_are_explained(demo: Runtime) -> None:
    found = match_company(demo, "ORG-0052", on=DAY, limit=5)
    assert found[0].project.startswith("NRS-HE")  # helium company, helium projects
    assert all(len(m.factors) == 3 for m in found)
    with pytest.raises(Conflict, match="not a company"):
        match_company(demo, "ORG-0006", on=DAY)
    with pytest.raises(NotFound):
        match_project(demo, "NOPE-1", on=DAY)


def test_an_organisation_with_an_open_hit_is_not_proposed(demo: Runtime) -> None:
    def newsroom() -> bool:
        found = match_project(demo, "GOV-MED-02", on=DAY, limit=80)
        return next(m for m in found if m.organisation == "ORG-0006").eligible

    assert newsroom()
    report = load_watchlist(demo, SAMPLE)
    assert not newsroom()
    hit = next(h.hit for h in report.new_hits if h.counterparty_id == "ORG-0006")
    decide(demo, hit, "dismiss", "another newsroom")
    assert newsroom()
