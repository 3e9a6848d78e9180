"""The demo's donor agreements: the sample receipts booked, and what the demo says of them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from pfund.io.dataset import load_dataset
from pfund.services.donors import (
    AgreementView,
    donor_register,
    donor_report,
    import_receipts,
)
from pfund.services.runtime import Runtime


class DonorSample(BaseModel):
    """The agreements, their currencies, the receipts booked and one donor's report."""

    agreements: list[AgreementView]
    currencies: list[str]
    booked: int
    earmarked: list[str]
    report_of: str | None = None
    attributed: Decimal | None = None
    held: Decimal | None = None
    projects: int = 0


def run_donor_sample(rt: Runtime) -> DonorSample | None:
    """Book the sample receipts (once: not again when already booked) and read back."""
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
    )
    if not earmarked:
        return sample
    first = next(v for v in views if v.agreement.id == earmarked[0]).agreement.contributor
    report = donor_report(rt, first)
    return sample.model_copy(
        update={
            "report_of": first,
            "attributed": report.attributed,
            "held": report.held,
            "projects": len(report.projects),
        }
    )
