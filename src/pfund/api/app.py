"""The web service: ``create_app(settings)`` builds the API and the pages on one store.

Nothing is created at import time, so tests (and ``pfund serve``) hand in their own
settings, and can hand in an open runtime too.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.sessions import SessionMiddleware

from pfund import __version__
from pfund.api import apidocs, errors
from pfund.api.limits import BodyLimit, SecurityHeaders
from pfund.api.logs import install_filters
from pfund.api.observe import Metrics, Observe
from pfund.api.observe import router as observe_router
from pfund.api.routes import (
    accounts,
    agreements,
    committee,
    companies,
    decisions,
    donors,
    grievances,
    instruments,
    jobs,
    licences,
    money,
    opendata,
    projects,
    proposals,
    rates,
    results,
    reviews,
    scorecard,
    screening,
)
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings

API_PREFIX = "/api/v1"
SESSION_COOKIE = "pfund_session"


API_ROUTERS = tuple(
    m.router
    for m in (
        projects,
        decisions,
        money,
        reviews,
        screening,
        accounts,
        opendata,
        proposals,
        results,
        jobs,
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


@functools.cache
def api_router() -> APIRouter:
    """Every API route under ``API_PREFIX``: built once per process and shared by every
    app made in it (the module routers are shared already). FastAPI analyses each route
    of a router it has not seen before (dependencies, parameter models): about 0.35 s of
    CPU for each app made, which the tests, making an app for almost every test, would
    otherwise pay hundreds of times. A ``pfund serve`` worker makes one app either way."""
    router = APIRouter(prefix=API_PREFIX)
    for module_router in API_ROUTERS:
        router.include_router(module_router)
    return router


def settle() -> None:
    """Load what the first requests would, then freeze the heap before serving.

    pfund imports large libraries (solvers, matplotlib, followthemoney), so a full
    garbage collection of that heap paused a worker for 100-200 ms every few thousand
    requests, which was the whole p99 latency of the public pages. Frozen objects are
    skipped by the collector; only what requests allocate is collected from then on.
    """
    from pfund.web.i18n import LANGUAGES, translations
    from pfund.web.map import region_map
    from pfund.web.render import environment

    for language in LANGUAGES:
        translations(language)
    for name in environment().list_templates():
        environment().get_template(name)
    region_map([])
    gc.collect()
    gc.freeze()


def serve_app() -> FastAPI:
    """The app a ``pfund serve`` worker runs: settings from the environment, heap settled.

    A worker that cannot start says why in the log, in words that name no stored value
    or password (uvicorn would print the exception's type alone), before it exits.
    """
    try:
        app = create_app(Settings())
    except Exception as err:
        logging.getLogger("pfund.serve").error(
            "worker %d could not start: %s", os.getpid(), startup_cause(err)
        )
        # uvicorn's start-up failure code: the supervisor stops rather than restarting a
        # worker that would fail the same way (and no traceback reaches standard error).
        raise SystemExit(3) from None
    app.state.serving = True
    return app


def startup_cause(err: Exception) -> str:
    """Why a worker could not start, safe for the log: a pfund error's own message (they
    name files, settings and commands, never stored values), a database that does not
    answer, or the exception's type."""
    from sqlalchemy.exc import OperationalError

    from pfund.errors import PfundError

    if isinstance(err, PfundError):
        return err.message
    if isinstance(err, OperationalError):
        return f"the database does not answer ({type(err.orig).__name__})"
    return f"{type(err).__name__} (details withheld from the log)"


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The whole service; ``runtime`` lets a caller share an open store (tests do)."""
    settings = settings or Settings()
    owned = runtime is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "serving", False):
            settle()
        app.state.jobs.kick()  # jobs left queued, or held by a process that died
        yield
        app.state.jobs.shutdown()  # the job running in this worker ends first
        if owned:
            app.state.runtime.close()

    app = FastAPI(
        title="pfund",
        version=__version__,
        description="Run a Partnership Fund: plan, appraise, select, gate and publish.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # FastAPI's pages load their scripts from a CDN: see apidocs
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime or open_runtime(settings)
    errors.install(app)
    install_filters()
    app.state.metrics = Metrics()
    app.include_router(observe_router)
    apidocs.install(app)
    app.include_router(api_router())
    from pfund.web import install as install_web  # the pages sit on top of the API layer

    install_web(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.runtime.keys.secret_key,
        session_cookie=SESSION_COOKIE,
        same_site="lax",
        https_only=settings.environment == "production",
        max_age=settings.session_hours * 3600,  # the server-side session ends it too
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodyLimit, limit=settings.max_upload_bytes, import_limit=settings.max_import_bytes
    )
    app.add_middleware(errors.CatchAll)  # nothing unexpected reaches the server
    # Outermost: the request id is set before anything logs, and 500s are counted too.
    app.add_middleware(Observe, metrics=app.state.metrics, log_requests=settings.access_log)
    return app
