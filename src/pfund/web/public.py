"""The public portal: where every dollar goes and what must happen for more to flow.

Server-rendered, readable without JavaScript, in English and Russian, built only from
``pfund.services.portal`` (public views). Nothing here can show a protected field,
because nothing here receives one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pfund.api.deps import RuntimeDep, principal
from pfund.services import portal
from pfund.services.assumptions import plan_assumptions
from pfund.services.filters import ProjectFilter
from pfund.services.instruments import public_instrument
from pfund.services.learning import public_expost
from pfund.services.names import region_names
from pfund.services.portfolio import report_of_record
from pfund.services.records import get_record
from pfund.services.results import project_results
from pfund.services.results_public import by_area, public_results, unit_ru
from pfund.web.map import legend, region_map
from pfund.web.render import language, public_page

# The principal dependency runs first, so the page header knows who is signed in.
router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])


@router.get("/", response_class=HTMLResponse)
def home(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return public_page(request, "home.html.j2", lambda: {"overview": portal.overview(rt)})


@router.get("/projects", response_class=HTMLResponse)
def projects(
    request: Request,
    rt: RuntimeDep,
    area: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> HTMLResponse:
    chosen = ProjectFilter.of(area, status, region)

    def build() -> dict[str, Any]:
        every = portal.projects(rt)
        lines = [
            p for p in every if chosen.matches(area=p.area, status=p.status, regions=p.regions)
        ]
        named = region_names(rt)
        present = sorted({c for p in every for c in p.regions})
        return {
            "projects": lines,
            "areas": portal.by_area(rt),
            "filters": chosen.form(),
            "statuses": sorted({p.status for p in every}),
            "regions": [named[c] for c in present if c in named],
        }

    return public_page(request, "projects.html.j2", build)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project(request: Request, project_id: str, rt: RuntimeDep) -> HTMLResponse:
    def build() -> dict[str, Any]:
        line, fields = portal.project(rt, project_id)
        stage = next((s for s in portal.stages(rt) if s.number == line.stage), None)
        costs = portal.outcome_costs(rt, project_id)
        return {
            "p": line,
            "fields": fields,
            "stage": stage,
            "outcome_costs": costs,
            "results": project_results(
                rt, project_id, public=True, stored=portal.published_project(rt, project_id)
            ),
            "unit_ru": unit_ru,
            "expost": public_expost(rt, project_id),
            "instrument": public_instrument(rt, project_id),
            "rate_sources": _rate_sources(portal.overview(rt), language(request)),
        }

    return public_page(request, "project.html.j2", build)


def _rate_sources(overview: portal.Overview, lang: str) -> list[str]:
    """The rates' sources in the page's language (the English where none is stored)."""
    return overview.rate_sources_ru if lang == "ru" else overview.rate_sources


@router.get("/results", response_class=HTMLResponse)
def results(request: Request, rt: RuntimeDep) -> HTMLResponse:
    """Every public project's targets against what its partners reported, by area."""

    def build() -> dict[str, Any]:
        shown = public_results(rt)
        lines = {p.id: p for p in portal.projects(rt)}
        periods = [r for p in shown for i in p.indicators for r in i.periods]
        return {
            "groups": by_area(shown),
            "paid": lines,
            "counts": {
                "projects": len(shown),
                "indicators": sum(len(p.indicators) for p in shown),
                "periods": len(periods),
                "reported": sum(r.achieved is not None for r in periods),
                "verified": sum(r.verified is not None for r in periods),
            },
        }

    return public_page(request, "results.html.j2", build)


@router.get("/funding", response_class=HTMLResponse)
def funding(request: Request, rt: RuntimeDep) -> HTMLResponse:
    def build() -> dict[str, Any]:
        lines = portal.contributors(rt)
        total = sum((c.annual_contribution for c in lines), Decimal(0))
        return {"contributors": lines, "total": total, "overview": portal.overview(rt)}

    return public_page(request, "funding.html.j2", build)


@router.get("/conditions", response_class=HTMLResponse)
def conditions(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return public_page(
        request,
        "conditions.html.j2",
        lambda: {
            "stages": portal.stages(rt),
            "held": portal.frozen_money(rt),
            "scenarios": plan_assumptions(rt),
        },
    )


@router.get("/map", response_class=HTMLResponse)
def money_map(request: Request, rt: RuntimeDep) -> HTMLResponse:
    def build() -> dict[str, Any]:
        regions = portal.by_region(rt)
        lang = language(request)
        return {
            "regions": regions,
            "svg": region_map(regions, lang=lang),
            "legend": legend(regions),
        }

    return public_page(request, "map.html.j2", build)


@router.get("/decisions", response_class=HTMLResponse)
def decisions(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return public_page(request, "decisions.html.j2", lambda: {"decisions": portal.decisions(rt)})


@router.get("/decisions/{run_id}", response_class=HTMLResponse)
def decision(request: Request, run_id: str, rt: RuntimeDep) -> HTMLResponse:
    def build() -> dict[str, Any]:
        record = get_record(rt, run_id, kind="portfolio")
        approved = any(d.approved for d in portal.decisions(rt) if d.id == run_id)
        titles = {p.id: p for p in portal.projects(rt)}
        return {
            "record": record,
            "report": report_of_record(record),
            "approved": approved,
            "titles": titles,
        }

    return public_page(request, "decision.html.j2", build)


@router.get("/data", response_class=HTMLResponse)
def open_data(request: Request) -> HTMLResponse:
    return public_page(request, "data.html.j2", dict)
