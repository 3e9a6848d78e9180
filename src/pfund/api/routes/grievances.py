"""Grievances: anyone reports and follows a report by its code; the integrity role
triages, decides, holds and lifts; the statistics are public.

The same service functions as the pages and ``pfund grievances``. Reporting and the
code-only routes need no account and count against the address's hourly limits (the
proposal form's); the code travels in the body, never in a URL. The reporter's identity
is answered only to ``read_reporter`` (the integrity role), and each reading is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from pfund.api.deps import PrincipalDep, RuntimeDep, SettingsDep, acting, require
from pfund.api.limits import client_address
from pfund.domain.account import Permission, Principal
from pfund.domain.grievance import GrievanceStatus
from pfund.services import grievances
from pfund.services.grievance_stats import GrievanceStats, stats
from pfund.services.grievances import Filed, GrievanceDetail, GrievanceLine, Moved, ReporterView
from pfund.services.throttle import count_grievance, count_grievance_code

router = APIRouter(tags=["grievances"])
Integrity = Annotated[Principal, require(Permission.INVESTIGATE)]


class Step(BaseModel):
    to: GrievanceStatus
    reason: str = Field(min_length=3, max_length=5000)


class Reason(BaseModel):
    reason: str = Field(min_length=3, max_length=5000)


class Code(BaseModel):
    code: str = Field(max_length=64)


class Addition(BaseModel):
    code: str = Field(max_length=64)
    text: str = Field(min_length=1, max_length=5000)


@router.post("/grievances", response_model=Filed, status_code=201)
def report(
    body: grievances.GrievanceForm, request: Request, rt: RuntimeDep, settings: SettingsDep
) -> Filed:
    """Report wrongdoing (no account); the answer carries the tracking code, once."""
    count_grievance(rt, client_address(request), settings.proposals_per_hour)
    form = grievances.check_form(body.model_dump())
    return grievances.submit(rt, form, [])


@router.post("/grievances/status", response_model=ReporterView)
def follow(body: Code, request: Request, rt: RuntimeDep, settings: SettingsDep) -> ReporterView:
    """A report's state for the holder of its code; 404 for any other code."""
    count_grievance_code(rt, client_address(request), settings.status_checks_per_hour)
    return grievances.status_by_code(rt, body.code)


@router.post("/grievances/status/add", response_model=ReporterView)
def add(body: Addition, request: Request, rt: RuntimeDep, settings: SettingsDep) -> ReporterView:
    """The reporter adds information to their report, until it is closed."""
    count_grievance_code(rt, client_address(request), settings.status_checks_per_hour)
    return grievances.add_by_code(rt, body.code, body.text, [])


@router.get("/grievances/statistics", response_model=GrievanceStats)
def statistics(rt: RuntimeDep, _who: PrincipalDep) -> GrievanceStats:
    """Public statistics by quarter; counts below the fund's threshold are null."""
    return stats(rt)


@router.get("/grievances", response_model=list[GrievanceLine])
def queue(rt: RuntimeDep, who: Integrity) -> list[GrievanceLine]:
    """Every report, open first and retaliation first (integrity role)."""
    return grievances.queue(acting(rt, who))


@router.get("/grievances/{grievance_id}", response_model=GrievanceDetail)
def show(grievance_id: str, rt: RuntimeDep, who: Integrity) -> GrievanceDetail:
    """A report with its history and files; the reporter only with read_reporter (audited)."""
    return grievances.detail(acting(rt, who), grievance_id)


@router.post("/grievances/{grievance_id}/triage", response_model=Moved)
def triage(grievance_id: str, body: Step, rt: RuntimeDep, who: Integrity) -> Moved:
    """Acknowledge a report, or put it under review, with a reason."""
    return grievances.triage(acting(rt, who), grievance_id, body.to, body.reason)


@router.post("/grievances/{grievance_id}/decide", response_model=Moved)
def decide(grievance_id: str, body: Step, rt: RuntimeDep, who: Integrity) -> Moved:
    """Substantiated (holds the money), not substantiated, referred, or closed."""
    return grievances.decide(acting(rt, who), grievance_id, body.to, body.reason)


@router.post("/grievances/{grievance_id}/hold", response_model=Moved)
def hold(grievance_id: str, body: Reason, rt: RuntimeDep, who: Integrity) -> Moved:
    """Hold the money of the report's subject (a credible open report, by policy)."""
    return grievances.hold(acting(rt, who), grievance_id, body.reason)


@router.post("/grievances/{grievance_id}/lift", response_model=Moved)
def lift(grievance_id: str, body: Reason, rt: RuntimeDep, who: Integrity) -> Moved:
    """Lift the hold: an audited decision that frees the money."""
    return grievances.lift(acting(rt, who), grievance_id, body.reason)
