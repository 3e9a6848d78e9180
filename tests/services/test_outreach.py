"""The outreach log, for every kind of organisation: entries appended with audit,
contacts by person id only."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pfund.errors import InvalidInput, NotFound
from pfund.services.outreach import log_outreach, outreach_log
from pfund.services.runtime import Runtime


@pytest.fixture
def demo(demo_rt: Runtime) -> Runtime:
    return demo_rt  # the sample fund loaded (load_demo), see tests/services/conftest.py


def test_outreach_entries_are_logged_in_date_order_with_audit(demo: Runtime) -> None:
    later = log_outreach(
        demo,
        "ORG-0052",
        on=date(2026, 5, 2),
        channel="meeting",
        staff="Desk B",
        outcome="meeting_set",
    )
    first = log_outreach(
        demo,
        "ORG-0052",
        on=date(2026, 4, 1),
        channel="email",
        staff="Desk A",
        outcome="interested",
        contact="PER-0013",
        note="wants the helium project brief",
    )
    assert [e.id for e in outreach_log(demo, "ORG-0052")] == [first.id, later.id]
    with demo.uow() as uow:
        event = uow.audit.list()[-1]
        person = uow.people.get("PER-0013")
    assert event.action == "outreach.logged" and event.record_id == "ORG-0052"
    assert person is not None and person.name not in json.dumps(event.details)


def test_outreach_refuses_bad_entries_and_writes_nothing(demo: Runtime) -> None:
    day = date(2026, 4, 1)
    with pytest.raises(InvalidInput, match="not valid") as bad:
        log_outreach(demo, "ORG-0052", on=day, channel="", staff="A", outcome="maybe")
    assert {p.field for p in bad.value.problems} == {"channel", "outcome"}
    with pytest.raises(NotFound, match="PER-9999"):
        log_outreach(
            demo,
            "ORG-0052",
            on=day,
            channel="call",
            staff="A",
            outcome="no_reply",
            contact="PER-9999",
        )
    with pytest.raises(NotFound):
        outreach_log(demo, "ORG-9999")
    assert outreach_log(demo, "ORG-0052") == []


def test_outreach_reaches_an_ngo_a_university_and_a_democratic_forces_group(
    demo: Runtime,
) -> None:
    """Issue 17: 'ORG-0021 is a ngo: outreach logs companies' was refused; the proposal
    means to re-engage over 100 organisations of every kind."""
    day = date(2026, 6, 1)
    with demo.uow() as uow:
        kinds = {o.id: o.kind.value for o in uow.organisations.list()}
    assert kinds["ORG-0021"] == "ngo"
    picked = [
        "ORG-0021",
        *[
            next(i for i, k in kinds.items() if k == kind)
            for kind in ("university", "democratic_forces", "public_body")
        ],
    ]
    for org_id in picked:
        entry = log_outreach(
            demo, org_id, on=day, channel="call", staff="Desk A", outcome="interested"
        )
        assert entry.id is not None
        assert [e.organisation_id for e in outreach_log(demo, org_id)] == [org_id]
    with demo.uow() as uow:
        logged = [e.record_id for e in uow.audit.list() if e.action == "outreach.logged"]
    assert logged == picked
