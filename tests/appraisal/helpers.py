"""Small projects built in code, for appraisal tests."""

from __future__ import annotations

from typing import Any

from pfund.domain import Project


def make_project(
    pid: str = "P-1",
    *,
    area: str = "transport",
    costs: dict[int, dict[str, Any]] | None = None,
    benefits: dict[str, Any] | None = None,
    **extra: Any,
) -> Project:
    """A valid project with a one-year capital cost unless told otherwise."""
    return Project.model_validate(
        {
            "id": pid,
            "title": f"Test project {pid}",
            "area": area,
            "costs": costs or {2026: {"capital": [90, 100, 130]}},
            "benefits": benefits or {},
            **extra,
        }
    )
