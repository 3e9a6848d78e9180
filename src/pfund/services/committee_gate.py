"""The committee's say on approving a portfolio run (issue 16: the committee decides
"the approval of a portfolio run").

A committee in ``fund.yaml`` with ``approves_portfolio: true`` gates ``approve``: a run
is approved only on the committee's latest decision on it, and only if that decision
passed; what is approved then is the committee's selection (which may depart from the
optimiser's, at the price its decision record states). A run with no decision, with
only an open item, or whose latest decision failed is refused with
``COMMITTEE_DECISION_NEEDED`` and its facts (run, committee, state, item, record), which
each channel words for its reader. With no such committee, approval is as before: the
run's own selection, with no committee involved.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pfund.domain.governance import CommitteeDefinition, ItemKind
from pfund.errors import Problem, Refusal
from pfund.io.dataset import load_dataset
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

COMMITTEE_DECISION_NEEDED = "committee_decision_needed"
# The states of a run the gate refuses, in the refusal's facts.
NO_ITEM, ITEM_OPEN, REJECTED = "none", "open", "rejected"


class CommitteeApproval(BaseModel):
    """The passed decision a gated approval rests on."""

    committee: str
    item: int
    record_id: str
    projects: list[str]


def approving_committee(rt: Runtime) -> CommitteeDefinition | None:
    """The committee whose decision approving a run needs, if the fund's policy has one."""
    return next((c for c in load_dataset(rt.dataset).committees if c.approves_portfolio), None)


def committee_approval(uow: UnitOfWork, committee: str, run_id: str) -> CommitteeApproval:
    """The committee's latest passed decision on ``run_id``, or the refusal saying why
    the run cannot be approved yet."""
    on_run = [
        i
        for i in uow.committees.items(committee)
        if i["kind"] == ItemKind.PORTFOLIO.value and i["run_id"] == run_id
    ]
    decided = [i for i in on_run if i["record_id"]]
    if decided:
        latest = max(decided, key=lambda i: (i["decided_at"], i["id"]))
        if latest["status"] == "approved":
            return CommitteeApproval(
                committee=committee,
                item=latest["id"],
                record_id=latest["record_id"],
                projects=list(latest["projects"]),
            )
        raise _refusal(run_id, committee, REJECTED, latest)
    still_open = [i for i in on_run if i["status"] == "open"]
    raise _refusal(
        run_id, committee, ITEM_OPEN if still_open else NO_ITEM, next(iter(still_open), None)
    )


def _refusal(run: str, committee: str, state: str, item: dict[str, Any] | None) -> Refusal:
    facts: dict[str, str | int] = {"run": run, "committee": committee, "state": state}
    if item is not None:
        facts["item"] = item["id"]
        if item["record_id"]:
            facts["record"] = item["record_id"]
    return Refusal(
        needed_words(facts),
        code=COMMITTEE_DECISION_NEEDED,
        facts=facts,
        problems=[
            Problem(f"no passed decision of the {committee} committee on {run}", field="committee")
        ],
    )


def needed_words(facts: dict[str, Any] | Any) -> str:
    """The refusal in plain words, naming no command: what is missing for which run."""
    run, committee = facts["run"], facts["committee"]
    policy = (
        f"under the fund's policy (fund.yaml) the {committee} committee approves portfolio runs"
    )
    if facts["state"] == REJECTED:
        return (
            f"run {run} cannot be approved: the {committee} committee did not pass it "
            f"(item {facts['item']}, record {facts.get('record', '-')}), and {policy}; "
            "the committee must pass a new item on the run first"
        )
    if facts["state"] == ITEM_OPEN:
        return (
            f"run {run} cannot be approved yet: the {committee} committee's item "
            f"{facts['item']} on it is still open ({policy}); the seats vote, then the "
            "item is closed, and the run can be approved if it passed"
        )
    return (
        f"run {run} cannot be approved: it has no decision of the {committee} committee, "
        f"and {policy}; the run must be put to the committee and passed first"
    )
