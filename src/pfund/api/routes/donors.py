"""Donor agreements: the register, receipts, each donor's report, and the public summary."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from pfund.api.deps import IdempotencyDep, RuntimeDep, acting, require
from pfund.api.uploads import upload_name
from pfund.domain.account import Permission, Principal
from pfund.domain.donor_agreement import AGREEMENT_ID, RECEIPT_ID
from pfund.reports.donor import render_donor
from pfund.services import donor_report as reports
from pfund.services import donors
from pfund.services.donor_report import DonorMoney, DonorReport
from pfund.services.donors import (
    AgreementImport,
    AgreementView,
    ReceiptResult,
    ReceiptsImport,
    ReversalResult,
)

router = APIRouter(tags=["donors"])
ISO3 = r"^[A-Za-z]{3}$"

MONEY_WRITE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Refused: the database would record something twice."},
    422: {"description": "Bad input (nothing was booked), or a reused Idempotency-Key."},
}


class ReceiptRequest(BaseModel):
    day: date = Field(description="The day the money arrived.")
    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", description="May differ from the agreement's.")
    memo: str = Field(default="", max_length=300)


class ReversalRequest(BaseModel):
    reason: str = Field(
        min_length=1, max_length=300, description="Why: wrong donor, wrong amount, bounced."
    )
    on: date | None = Field(
        default=None,
        description="Value date of the opposing ledger entries (default today); not before "
        "the receipt's day, not in the future.",
    )


@router.get("/donors", response_model=list[DonorMoney])
def overview(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_PUBLIC)],
) -> list[DonorMoney]:
    """Each donor with an agreement: its agreements, money received, fees, what it funds
    and what the fund holds of it (public)."""
    return reports.donors_overview(acting(rt, who))


@router.get("/donors/agreements", response_model=list[AgreementView])
def agreements(
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> list[AgreementView]:
    """Every agreement with its instalments (paid, part-paid, late on ``on``) and receipts."""
    return donors.donor_register(acting(rt, who), today=on)


@router.post("/donors/agreements/import", response_model=AgreementImport)
def import_file(
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
) -> AgreementImport:
    """Record the agreements of a YAML, JSON or CSV file, all or nothing."""
    filename = upload_name(file.filename, "agreements.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(file.file.read())
        return donors.import_agreements(acting(rt, who), path)


@router.post("/donors/receipts/import", response_model=ReceiptsImport, responses=MONEY_WRITE)
def import_receipts(
    file: UploadFile,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
) -> ReceiptsImport:
    """Book every receipt of a file, all or nothing; a receipt already booked (same
    agreement, day, amount and currency) refuses the file, so sending it twice books once."""
    filename = upload_name(file.filename, "receipts.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(file.file.read())
        return donors.import_receipts(acting(rt, who), path)


@router.get("/donors/agreements/{agreement_id}", response_model=AgreementView)
def agreement(
    agreement_id: Annotated[str, PathParam(pattern=AGREEMENT_ID)],
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> AgreementView:
    """One agreement on ``on`` (default today)."""
    return donors.agreement_view(acting(rt, who), agreement_id, today=on)


@router.post(
    "/donors/agreements/{agreement_id}/receipts",
    response_model=ReceiptResult,
    status_code=201,
    responses=MONEY_WRITE,
)
def receive(
    agreement_id: Annotated[str, PathParam(pattern=AGREEMENT_ID)],
    body: ReceiptRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> ReceiptResult:
    """Book a receipt: converted at its day's rate, matched to the instalments, received
    by the ledger in the fund's currency (the rates recorded)."""
    return donors.record_receipt(
        acting(rt, who, idem),
        agreement_id,
        day=body.day,
        amount=body.amount,
        currency=body.currency,
        memo=body.memo,
    )


@router.post(
    "/donors/receipts/{receipt_id}/reverse", response_model=ReversalResult, responses=MONEY_WRITE
)
def reverse(
    receipt_id: Annotated[str, PathParam(pattern=RECEIPT_ID)],
    body: ReversalRequest,
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.MOVE_MONEY)],
    idem: IdempotencyDep,
) -> ReversalResult:
    """Reverse a receipt booked in error (``DA-0001-2``: agreement and number): its ledger
    entries opposed, the receipt kept and marked reversed, the instalments matched again.
    A receipt already reversed is a 409."""
    return donors.reverse_receipt(acting(rt, who, idem), receipt_id, reason=body.reason, on=body.on)


@router.get("/donors/{contributor}/report", response_model=DonorReport)
def report(
    contributor: Annotated[str, PathParam(pattern=ISO3)],
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    on: date | None = None,
) -> DonorReport:
    """What the donor's money funded, achieved and what is held, with the rule stated."""
    return reports.donor_report(acting(rt, who), contributor, today=on)


@router.get("/donors/{contributor}/report.html", response_class=HTMLResponse)
def report_html(
    contributor: Annotated[str, PathParam(pattern=ISO3)],
    rt: RuntimeDep,
    who: Annotated[Principal, require(Permission.READ_INTERNAL)],
    lang: Annotated[str, Query(pattern="^(en|ru)$")] = "en",
    on: date | None = None,
) -> HTMLResponse:
    """The same report as one self-contained HTML page, in English or Russian."""
    found = reports.donor_report(acting(rt, who), contributor, today=on)
    served = {code: f"report.html?lang={code}" for code in ("en", "ru")}
    return HTMLResponse(render_donor(found, lang, links=served))
