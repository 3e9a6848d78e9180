"""Proposal review: assign reviewers, take conflict declarations, collect scores.

A reviewer first declares whether they have a conflict of interest; a declared conflict
recuses them for good (their scores are refused). Submitted scores are averaged per
criterion into the project's ``scores``, which the multi-criteria appraisal reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import fmean
from typing import Any

from pydantic import BaseModel

from pfund.appraisal import load_criteria
from pfund.domain.account import Permission, Role
from pfund.domain.lengths import Id, Name
from pfund.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from pfund.io.dataset import load_dataset
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork


class Review(BaseModel):
    id: int
    project_id: Id
    reviewer: Id
    assigned_by: Name
    assigned_at: datetime
    conflict: bool | None
    conflict_reason: str
    scores: dict[str, float]
    comment: str
    submitted_at: datetime | None

    @property
    def state(self) -> str:
        if self.conflict is None:
            return "awaiting declaration"
        if self.conflict:
            return "recused"
        return "submitted" if self.submitted_at else "to score"


def score_scales(rt: Runtime) -> dict[str, float]:
    """The criteria a reviewer scores, each with its maximum (from the fund's criteria)."""
    data = load_dataset(rt.dataset)
    criteria = load_criteria(data.root / "criteria.yaml")
    return {
        str(c.options.get("score", c.name)): float(c.options.get("max_score", 10))
        for c in criteria.criteria
        if c.source == "score"
    }


def assign(rt: Runtime, project_id: str, reviewer: str) -> Review:
    rt.require(Permission.ASSIGN_REVIEWS)
    with rt.uow() as uow:
        if uow.projects.get(project_id) is None:
            raise NotFound(f"no project with id '{project_id}'")
        user = uow.users.get(reviewer)
        if user is None or Role.REVIEWER not in user.roles or not user.active:
            raise InvalidInput(f"'{reviewer}' is not an active reviewer", [Problem("reviewer")])
        if uow.reviews.find(project_id, reviewer):
            raise Conflict(f"{reviewer} is already assigned to {project_id}")
        review_id = uow.reviews.add(project_id, reviewer, rt.actor, datetime.now(UTC))
        AuditWriter(uow, rt.actor).record(
            "review.assigned", "project", project_id, {"review": review_id, "reviewer": reviewer}
        )
        review = _get(uow, review_id)
        uow.commit()
    return review


def declare(
    rt: Runtime, review_id: int, reviewer: str, *, conflict: bool, reason: str = ""
) -> Review:
    """Record the conflict-of-interest declaration; it cannot be changed afterwards."""
    rt.require(Permission.REVIEW)
    if conflict and not reason.strip():
        raise InvalidInput("say what the conflict is", [Problem("required", field="reason")])
    with rt.uow() as uow:
        review = _mine(uow, review_id, reviewer)
        if review.conflict is not None:
            raise Conflict(f"review {review_id} already has its declaration")
        uow.reviews.update(review_id, conflict=conflict, conflict_reason=reason.strip())
        AuditWriter(uow, rt.actor).record(
            "review.declared",
            "project",
            review.project_id,
            {"review": review_id, "conflict": conflict},
        )
        updated = _get(uow, review_id)
        uow.commit()
    return updated


def submit_scores(
    rt: Runtime, review_id: int, reviewer: str, scores: dict[str, float], *, comment: str = ""
) -> Review:
    rt.require(Permission.REVIEW)
    scales = score_scales(rt)
    problems = _score_problems(scores, scales)
    if problems:
        raise InvalidInput(f"review {review_id}: scores not accepted", problems)
    with rt.uow() as uow:
        review = _mine(uow, review_id, reviewer)
        if review.conflict is None:
            raise Conflict("declare any conflict of interest before scoring")
        if review.conflict:
            raise Conflict(f"{reviewer} declared a conflict on {review.project_id} and is recused")
        uow.reviews.update(
            review_id, scores=scores, comment=comment, submitted_at=datetime.now(UTC)
        )
        means = _project_scores(uow, review.project_id)
        project = uow.projects.get(review.project_id)
        assert project is not None
        uow.projects.replace(project.model_copy(update={"scores": {**project.scores, **means}}))
        AuditWriter(uow, rt.actor).record(
            "review.scored", "project", review.project_id, {"review": review_id, "scores": scores}
        )
        updated = _get(uow, review_id)
        uow.commit()
    return updated


def list_reviews(
    rt: Runtime, *, reviewer: str | None = None, project_id: str | None = None
) -> list[Review]:
    with rt.uow() as uow:
        return [Review(**r) for r in uow.reviews.list(reviewer=reviewer, project_id=project_id)]


def _score_problems(scores: dict[str, float], scales: dict[str, float]) -> list[Problem]:
    if not scores:
        return [Problem("give at least one score", field="scores")]
    problems = []
    for key, value in scores.items():
        if key not in scales:
            known = ", ".join(sorted(scales))
            problems.append(Problem(f"not a scored criterion (known: {known})", field=key))
        elif not 0 <= value <= scales[key]:
            problems.append(Problem(f"must be between 0 and {scales[key]:g}", field=key))
    return problems


def _project_scores(uow: UnitOfWork, project_id: str) -> dict[str, float]:
    by_key: dict[str, list[float]] = {}
    for r in uow.reviews.list(project_id=project_id):
        if r["submitted_at"] and r["conflict"] is False:
            for key, value in r["scores"].items():
                by_key.setdefault(key, []).append(float(value))
    return {key: round(fmean(values), 4) for key, values in by_key.items()}


def _get(uow: UnitOfWork, review_id: int) -> Review:
    found: dict[str, Any] | None = uow.reviews.get(review_id)
    if found is None:
        raise NotFound(f"no review {review_id}")
    return Review(**found)


def _mine(uow: UnitOfWork, review_id: int, reviewer: str) -> Review:
    review = _get(uow, review_id)
    if review.reviewer != reviewer:
        raise Forbidden(f"review {review_id} is assigned to someone else")
    return review


class ScoredCriterion(BaseModel):
    """A criterion a reviewer scores, named as the fund's criteria file names it."""

    key: str
    label: str
    label_ru: str = ""
    max_score: float


def scored_criteria(rt: Runtime) -> list[ScoredCriterion]:
    """The criteria a reviewer scores with their names (``label``, and ``label_ru`` when
    the criteria file gives one) and maxima: the form names each field by its criterion."""
    data = load_dataset(rt.dataset)
    criteria = load_criteria(data.root / "criteria.yaml")
    return [
        ScoredCriterion(
            key=str(c.options.get("score", c.name)),
            label=c.label or c.name.replace("_", " "),
            label_ru=str(c.options.get("label_ru", "")),
            max_score=float(c.options.get("max_score", 10)),
        )
        for c in criteria.criteria
        if c.source == "score"
    ]
