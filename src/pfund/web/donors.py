"""Donor agreements on the pages: the public summary of each donor's money (``/donors``),
the staff register with a receipt form and a reversal form on each receipt
(``/staff/donors``), and each donor's report as
one self-contained HTML page in English or Russian (``/staff/donors/{iso3}/report``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.domain.account import Permission
from pfund.domain.donor_agreement import AGREEMENT_ID, RECEIPT_ID
from pfund.errors import InvalidInput, Problem
from pfund.reports.donor import render_donor
from pfund.services import gate as money_gate
from pfund.services.donor_report import donor_report, donors_overview
from pfund.services.donors import (
    ReceiptResult,
    ReversalResult,
    donor_register,
    record_receipt,
    reverse_receipt,
)
from pfund.services.names import area_names
from pfund.services.writes import Replayed
from pfund.web.forms import check_csrf, form_key, new_form_key
from pfund.web.render import language, public_page, render
from pfund.web.staff import CsrfField, KeyField, StaffDep, _allowed, _back

router = APIRouter(include_in_schema=False)
STAFF = "/staff/donors"


@router.get("/donors", response_class=HTMLResponse)
def public_donors(request: Request, rt: RuntimeDep) -> HTMLResponse:
    """Each donor's agreements and money: received, fees, funding projects, held."""

    def build() -> dict[str, Any]:
        return {"donors": donors_overview(rt), "areas": area_names(rt)}

    return public_page(request, "donors.html.j2", build)


@router.get(STAFF, response_class=HTMLResponse)
def staff_donors(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """Every agreement, its instalments and receipts, and a form to book a receipt."""
    return render(
        request,
        "staff/donors.html.j2",
        views=donor_register(acting(rt, who)),
        areas=area_names(rt),
        new_key=new_form_key,
        can=who.can,
        P=Permission,
        message=request.query_params.get("message"),
        today=money_gate.today().isoformat(),
        staff=True,
    )


@router.post(STAFF + "/{agreement_id}/receipts")
def receive(
    request: Request,
    agreement_id: Annotated[str, PathParam(pattern=AGREEMENT_ID)],
    rt: RuntimeDep,
    who: StaffDep,
    day: Annotated[str, Form(max_length=10)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    memo: Annotated[str, Form(max_length=300)] = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    asked = f"{agreement_id}\n{day}\n{amount}\n{currency}\n{memo}"
    as_who = acting(rt, who, form_key(request, idempotency_key, asked))
    try:
        done = record_receipt(
            as_who,
            agreement_id,
            day=_day(day),
            amount=_amount(amount),
            currency=currency,
            memo=memo,
        )
    except Replayed as again:  # the same form sent twice: the first answer stands
        done = ReceiptResult.model_validate_json(again.body)
    r = done.receipt
    return _back(f"{r.agreement_id}: receipt {r.number} booked", STAFF)


@router.post(STAFF + "/receipts/{receipt_id}/reverse")
def reverse(
    request: Request,
    receipt_id: Annotated[str, PathParam(pattern=RECEIPT_ID)],
    rt: RuntimeDep,
    who: StaffDep,
    reason: Annotated[str, Form(max_length=300)] = "",
    on: Annotated[str, Form(max_length=10)] = "",
    csrf_token: CsrfField = "",
    idempotency_key: KeyField = "",
) -> RedirectResponse:
    """Reverse a receipt booked in error, with its reason (the register shows it) and
    the value date of its ledger entries (empty: today)."""
    check_csrf(request, csrf_token)
    _allowed(who, Permission.MOVE_MONEY)
    asked = f"{receipt_id}\n{reason}\n{on}"
    as_who = acting(rt, who, form_key(request, idempotency_key, asked))
    try:
        value_day = _day(on, field="on") if on.strip() else None
        done = reverse_receipt(as_who, receipt_id, reason=reason, on=value_day)
    except Replayed as again:  # the same form sent twice: the first answer stands
        done = ReversalResult.model_validate_json(again.body)
    return _back(f"{done.receipt.receipt_id}: receipt reversed", STAFF)


@router.get(STAFF + "/{contributor}/report", response_class=HTMLResponse)
def report(
    request: Request,
    contributor: Annotated[str, PathParam(pattern=r"^[A-Za-z]{3}$")],
    rt: RuntimeDep,
    who: StaffDep,
) -> HTMLResponse:
    """The donor's report, self-contained, in the reader's language (``?lang=ru``)."""
    found = donor_report(acting(rt, who), contributor)
    served = {code: f"?lang={code}" for code in ("en", "ru")}
    return HTMLResponse(render_donor(found, language(request), links=served))


def _day(text: str, field: str = "day") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problem = Problem(f"'{text}' is not a date (YYYY-MM-DD)", field=field)
        raise InvalidInput("bad day", [problem]) from None


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        problem = Problem(f"'{text}' is not an amount", field="amount")
        raise InvalidInput("bad amount", [problem]) from None
