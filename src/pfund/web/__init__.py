"""The pages: the public portal (English and Russian) and the staff workspace.

Server-rendered with Jinja; readable without JavaScript; every asset served from here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from pfund.api.errors import error_body
from pfund.errors import PfundError
from pfund.web import (
    agreements,
    auth,
    committee,
    companies,
    donors,
    grievances,
    instruments,
    licences,
    password,
    proposals,
    public,
    rates,
    results,
    scorecard,
    staff,
    staff_jobs,
    staff_proposals,
    verification,
)
from pfund.web.jobs import LocalJobs
from pfund.web.refusals import refusal_page
from pfund.web.render import render

PAGE_ROUTERS = tuple(
    m.router
    for m in (
        public,
        proposals,
        results,
        auth,
        staff,
        staff_jobs,
        staff_proposals,
        password,
        verification,
        scorecard,
        grievances,
        committee,
        licences,
        rates,
        agreements,
        companies,
        donors,
        instruments,
    )
)


def install(app: FastAPI) -> None:
    static = Path(str(files("pfund.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.state.jobs = LocalJobs(app.state.runtime, app.state.settings)
    app.add_exception_handler(staff.SignInRequired, staff.redirect_to_signin)
    previous = app.exception_handlers[PfundError]

    async def pages_or_json(request: Request, exc: Exception) -> Response:
        """Pages get an HTML error page; the API keeps its JSON error shape."""
        if request.url.path.startswith("/api/") or not isinstance(exc, PfundError):
            result = previous(request, exc)
            return await result if hasattr(result, "__await__") else result
        if request.url.path.startswith("/staff"):
            return refusal_page(request, exc)
        return render(
            request,
            "error.html.j2",
            status=exc.status,
            error=exc,
            body=error_body(exc.status, exc.message, exc.problems),
        )

    app.add_exception_handler(PfundError, pages_or_json)
