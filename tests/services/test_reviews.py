"""Reviews: a declared conflict recuses the reviewer; scores feed the project's criteria."""

from __future__ import annotations

import pytest

from pfund.domain.account import Role
from pfund.errors import Conflict, Forbidden, InvalidInput
from pfund.services import accounts, reviews
from pfund.services.demo import load_demo
from pfund.services.runtime import Runtime
from pfund.services.summary import get_project

PASSWORD = "a long enough password"


@pytest.fixture
def staffed(rt: Runtime) -> Runtime:
    load_demo(rt)
    for name in ("rev", "rev2"):
        accounts.add_user(rt, name, PASSWORD, roles=[Role.REVIEWER])
    accounts.add_user(rt, "ana", PASSWORD, roles=[Role.ANALYST])
    return rt


def test_scores_of_reviewers_without_conflict_are_averaged_into_the_project(
    staffed: Runtime,
) -> None:
    first = reviews.assign(staffed, "GOV-MED-01", "rev")
    second = reviews.assign(staffed, "GOV-MED-01", "rev2")
    for review, value in ((first, 8.0), (second, 6.0)):
        reviews.declare(staffed, review.id, review.reviewer, conflict=False)
        reviews.submit_scores(staffed, review.id, review.reviewer, {"democratic_governance": value})
    assert get_project(staffed, "GOV-MED-01").scores["democratic_governance"] == 7.0


def test_a_reviewer_with_a_conflict_is_recused_and_nothing_changes(staffed: Runtime) -> None:
    review = reviews.assign(staffed, "GOV-MED-01", "rev")
    before = get_project(staffed, "GOV-MED-01").scores
    recused = reviews.declare(
        staffed, review.id, "rev", conflict=True, reason="I advised the proponent in 2025"
    )
    assert recused.state == "recused"
    with pytest.raises(Conflict, match="recused"):
        reviews.submit_scores(staffed, review.id, "rev", {"democratic_governance": 10})
    with pytest.raises(Conflict, match="already"):
        reviews.declare(staffed, review.id, "rev", conflict=False)
    assert get_project(staffed, "GOV-MED-01").scores == before


def test_scores_are_checked_against_the_fund_criteria(staffed: Runtime) -> None:
    review = reviews.assign(staffed, "GOV-MED-01", "rev")
    reviews.declare(staffed, review.id, "rev", conflict=False)
    with pytest.raises(InvalidInput) as caught:
        reviews.submit_scores(
            staffed, review.id, "rev", {"democratic_governance": 11, "charisma": 3}
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"democratic_governance", "charisma"}


def test_only_the_assigned_reviewer_declares_and_only_reviewers_are_assigned(
    staffed: Runtime,
) -> None:
    review = reviews.assign(staffed, "GOV-MED-01", "rev")
    with pytest.raises(Forbidden):
        reviews.declare(staffed, review.id, "rev2", conflict=False)
    with pytest.raises(InvalidInput):
        reviews.assign(staffed, "GOV-MED-01", "ana")
    with pytest.raises(Conflict):
        reviews.assign(staffed, "GOV-MED-01", "rev")
