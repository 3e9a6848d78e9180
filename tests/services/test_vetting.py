"""Vetting democratic-forces groups and setting company status, audited, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from pfund.domain.enums import VettingCriterion
from pfund.errors import Conflict, InvalidInput, NotFound
from pfund.services.runtime import Runtime
from pfund.services.vetting import approve, set_company_status, set_criterion, vetting_status

DAY = date(2026, 6, 1)


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


def actions(rt: Runtime) -> list[str]:
    with rt.uow() as uow:
        return [e.action for e in uow.audit.list()]


def meet_all(rt: Runtime, org: str) -> None:
    for criterion in VettingCriterion:
        set_criterion(
            rt, org, criterion.value, met=True, evidence="statement", reviewer="V-3", on=DAY
        )


def test_an_approval_needs_every_criterion_and_lapses(demo: Runtime) -> None:
    with pytest.raises(Conflict, match="criteria not met"):
        approve(demo, "ORG-0005", on=DAY)
    meet_all(demo, "ORG-0005")
    view = approve(demo, "ORG-0005", on=DAY, valid_days=30)
    assert view.approved and view.valid_until == date(2026, 7, 1) and view.missing == []
    assert not vetting_status(demo, "ORG-0005", on=date(2026, 7, 2)).approved
    assert actions(demo)[-1] == "vetting.approved"
    assert all("reviewer" not in item for item in view.items)


def test_an_unmet_criterion_withdraws_the_approval(demo: Runtime) -> None:
    assert vetting_status(demo, "ORG-0001", on=DAY).approved
    view = set_criterion(
        demo,
        "ORG-0001",
        "recognises_ukraine_borders",
        met=False,
        evidence="2026 interview on Crimea",
        reviewer="V-2",
        on=DAY,
    )
    assert not view.approved and view.missing == ["recognises_ukraine_borders"]
    assert view.approved_on is None


def test_vetting_refuses_bad_input(demo: Runtime) -> None:
    with pytest.raises(InvalidInput, match="criterion"):
        set_criterion(demo, "ORG-0005", "likes_cats", met=True, evidence="e", reviewer="r", on=DAY)
    with pytest.raises(InvalidInput, match="evidence"):
        set_criterion(
            demo,
            "ORG-0005",
            "council_of_europe_values",
            met=True,
            evidence=" ",
            reviewer="r",
            on=DAY,
        )
    with pytest.raises(Conflict, match="ngo"):
        vetting_status(demo, "ORG-0006", on=DAY)
    with pytest.raises(NotFound):
        vetting_status(demo, "ORG-9999", on=DAY)


def test_company_status_changes_are_audited_with_old_and_new(demo: Runtime) -> None:
    result = set_company_status(
        demo, "ORG-0061", russia_status="withdrawn", reengagement="interested"
    )
    assert result.russia_status == "withdrawn"
    with demo.uow() as uow:
        org = uow.organisations.get("ORG-0061")
        event = uow.audit.list()[-1]
    assert org is not None and org.company is not None
    assert org.company.reengagement == "interested"
    assert event.action == "company.status_set" and event.details["russia_status"][1] == "withdrawn"
    with pytest.raises(InvalidInput, match="russia_status"):
        set_company_status(demo, "ORG-0061", russia_status="gone", reengagement="interested")
    with pytest.raises(Conflict, match="not a company"):
        set_company_status(demo, "ORG-0006", russia_status="withdrawn", reengagement="interested")
