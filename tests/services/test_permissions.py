"""The services check the acting principal's permission themselves.

The API and the pages check first, to answer early; these tests call the services
directly, as an interface that forgot to check would, and see them refuse before
anything is read or written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pfund.domain.account import ROLE_PERMISSIONS, Permission, Principal, Role, User
from pfund.errors import Forbidden, NotAuthenticated
from pfund.services import (
    accounts,
    appraisal,
    backup,
    conditions,
    funding,
    hit_review,
    imports,
    outreach,
    portfolio,
    proposals,
    reviews,
    screening,
    screening_names,
    tranches,
    verification,
    vetting,
)
from pfund.services.runtime import Runtime

NOWHERE = Path("no-such-file.csv")

# Each use case, called with arguments that do not matter: the check comes first.
CASES: list[tuple[str, Permission, Callable[[Runtime], Any]]] = [
    ("import projects", Permission.IMPORT, lambda rt: imports.import_projects(rt, NOWHERE)),
    ("import people", Permission.IMPORT, lambda rt: imports.import_people(rt, NOWHERE)),
    (
        "draw a verification sample",
        Permission.VERIFY,
        lambda rt: verification.draw_sample(rt, "RPT-NONE", "x"),
    ),
    (
        "record verification findings",
        Permission.VERIFY,
        lambda rt: verification.record_findings(rt, "VER-00001", {}),
    ),
    (
        "link a tranche to a result",
        Permission.SET_CONDITIONS,
        lambda rt: verification.link_tranche(rt, "T-NONE", "x", "2030", {}),
    ),
    ("pay by results", Permission.MOVE_MONEY, lambda rt: verification.pay_by_results(rt, "T")),
    (
        "record an appraisal",
        Permission.APPRAISE,
        lambda rt: appraisal.record_appraisal(rt, None, None),  # type: ignore[arg-type]
    ),
    (
        "optimise",
        Permission.OPTIMISE,
        lambda rt: portfolio.run_portfolio(rt, None),  # type: ignore[arg-type]
    ),
    ("rerun", Permission.OPTIMISE, lambda rt: portfolio.rerun(rt, "OPT-0001")),
    ("approve", Permission.APPROVE, lambda rt: tranches.approve(rt, "OPT-0001")),
    ("release", Permission.MOVE_MONEY, lambda rt: tranches.release_tranche(rt, "T-1")),
    ("pay", Permission.MOVE_MONEY, lambda rt: tranches.disburse_tranche(rt, "T-1")),
    (
        "record contributions",
        Permission.MOVE_MONEY,
        lambda rt: funding.record_contributions(rt, year=2023, received=True),
    ),
    (
        "set a condition",
        Permission.SET_CONDITIONS,
        lambda rt: conditions.set_condition(
            rt, "C1", "met", evidence="x", verifier="y", on=date(2026, 1, 1)
        ),
    ),
    ("assign a review", Permission.ASSIGN_REVIEWS, lambda rt: reviews.assign(rt, "P", "rev")),
    ("score", Permission.REVIEW, lambda rt: reviews.submit_scores(rt, 1, "rev", {})),
    ("load a watchlist", Permission.SCREEN, lambda rt: screening.load_watchlist(rt, NOWHERE)),
    ("screen everyone", Permission.SCREEN, lambda rt: screening.screen_all(rt)),
    ("screen names", Permission.SCREEN, lambda rt: screening_names.screen_names(rt, ["x"])),
    ("decide a hit", Permission.SCREEN, lambda rt: hit_review.decide(rt, 1, "dismiss", "x")),
    ("read the hit queue", Permission.READ_PROTECTED, lambda rt: hit_review.review_queue(rt)),
    (
        "log outreach",
        Permission.IMPORT,
        lambda rt: outreach.log_outreach(
            rt, "ORG-0001", on=date(2026, 1, 1), channel="email", staff="s", outcome="x"
        ),
    ),
    (
        "vet a group",
        Permission.SCREEN,
        lambda rt: vetting.approve(rt, "ORG-0001", on=date(2026, 1, 1)),
    ),
    ("take in a proposal", Permission.IMPORT, lambda rt: proposals.accept(rt, "WEB-1")),
    ("list users", Permission.MANAGE_USERS, lambda rt: accounts.list_users(rt)),
    (
        "back up the store",
        Permission.MANAGE_STORE,
        lambda rt: backup.backup(rt, NOWHERE, "a long enough passphrase"),
    ),
    (
        "restore the store",
        Permission.MANAGE_STORE,
        lambda rt: backup.restore(rt, NOWHERE, "a long enough passphrase"),
    ),
    (
        "add a user",
        Permission.MANAGE_USERS,
        lambda rt: accounts.add_user(rt, "eve", "correct horse battery", roles=[Role.ADMIN]),
    ),
]


def as_role(rt: Runtime, role: Role | None) -> Runtime:
    user = None
    if role is not None:
        user = User(username=f"u-{role.value}", roles=[role], created_at=datetime.now(UTC))
    who = Principal(user=user)
    return replace(rt, actor=who.actor, principal=who)


def audit_head(rt: Runtime) -> int:
    with rt.uow() as uow:
        events = uow.audit.list()
    return events[-1].seq if events else 0


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


@pytest.mark.parametrize(("what", "permission", "call"), CASES, ids=[c[0] for c in CASES])
def test_every_role_without_the_permission_is_refused_and_nothing_changes(
    demo: Runtime, what: str, permission: Permission, call: Callable[[Runtime], Any]
) -> None:
    before = audit_head(demo)
    lacking = [r for r in Role if r is not Role.PUBLIC and permission not in ROLE_PERMISSIONS[r]]
    assert lacking, f"every role may {what}: nothing to refuse"
    for role in lacking:
        with pytest.raises(Forbidden, match=permission.value.replace("_", " ")):
            call(as_role(demo, role))
    with pytest.raises(NotAuthenticated):
        call(as_role(demo, None))
    assert audit_head(demo) == before


def test_a_role_with_the_permission_gets_through(demo: Runtime) -> None:
    analyst = as_role(demo, Role.ANALYST)
    report = funding.record_contributions(analyst, year=2023, received=True)
    assert report is not None
    with demo.uow() as uow:
        last = uow.audit.list()[-1]
    assert last.actor == "user:u-analyst"
    with demo.uow() as uow:
        assert sum((e.amount for e in uow.ledger.list()), Decimal(0)) > 0
