"""Proposal intake as a workflow, on SQLite and PostgreSQL.

Each move is conditional on the status it starts from and audited; the reference code
is stored only as a keyed hash and opens nothing but its own proposal; taking a
proposal in does not publish it; two staff acting at once cannot both move it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import text

from pfund.domain import ProjectStatus
from pfund.domain.account import Principal, Role
from pfund.errors import Conflict, Forbidden, InvalidInput, NotFound, PfundError
from pfund.services import accounts, proposals, reviews
from pfund.services.runtime import Runtime

PASSWORD = "a long enough password"
FORM = {
    "title": "Clean water for Tver villages",
    "title_ru": "Чистая вода для деревень Тверской области",
    "description": "Drill and equip twelve wells for villages without safe water.",
    "area": "health",
    "regions": ["RU-TVE"],
    "first_year": 2030,
    "years": 2,
    "cost_low": "400000",
    "cost_likely": "500000",
    "cost_high": "700000",
    "people_reached": 9000,
    "organisation": "Tverskaya Voda Initiative",
    "contact_name": "Anna Secretova",
    "contact_email": "anna.secretova@example.org",
}


def send(rt: Runtime, **changes: object) -> proposals.Submitted:
    return proposals.submit(rt, proposals.check_form(rt, FORM | changes))


def as_user(rt: Runtime, username: str) -> Runtime:
    with rt.uow() as uow:
        user = uow.users.get(username)
    assert user is not None
    who = Principal(user=user)
    return replace(rt, actor=who.actor, principal=who)


@pytest.fixture
def staffed(rt: Runtime) -> Runtime:
    for name, role in (
        ("ana", Role.ANALYST),
        ("rev", Role.REVIEWER),
        ("rev2", Role.REVIEWER),
        ("comp", Role.COMPLIANCE),
    ):
        accounts.add_user(rt, name, PASSWORD, roles=[role])
    return rt


def events(rt: Runtime, record_id: str) -> list[str]:
    with rt.uow() as uow:
        return [e.action for e in uow.audit.list(record_id=record_id)]


def test_a_proposal_is_stored_unpublished_with_only_a_keyed_hash_of_its_code(rt: Runtime) -> None:
    sent = send(rt)
    assert len(proposals.normal_code(sent.code)) == 16 and sent.code.count("-") == 3
    with rt.uow() as uow:
        stored = uow.session.execute(text("SELECT code_hash FROM proposals")).scalar_one()
        project = uow.projects.get(sent.project_id)
    assert project is not None and not project.published
    assert proposals.normal_code(sent.code) not in stored and sent.code not in stored
    assert stored == proposals.code_hash(rt, sent.code)
    seen = proposals.status_by_code(rt, sent.code.lower().replace("-", " "))
    assert seen.status is ProjectStatus.SUBMITTED and seen.title == FORM["title"]


def test_a_wrong_code_gets_the_same_answer_whatever_it_is(rt: Runtime) -> None:
    sent = send(rt)
    wrong = [
        "",
        "AAAA-BBBB-CCCC-DDDD",
        sent.code[:-1] + ("A" if sent.code[-1] != "A" else "B"),
        sent.project_id,
    ]
    answers = set()
    for code in wrong:
        with pytest.raises(NotFound) as caught:
            proposals.status_by_code(rt, code)
        answers.add(caught.value.message)
    assert answers == {proposals.NO_SUCH_CODE}


def test_form_and_importer_problems_arrive_in_one_round(rt: Runtime) -> None:
    values = FORM | {"contact_email": "not-an-email", "area": "astrology", "regions": ["RU-XXX"]}
    with pytest.raises(InvalidInput) as caught:
        proposals.check_form(rt, values)
    fields = {(p.field or "").split(".")[0] for p in caught.value.problems}
    assert {"contact_email", "area", "regions"} <= fields


def test_ask_answer_return_resubmit_and_reject_each_audited(staffed: Runtime) -> None:
    ana = as_user(staffed, "ana")
    sent = send(staffed)
    pid = sent.project_id
    proposals.ask(ana, pid, "Which villages exactly?")
    seen = proposals.status_by_code(staffed, sent.code)
    assert seen.question_open and seen.messages[-1].body == "Which villages exactly?"
    proposals.answer_by_code(staffed, sent.code, "Twelve villages of the Rzhev district.")
    assert proposals.return_(ana, pid, "Add the running costs.").status is ProjectStatus.RETURNED
    with pytest.raises(Conflict):
        proposals.accept(ana, pid)  # only a submitted proposal is taken in
    after = proposals.answer_by_code(staffed, sent.code, "Running costs: 20,000 a year.")
    assert after.status is ProjectStatus.SUBMITTED
    assert proposals.reject(ana, pid, "Outside the fund's areas.").status is ProjectStatus.REJECTED
    final = proposals.status_by_code(staffed, sent.code)
    assert final.messages[-1].body == "Outside the fund's areas."
    assert not final.can_answer and not final.can_withdraw
    with pytest.raises(Conflict):
        proposals.answer_by_code(staffed, sent.code, "Please reconsider.")
    assert events(staffed, pid) == [
        "project.submitted",
        "proposal.asked",
        "proposal.answered",
        "proposal.returned",
        "proposal.resubmitted",
        "proposal.answered",
        "proposal.rejected",
    ]


def test_a_rejection_needs_a_reason(staffed: Runtime) -> None:
    sent = send(staffed)
    with pytest.raises(InvalidInput):
        proposals.reject(as_user(staffed, "ana"), sent.project_id, "  ")


def test_the_proposer_withdraws_with_the_code_and_staff_can_no_longer_take_it_in(
    staffed: Runtime,
) -> None:
    sent = send(staffed)
    assert proposals.withdraw_by_code(staffed, sent.code).status is ProjectStatus.WITHDRAWN
    with pytest.raises(Conflict):
        proposals.accept(as_user(staffed, "ana"), sent.project_id)
    assert "proposal.withdrawn" in events(staffed, sent.project_id)


def test_taking_in_does_not_publish_publishing_is_a_step_of_its_own(staffed: Runtime) -> None:
    ana = as_user(staffed, "ana")
    sent = send(staffed)
    with pytest.raises(Conflict):
        proposals.publish(ana, sent.project_id)  # not taken in yet
    proposals.accept(ana, sent.project_id)
    with staffed.uow() as uow:
        project = uow.projects.get(sent.project_id)
        public = [p.id for p in uow.projects.list(published=True)]
    assert project is not None and project.status is ProjectStatus.PROPOSED
    assert not project.published and sent.project_id not in public
    assert proposals.publish(ana, sent.project_id).published
    with pytest.raises(Conflict):
        proposals.publish(ana, sent.project_id)
    with staffed.uow() as uow:
        assert sent.project_id in [p.id for p in uow.projects.list(published=True)]
    proposals.unpublish(ana, sent.project_id)
    with staffed.uow() as uow:
        assert sent.project_id not in [p.id for p in uow.projects.list(published=True)]
    assert events(staffed, sent.project_id)[-3:] == [
        "project.accepted",
        "project.published",
        "project.unpublished",
    ]


def test_roles_that_may_not_move_proposals_are_refused(staffed: Runtime) -> None:
    sent = send(staffed)
    for name in ("rev", "comp"):
        who = as_user(staffed, name)
        for move in (
            lambda w: proposals.reject(w, sent.project_id, "no reason at all"),
            lambda w: proposals.accept(w, sent.project_id),
            lambda w: proposals.ask(w, sent.project_id, "a question?"),
            lambda w: proposals.publish(w, sent.project_id),
        ):
            with pytest.raises(Forbidden):
                move(who)
    assert proposals.status_by_code(staffed, sent.code).status is ProjectStatus.SUBMITTED


def test_the_contact_is_shown_only_to_protected_readers_and_each_view_is_audited(
    staffed: Runtime,
) -> None:
    sent = send(staffed)
    pid = sent.project_id
    seen_by_analyst = proposals.detail(as_user(staffed, "ana"), pid)
    assert seen_by_analyst.contacts is None
    assert "Secretova" not in seen_by_analyst.model_dump_json()
    assert "person.viewed" not in events(staffed, f"PER-{pid}")
    seen = proposals.detail(as_user(staffed, "comp"), pid)
    assert seen.contacts is not None
    contact = seen.contacts[0]
    assert (contact.name, contact.email, contact.organisation) == (
        "Anna Secretova",
        "anna.secretova@example.org",
        "Tverskaya Voda Initiative",
    )
    with staffed.uow() as uow:
        viewed = [e for e in uow.audit.list(record_id=f"PER-{pid}") if e.action == "person.viewed"]
    assert len(viewed) == 1 and viewed[0].actor == "user:comp"


def test_a_reviewer_reads_only_proposals_assigned_to_them(staffed: Runtime) -> None:
    ana = as_user(staffed, "ana")
    sent = send(staffed)
    with pytest.raises(Forbidden):
        proposals.detail(as_user(staffed, "rev"), sent.project_id)
    reviews.assign(ana, sent.project_id, "rev")
    seen = proposals.detail(as_user(staffed, "rev"), sent.project_id)
    assert seen.contacts is None and [r.reviewer for r in seen.reviews] == ["rev"]
    with pytest.raises(Forbidden):
        proposals.detail(as_user(staffed, "rev2"), sent.project_id)
    assert proposals.detail(ana, sent.project_id).reviewers == ["rev", "rev2"]


def race(moves: list[Callable[[], object]]) -> list[BaseException | None]:
    """Run the moves at once in threads; what each raised (None when it succeeded)."""
    start = threading.Barrier(len(moves))
    outcome: list[BaseException | None] = [None] * len(moves)

    def run(i: int) -> None:
        start.wait()
        try:
            moves[i]()
        except BaseException as err:
            outcome[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(moves))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcome


@pytest.mark.parametrize("second", ["reject", "accept"])
def test_two_staff_at_once_cannot_both_move_a_proposal(staffed: Runtime, second: str) -> None:
    ana = as_user(staffed, "ana")
    sent = send(staffed)
    pid = sent.project_id
    other = {
        "reject": lambda: proposals.reject(ana, pid, "a second reason"),
        "accept": lambda: proposals.accept(ana, pid),
    }[second]
    outcome = race([lambda: proposals.reject(ana, pid, "the first reason"), other])
    failed = [e for e in outcome if e is not None]
    assert len(failed) == 1, outcome
    assert isinstance(failed[0], PfundError) and failed[0].status == 409
    moves = [a for a in events(staffed, pid) if a in {"proposal.rejected", "project.accepted"}]
    assert len(moves) == 1
    with staffed.uow() as uow:
        messages = uow.proposals.messages(pid)
    assert len([m for m in messages if m["kind"] == "rejected"]) == (
        1 if moves == ["proposal.rejected"] else 0
    )


def test_the_staff_list_pages_and_filters_by_status(staffed: Runtime) -> None:
    ana = as_user(staffed, "ana")
    sent = [send(staffed, title=f"Proposal number {i}") for i in range(5)]
    proposals.reject(ana, sent[0].project_id, "not for us")
    page = proposals.list_proposals(ana, status="submitted", size=2)
    assert (page.total, page.pages, len(page.items)) == (4, 2, 2)
    second = proposals.list_proposals(ana, status="submitted", size=2, page=2)
    assert {i.id for i in page.items}.isdisjoint({i.id for i in second.items})
    rejected = proposals.list_proposals(ana, status="rejected")
    assert [i.id for i in rejected.items] == [sent[0].project_id]
