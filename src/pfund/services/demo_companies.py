"""The sample fund's companies' return: two illustrative tracker-layout lists imported by
``pfund demo``, a few companies moved along the pipeline, and what the demo says of it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel

from pfund.domain.company_return import ReturnStage, Tracker
from pfund.io.company_lists import read_company_list
from pfund.services.audit import AuditWriter
from pfund.services.company_returns import (
    company_lists,
    company_pipeline,
    move_in,
    returns_by_phase,
    store_company_list,
)
from pfund.services.runtime import Runtime
from pfund.store.repositories.companies import CompanyRepository
from pfund.store.unit_of_work import UnitOfWork

__all__ = ["CompanySample", "company_sample", "load_sample_companies"]

# (key in fund.yaml's files, tracker, source, address, date): the files' README says why
SAMPLE_LISTS = (
    (
        "companies",
        Tracker.YALE,
        "Yale CELI layout: illustrative sample (companies/README.md)",
        "https://som.yale.edu/story/2022/over-1000-companies-have-curtailed-operations-russia-some-remain",
        date(2026, 11, 2),
    ),
    (
        "companies_update",
        Tracker.KSE,
        "KSE Institute layout: illustrative sample (companies/README.md)",
        "https://leave-russia.org",
        date(2026, 11, 30),
    ),
)
# Fictional companies of organisations.yaml moved along: (id, stage, day)
SAMPLE_MOVES = (
    ("ORG-0050", ReturnStage.IN_CONTACT, date(2026, 11, 10)),
    ("ORG-0050", ReturnStage.CONDITIONS_AGREED, date(2026, 11, 24)),
    ("ORG-0051", ReturnStage.IN_CONTACT, date(2026, 11, 12)),
    ("ORG-0051", ReturnStage.CONDITIONS_AGREED, date(2026, 11, 26)),
    ("ORG-0052", ReturnStage.IN_CONTACT, date(2026, 11, 16)),
    ("ORG-0055", ReturnStage.IN_CONTACT, date(2026, 11, 18)),
    ("ORG-0054", ReturnStage.IN_CONTACT, date(2026, 11, 20)),
)


class CompanySample(BaseModel):
    lists: list[str]
    companies: int
    in_pipeline: int
    by_stage: dict[str, int]
    phases: dict[int, int]  # relief phase -> returns it unlocks
    company: str | None = None
    refused: str | None = None  # why it may not be marked returning yet


def load_sample_companies(uow: UnitOfWork, audit: AuditWriter, files: dict[str, Path]) -> None:
    """Import the sample lists and move the sample companies, in the caller's transaction."""
    for key, tracker, source, url, as_of in SAMPLE_LISTS:
        path = files.get(key)
        if path is None:
            return
        parsed = read_company_list(path, tracker)
        store_company_list(uow, audit, parsed, source=source, url=url, as_of=as_of)
        uow.session.flush()
    listed = {r.organisation_id for r in CompanyRepository(uow.session).returns()}
    for org_id, stage, day in SAMPLE_MOVES:  # the rpf sample's companies, when listed
        if org_id in listed:
            move_in(uow, audit, org_id, stage, on=day)


def company_sample(rt: Runtime) -> CompanySample:
    """The return in a few facts, and why the furthest company may not be marked returning."""
    lines = company_pipeline(rt)
    inside = [x for x in lines if x.company.stage is not ReturnStage.OPERATING]
    counts = {s.value: sum(1 for x in inside if x.company.stage is s) for s in ReturnStage}
    counts.pop(ReturnStage.OPERATING.value)
    ahead = next((x for x in lines if x.next is ReturnStage.RETURNING), None)
    return CompanySample(
        lists=[x.id for x in company_lists(rt)],
        companies=len(lines),
        in_pipeline=len(inside),
        by_stage=counts,
        phases={p.phase: p.total for p in returns_by_phase(rt)},
        company=ahead.company.organisation_id if ahead else None,
        refused=ahead.blocked if ahead else None,
    )
