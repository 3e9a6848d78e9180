"""The public proposal form: works without JavaScript, in both languages, rate-limited.

The limit counts per network address in the database (``pfund.services.throttle``), so
it holds across worker processes, under a keyed hash of the address that names nobody;
a proposal over the limit is refused before anything is stored. Errors name fields and
reasons and never repeat what was typed into them.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pfund.api.deps import RuntimeDep, SettingsDep, principal
from pfund.api.limits import client_address
from pfund.errors import PfundError
from pfund.services import proposals
from pfund.services.portal import by_area
from pfund.services.throttle import TooManyAttempts, count_proposal
from pfund.web.forms import check_csrf, field_errors
from pfund.web.labels import N_
from pfund.web.render import render

# The principal dependency runs first, so the page header knows who is signed in.
router = APIRouter(include_in_schema=False, dependencies=[Depends(principal)])
FIELDS = (
    "title",
    "title_ru",
    "description",
    "area",
    "first_year",
    "years",
    "cost_low",
    "cost_likely",
    "cost_high",
    "people_reached",
    "organisation",
    "contact_name",
    "contact_email",
)


@router.get("/propose", response_class=HTMLResponse)
def form(request: Request, rt: RuntimeDep) -> HTMLResponse:
    return render(request, "propose.html.j2", areas=by_area(rt), errors={}, values={})


@router.post("/propose", response_class=HTMLResponse)
async def send(request: Request, rt: RuntimeDep, settings: SettingsDep) -> HTMLResponse:
    data = await request.form()
    check_csrf(request, str(data.get("csrf_token", "")))
    values: dict[str, object] = {k: str(data.get(k, "")).strip() for k in FIELDS}
    values["regions"] = [
        r.strip().upper() for r in str(data.get("regions", "")).split(",") if r.strip()
    ]
    if not values["people_reached"]:
        values["people_reached"] = None
    try:
        count_proposal(rt, client_address(request), settings.proposals_per_hour)
    except TooManyAttempts as err:
        errors = {"": N_("too many proposals from this network in the last hour; try later")}
        page = render(
            request,
            "propose.html.j2",
            status=429,
            areas=by_area(rt),
            errors=errors,
            values=_shown(values),
        )
        page.headers["retry-after"] = str(err.retry_after)
        return page
    try:
        result = proposals.submit(rt, proposals.parse_form(values))
    except PfundError as err:
        return render(
            request,
            "propose.html.j2",
            status=400,
            areas=by_area(rt),
            errors=field_errors(err),
            values=_shown(values),
        )
    return render(request, "proposed.html.j2", result=result)


def _shown(values: dict[str, object]) -> dict[str, object]:
    """Refill the form for its sender, except the contact fields."""
    hidden = {"contact_name", "contact_email", "organisation"}
    shown = {k: v for k, v in values.items() if k not in hidden}
    shown["regions"] = ", ".join(values.get("regions") or [])  # type: ignore[arg-type]
    return shown
