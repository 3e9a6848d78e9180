"""The demo's donor agreements: the sample receipts booked, and what the demo says of them."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from pydantic import BaseModel

from pfund.io.dataset import load_dataset
from pfund.services.donor_report import donor_report
from pfund.services.donors import (
    AgreementView,
    donor_register,
    import_receipts,
)
from pfund.services.problem_json import problem_from_json
from pfund.services.records import get_record
from pfund.services.runtime import Runtime


class DonorSample(BaseModel):
    """The agreements, their currencies, the receipts booked and one donor's report."""

    agreements: list[AgreementView]
    currencies: list[str]
    booked: int
    earmarked: list[str]
    report_of: str | None = None
    fund_currency: str = ""
    attributed: Decimal | None = None
    held: Decimal | None = None
    projects: int = 0
    # per earmark and year of the portfolio run: (earmark, year, cap, spent outside it)
    earmark_use: list[EarmarkUse] = []


class EarmarkUse(BaseModel):
    """One earmark row of a run: spending the earmark cannot fund, against its cap."""

    earmark: str
    year: int
    cap: float
    spent: float

    @property
    def binding(self) -> bool:
        return self.spent >= self.cap * (1 - 1e-6) - 1.0


def earmark_use(rt: Runtime, record_id: str) -> list[EarmarkUse]:
    """How close the run's spending outside each earmark came to its cap, year by year
    (only the years in which some money is earmarked, where the cap is below the budget)."""
    record = get_record(rt, record_id, kind="portfolio")
    problem = problem_from_json(record.inputs["problem"])
    chosen = np.isin(np.array(problem.ids), record.result.get("selected", []))
    out = []
    for cap in problem.spend_caps:
        members = np.zeros(problem.n, bool)
        members[list(cap.members)] = True
        spent = problem.cost[chosen & members].sum(axis=0)
        for t, limit in enumerate(cap.cap):
            if limit < float(problem.budget[t]):
                out.append(
                    EarmarkUse(
                        earmark=cap.name, year=problem.periods[t], cap=limit, spent=float(spent[t])
                    )
                )
    return out


def run_donor_sample(rt: Runtime, record_id: str | None = None) -> DonorSample | None:
    """Book the sample receipts (once: not again when already booked) and read back;
    with a portfolio run, how its spending stood against each earmark."""
    path = load_dataset(rt.dataset).sample_files.get("donor_agreements")
    if path is None:
        return None
    booked = 0
    if not any(view.receipts for view in donor_register(rt)):
        booked = len(import_receipts(rt, path).booked)
    views = donor_register(rt)
    earmarked = [v.agreement.id for v in views if v.agreement.earmark.limits]
    sample = DonorSample(
        agreements=views,
        currencies=sorted({v.agreement.currency for v in views} | {v.fund_currency for v in views}),
        booked=booked,
        earmarked=earmarked,
        earmark_use=earmark_use(rt, record_id) if record_id else [],
    )
    if not earmarked:
        return sample
    first = next(v for v in views if v.agreement.id == earmarked[0]).agreement.contributor
    report = donor_report(rt, first)
    return sample.model_copy(
        update={
            "report_of": first,
            "fund_currency": views[0].fund_currency,
            "attributed": report.attributed,
            "held": report.held,
            "projects": len(report.projects),
        }
    )
