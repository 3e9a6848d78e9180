"""The sample fund's grievances: illustrative reports that show the channel at work.

ILLUSTRATIVE: invented reports, not real allegations against any real body. Run after
the results loop (the portfolio approved, its tranches planned), they show each path: a
corruption report substantiated, which held a project's tranches until the hold was
lifted on the remedy; a retaliation report still under review, whose credible claim
holds its project's money by the fund's policy; and a report not substantiated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pfund.domain import TrancheStatus
from pfund.domain.grievance import GrievanceStatus
from pfund.services import grievances
from pfund.services.runtime import Runtime

S = GrievanceStatus


@dataclass(frozen=True)
class SampleGrievances:
    lifted: str  # held a tranche, lifted on the remedy
    holding: str  # holds its project's tranches now
    not_substantiated: str
    held_project: str


def load_sample_grievances(rt: Runtime, *, skip: set[str] | None = None) -> SampleGrievances | None:
    """File and handle three illustrative grievances; None when no project has money
    planned to hold (or the store already has grievances)."""
    with rt.uow() as uow:
        planned = sorted(
            {t.project_id for t in uow.tranches.list() if t.status is TrancheStatus.PLANNED}
            - (skip or set())
        )
    if len(planned) < 2 or grievances.queue(rt):
        return None
    start = datetime.now(UTC) - timedelta(days=120)
    first = _file(rt, "corruption", planned[0], CORRUPTION, start, name="Illustrative Reporter")
    _steps(rt, first, start, [(S.ACKNOWLEDGED, 3, ACK), (S.UNDER_REVIEW, 5, REVIEW)])
    _steps(rt, first, start, [(S.SUBSTANTIATED, 40, FOUND)])
    grievances.lift(rt, first, LIFT, at=start + timedelta(days=70))
    _steps(rt, first, start, [(S.CLOSED, 71, CLOSE)])
    later = start + timedelta(days=90)
    second = _file(rt, "retaliation", planned[1], RETALIATION, later)
    _steps(rt, second, later, [(S.ACKNOWLEDGED, 1, ACK), (S.UNDER_REVIEW, 2, REVIEW)])
    grievances.hold(rt, second, CREDIBLE, at=later + timedelta(days=2))
    third = _file(rt, "harm_to_environment", "", ENVIRONMENT, later + timedelta(days=4))
    _steps(
        rt,
        third,
        later,
        [(S.ACKNOWLEDGED, 6, ACK), (S.UNDER_REVIEW, 7, REVIEW), (S.NOT_SUBSTANTIATED, 20, NOT)],
    )
    return SampleGrievances(
        lifted=first, holding=second, not_substantiated=third, held_project=planned[1]
    )


def _file(
    rt: Runtime, category: str, project: str, text: str, at: datetime, *, name: str = ""
) -> str:
    values: dict[str, object] = {
        "category": category,
        "subject_kind": "project" if project else "",
        "subject_id": project,
        "description": text,
        "anonymous": not name,
        "name": name,
        "contact": "illustrative@example.org" if name else "",
    }
    return grievances.submit(rt, grievances.check_form(values), [], at=at).id


def _steps(
    rt: Runtime, grievance_id: str, start: datetime, steps: list[tuple[S, int, str]]
) -> None:
    for to, days, reason in steps:
        grievances.move(rt, grievance_id, to, reason, at=start + timedelta(days=days))


CORRUPTION = (
    "ILLUSTRATIVE. A subcontractor was told to add ten per cent to its invoices and pay "
    "the difference in cash to a site manager."
)
RETALIATION = (
    "ILLUSTRATIVE. A nurse who complained about missing medicines was moved to night "
    "shifts and threatened with dismissal."
)
ENVIRONMENT = (
    "ILLUSTRATIVE. Waste from a works yard seems to be dumped into a stream near the village."
)
ACK = "Received; the integrity officer will look into it."
REVIEW = "Documents requested from the partner; witnesses to be heard."
FOUND = "Invoices and bank records confirm the surcharge; the money is held."
LIFT = "The surcharge was repaid and the site manager dismissed; the hold is lifted."
CLOSE = "Remedy verified."
CREDIBLE = "Two witnesses confirm the threats: the project's money is held while we review."
NOT = "The site inspection found no dumping; the stream's samples were clean."
