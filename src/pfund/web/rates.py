"""Exchange rates in the staff workspace (``/staff/rates``): the stored rates with what
each gives in the fund's currency, the fund's policy on a rate's age, and the projects
budgeted in another currency with their conversion stated."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pfund.api.deps import RuntimeDep, acting
from pfund.services import gate as money_gate
from pfund.services.rates_view import RateLine, rates_overview
from pfund.web.paging import paginate_stored
from pfund.web.render import render
from pfund.web.staff import StaffDep

router = APIRouter(include_in_schema=False)
STAFF = "/staff/rates"


@router.get(STAFF, response_class=HTMLResponse)
def staff_rates(request: Request, rt: RuntimeDep, who: StaffDep) -> HTMLResponse:
    """The rates a page at a time, newest day first; the projects in other currencies
    converted for today as the appraisal converts them."""
    runtime = acting(rt, who)
    today = money_gate.today()
    found: dict[str, object] = {}

    def fetch(offset: int, limit: int) -> tuple[int, list[RateLine]]:
        overview = rates_overview(runtime, day=today, offset=offset, limit=limit)
        found["overview"] = overview
        return overview.total, overview.lines

    page = paginate_stored(fetch, dict(request.query_params), STAFF)
    return render(
        request,
        "staff/rates.html.j2",
        page=page,
        overview=found["overview"],
        places=places,
        staff=True,
    )


def places(value: Decimal) -> int:
    """The decimal places ``value`` has, so a rate is shown with every digit published."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
