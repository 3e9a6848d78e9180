"""Two portfolio runs side by side: what differs, not two rounded totals.

The value, cost and number of projects of each run with the difference, the projects
one run chose and the other did not (by title), and each area's cost and projects in
both. Read from the two decision records and the projects' titles; nothing is stored.
"""

from __future__ import annotations

from pydantic import BaseModel

from pfund.services.portfolio import PortfolioReport, report_of_record
from pfund.services.records import get_record
from pfund.services.runtime import Runtime

__all__ = ["AreaPair", "Comparison", "Figure", "ProjectRef", "compare_runs"]


class Figure(BaseModel):
    """One figure of both runs and how far B is from A."""

    name: str
    a: float
    b: float

    @property
    def difference(self) -> float:
        return self.b - self.a

    @property
    def digits(self) -> int:
        """Decimal places that show the difference: at least one, more when the two
        values agree to that many (4.71 against 4.74 needs two, not 4.7 twice)."""
        gap = abs(self.difference)
        places = 1
        while gap and round(self.a, places) == round(self.b, places) and places < 6:
            places += 1
        return places


class ProjectRef(BaseModel):
    id: str
    title: str
    title_ru: str = ""


class AreaPair(BaseModel):
    area: str
    name: str
    name_ru: str
    a_projects: int
    b_projects: int
    a_cost: float
    b_cost: float


class Comparison(BaseModel):
    a: str
    b: str
    figures: list[Figure]
    only_a: list[ProjectRef]
    only_b: list[ProjectRef]
    both: int
    areas: list[AreaPair]


def compare_runs(rt: Runtime, a: str, b: str) -> Comparison:
    """What differs between portfolio runs ``a`` and ``b``."""
    left = report_of_record(get_record(rt, a, kind="portfolio"))
    right = report_of_record(get_record(rt, b, kind="portfolio"))
    only_a = [p for p in left.selected if p not in set(right.selected)]
    only_b = [p for p in right.selected if p not in set(left.selected)]
    with rt.uow() as uow:
        found = {p: uow.projects.get(p) for p in only_a + only_b}
        names = {a.code: (a.name, a.name_ru or a.name) for a in uow.reference.areas()}
    refs = {
        p: ProjectRef(id=p, title=f.title if f else p, title_ru=f.title_ru if f else "")
        for p, f in found.items()
    }
    return Comparison(
        a=left.record_id,
        b=right.record_id,
        figures=_figures(left, right),
        only_a=sorted((refs[p] for p in only_a), key=lambda r: r.title),
        only_b=sorted((refs[p] for p in only_b), key=lambda r: r.title),
        both=len(set(left.selected) & set(right.selected)),
        areas=_areas(left, right, names),
    )


def _figures(left: PortfolioReport, right: PortfolioReport) -> list[Figure]:
    return [
        Figure(name="value", a=left.objective or 0.0, b=right.objective or 0.0),
        Figure(name="cost", a=left.total_cost, b=right.total_cost),
        Figure(name="projects", a=len(left.selected), b=len(right.selected)),
    ]


def _areas(
    left: PortfolioReport, right: PortfolioReport, names: dict[str, tuple[str, str]]
) -> list[AreaPair]:
    by_a = {u.area: u for u in left.areas}
    by_b = {u.area: u for u in right.areas}
    return [
        AreaPair(
            area=area,
            name=names.get(area, (area, area))[0],
            name_ru=names.get(area, (area, area))[1],
            a_projects=by_a[area].projects if area in by_a else 0,
            b_projects=by_b[area].projects if area in by_b else 0,
            a_cost=by_a[area].cost if area in by_a else 0.0,
            b_cost=by_b[area].cost if area in by_b else 0.0,
        )
        for area in sorted(set(by_a) | set(by_b))
    ]
