"""How a list of projects is filtered, the same way on every page, answer and command.

Filters ignore case and stray spaces: ``region=ru-sam`` finds ``RU-SAM``, ``area=Health``
finds ``health``, ``status=In progress`` finds ``in_progress``. Codes are stored in one
case (regions upper, areas and statuses lower), so a filter is put in that case once,
here, and compared exactly after that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def _clean(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


@dataclass(frozen=True)
class ProjectFilter:
    """Area, status and region as stored (``health``, ``in_progress``, ``RU-SAM``)."""

    area: str | None = None
    status: str | None = None
    region: str | None = None

    @classmethod
    def of(
        cls, area: str | None = None, status: str | None = None, region: str | None = None
    ) -> ProjectFilter:
        """The filter as a reader typed it, in the case the codes are stored in."""
        area, status, region = _clean(area), _clean(status), _clean(region)
        return cls(
            area=area.lower() if area else None,
            status=status.lower().replace(" ", "_").replace("-", "_") if status else None,
            region=region.upper() if region else None,
        )

    def matches(self, *, area: str | None, status: str | None, regions: Iterable[str]) -> bool:
        """Whether a project with these (already visible) fields passes every filter."""
        return (
            (self.area is None or area == self.area)
            and (self.status is None or status == self.status)
            and (self.region is None or self.region in regions)
        )

    def form(self) -> dict[str, str]:
        """The filter as a form shows it back: empty strings for what is not set."""
        return {"area": self.area or "", "status": self.status or "", "region": self.region or ""}


@dataclass(frozen=True)
class HitFilter:
    """The screening queue's filters: a watchlist (as its id, any case) and the kind of
    counterparty (``person``, ``organisation``), compared without case by the store."""

    watchlist: str | None = None
    kind: str | None = None

    @classmethod
    def of(cls, watchlist: str | None = None, kind: str | None = None) -> HitFilter:
        """The filter as a reader typed it: trimmed, kinds in the case they are stored."""
        watchlist, kind = _clean(watchlist), _clean(kind)
        return cls(watchlist=watchlist, kind=kind.lower() if kind else None)

    def form(self) -> dict[str, str]:
        """The filter as a form shows it back: empty strings for what is not set."""
        return {"watchlist": self.watchlist or "", "kind": self.kind or ""}
