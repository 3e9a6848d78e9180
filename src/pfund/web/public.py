"""The public portal: where every dollar goes and what must happen for more to flow.

Server-rendered, readable without JavaScript, in English and Russian, built only from
``pfund.services.portal`` (public views). Nothing here can show a protected field,
because nothing here receives one.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pfund.api.deps import RuntimeDep, principal
from pfund.services import portal
from pfund.services.portfolio import report_of_record
from pfund.services.records import get_record
from pfund.web.map import region_map
from pfund.web.render import language, render

# The principal dependency runs first, so the page header knows who is signed in.
router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])


@router.get("/", response_class=HTMLResponse)
def home(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return render(request, "home.html.j2", overview=portal.overview(rt))


@router.get("/projects", response_class=HTMLResponse)
def projects(
    request: Request,
    rt: RuntimeDep,
    area: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> HTMLResponse:
    lines = [
        p
        for p in portal.projects(rt)
        if (not area or p.area == area)
        and (not status or p.status == status)
        and (not region or region in p.regions)
    ]
    return render(
        request,
        "projects.html.j2",
        projects=lines,
        areas=portal.by_area(rt),
        filters={"area": area or "", "status": status or "", "region": region or ""},
        statuses=sorted({p.status for p in portal.projects(rt)}),
    )


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project(request: Request, project_id: str, rt: RuntimeDep) -> HTMLResponse:
    line, fields = portal.project(rt, project_id)
    stage = next((s for s in portal.stages(rt) if s.number == line.stage), None)
    return render(request, "project.html.j2", p=line, fields=fields, stage=stage)


@router.get("/funding", response_class=HTMLResponse)
def funding(request: Request, rt: RuntimeDep) -> HTMLResponse:
    lines = portal.contributors(rt)
    total = sum((c.annual_contribution for c in lines), Decimal(0))
    return render(
        request, "funding.html.j2", contributors=lines, total=total, overview=portal.overview(rt)
    )


@router.get("/conditions", response_class=HTMLResponse)
def conditions(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return render(request, "conditions.html.j2", stages=portal.stages(rt))


@router.get("/map", response_class=HTMLResponse)
def money_map(request: Request, rt: RuntimeDep) -> HTMLResponse:
    regions = portal.by_region(rt)
    return render(
        request, "map.html.j2", regions=regions, svg=region_map(regions, lang=language(request))
    )


@router.get("/decisions", response_class=HTMLResponse)
def decisions(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return render(request, "decisions.html.j2", decisions=portal.decisions(rt))


@router.get("/decisions/{run_id}", response_class=HTMLResponse)
def decision(request: Request, run_id: str, rt: RuntimeDep) -> HTMLResponse:
    record = get_record(rt, run_id, kind="portfolio")
    return render(
        request,
        "decision.html.j2",
        record=record,
        report=report_of_record(record),
        approved=any(d.approved for d in portal.decisions(rt) if d.id == run_id),
    )


@router.get("/data", response_class=HTMLResponse)
def open_data(request: Request) -> HTMLResponse:
    return render(request, "data.html.j2")
