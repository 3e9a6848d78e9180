"""A refused staff action explained on a staff page, not on the public error page.

When a service refuses what a person asked in the workspace (a release the gate holds,
a payment of a tranche not released, an approval with nothing new), the answer says
what was refused, every reason in the reader's language with a link to where it is put
right (the condition, the screening hit), and a link back to the list the person came
from, filters included. The status code stays the service's (409, 403, 404, 422).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from pfund.conditions.gates import Hold
from pfund.domain import Condition
from pfund.domain.account import Permission
from pfund.errors import PfundError, Refusal
from pfund.services.committee_gate import COMMITTEE_DECISION_NEEDED
from pfund.services.gate import GateRefused
from pfund.services.tranches import CONTRIBUTIONS_NEEDED
from pfund.web.labels import N_
from pfund.web.render import render

# What was asked, by the form's address: the words for the page's headline.
ACTIONS: tuple[tuple[str, str, str], ...] = (
    (r"/tranches/([^/]+)/release", N_("Release of tranche %(id)s"), "/staff/tranches"),
    (r"/tranches/([^/]+)/disburse", N_("Payment of tranche %(id)s"), "/staff/tranches"),
    (r"/tranches/([^/]+)/unfreeze", N_("Unfreezing of tranche %(id)s"), "/staff/tranches"),
    (r"/runs/([^/]+)/approve", N_("Approval of run %(id)s"), "/staff"),
    (r"/screening/hits/([^/]+)", N_("Decision on screening hit %(id)s"), "/staff/screening"),
    (r"/reviews/([^/]+)/\w+", N_("Review %(id)s"), "/staff/reviews"),
    (r"/conditions", N_("Recording a change of a condition"), "/staff/conditions"),
    (r"/results/([^/]+)/direction", N_("The direction of an indicator of %(id)s"), "/staff"),
    (r"/agreements", N_("Drawing up an agreement"), "/staff/agreements"),
    (r"/agreements/([^/]+)/sign", N_("Signing of agreement %(id)s"), "/staff/agreements"),
    (r"/agreements/([^/]+)/extend", N_("Extension of agreement %(id)s"), "/staff/agreements"),
    (r"/agreements/([^/]+)/amend", N_("Amendment of agreement %(id)s"), "/staff/agreements"),
    (r"/agreements/([^/]+)/complete", N_("Completion of agreement %(id)s"), "/staff/agreements"),
    (r"/agreements/([^/]+)/close", N_("Closure of agreement %(id)s"), "/staff/agreements"),
    (r"/agreements/([^/]+)/cancel", N_("Cancellation of agreement %(id)s"), "/staff/agreements"),
    (r"/agreements/([^/]+)/refund", N_("A refund under agreement %(id)s"), "/staff/agreements"),
    (r"/loans/([^/]+)/repay", N_("A repayment of the loan of %(id)s"), "/staff/loans"),
    (r"/loans/([^/]+)/call", N_("A call on the guarantee of %(id)s"), "/staff/loans"),
    (r"/donors/receipts/([^/]+)/reverse", N_("Reversal of receipt %(id)s"), "/staff/donors"),
    (r"/donors/([^/]+)/receipts", N_("Booking a receipt under %(id)s"), "/staff/donors"),
)
# The refusals said as data that ``staff/_refusals.html.j2`` words for the reader.
WORDED = frozenset({CONTRIBUTIONS_NEEDED, COMMITTEE_DECISION_NEEDED})
# The list each part of the workspace returns to when the request does not say.
LISTS = (
    "/staff/tranches",
    "/staff/screening",
    "/staff/reviews",
    "/staff/conditions",
    "/staff/agreements",
    "/staff/loans",
    "/staff/companies",
    "/staff/donors",
)


def staff_path(value: str | None, default: str) -> str:
    """``value`` if it is an address inside the workspace (path and query only), else
    ``default``: a form's "back" field must not send anyone off the site."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not re.fullmatch(r"/staff(/[\w./-]*)?", parts.path):
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def what_was_asked(request: Request) -> tuple[str, dict[str, str], str]:
    """The words (a message to translate, its values) for what the request asked, and
    the list it belongs to."""
    path = request.url.path
    for pattern, words, home in ACTIONS:
        found = re.fullmatch(f"/staff{pattern}", path)
        if found:
            return words, ({"id": found.group(1)} if found.groups() else {}), home
    home = next((p for p in LISTS if path.startswith(p)), "/staff")
    return N_("This request"), {}, home


def _came_from(request: Request, home: str) -> str:
    """The page the form was on (its Referer, when inside the workspace), else the list."""
    referer = request.headers.get("referer")
    if referer and urlsplit(referer).netloc not in ("", request.url.netloc):
        return home
    back = staff_path(referer and urlsplit(referer)._replace(scheme="", netloc="").geturl(), home)
    return home if back == request.url.path else back


def refusal_page(request: Request, error: PfundError) -> HTMLResponse:
    """The staff page for a refused staff request: what, why (each hold linked), back."""
    words, values, home = what_was_asked(request)
    holds = error.holds if isinstance(error, GateRefused) else []
    return render(
        request,
        "staff/refused.html.j2",
        status=error.status,
        error=error,
        asked=(words, values),
        holds=holds,
        worded=isinstance(error, Refusal) and error.code in WORDED,
        conditions=_conditions(request) if holds else {},
        organisations=_organisations(request, holds),
        moved_on=None if holds or isinstance(error, Refusal) else _moved_on(request),
        back=_came_from(request, home),
        home=home,
        can=_can(request),
        P=Permission,
    )


# The status a tranche must have for each step.
EXPECTED = {"release": "planned", "disburse": "released", "unfreeze": "frozen"}


def _moved_on(request: Request) -> tuple[str, str, str] | None:
    """For a step refused because the tranche is no longer where the step starts (paid
    already, released by someone else): its id, its status now and the status needed."""
    found = re.fullmatch(r"/staff/tranches/([^/]+)/(\w+)", request.url.path)
    if not found or found.group(2) not in EXPECTED:
        return None
    with request.app.state.runtime.uow() as uow:
        tranche = uow.tranches.get(found.group(1))
    expected = EXPECTED[found.group(2)]
    if tranche is None or tranche.status.value == expected:
        return None
    return tranche.id, tranche.status.value, expected


def _conditions(request: Request) -> dict[str, Condition]:
    rt = request.app.state.runtime
    with rt.uow() as uow:
        return {c.code: c for c in uow.conditions.list()}


def _organisations(request: Request, holds: list[Hold]) -> dict[str, str]:
    """The names of the counterparties whose vetting holds the money (names of
    organisations are public)."""
    wanted = [h.subject for h in holds if h.problem.field == "vetting"]
    if not wanted:
        return {}
    with request.app.state.runtime.uow() as uow:
        found = [uow.organisations.get(o) for o in wanted]
    return {o.id: o.name for o in found if o is not None}


def _can(request: Request) -> object:
    principal = getattr(request.state, "principal", None)
    return principal.can if principal is not None else (lambda _permission: False)
