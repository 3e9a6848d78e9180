"""The web service: ``create_app(settings)`` builds the API and the pages on one store.

Nothing is created at import time, so tests (and ``pfund serve``) hand in their own
settings, and can hand in an open runtime too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.sessions import SessionMiddleware

from pfund import __version__
from pfund.api import errors
from pfund.api.limits import BodyLimit, RateLimiter, SecurityHeaders
from pfund.api.routes import (
    accounts,
    decisions,
    money,
    opendata,
    projects,
    reviews,
    screening,
)
from pfund.services.runtime import Runtime, open_runtime
from pfund.settings import Settings

API_PREFIX = "/api/v1"
SESSION_COOKIE = "pfund_session"


API_ROUTERS = tuple(
    m.router for m in (projects, decisions, money, reviews, screening, accounts, opendata)
)


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module_router in API_ROUTERS:
        router.include_router(module_router)
    return router


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The whole service; ``runtime`` lets a caller share an open store (tests do)."""
    settings = settings or Settings()
    owned = runtime is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            app.state.runtime.close()

    app = FastAPI(
        title="pfund",
        version=__version__,
        description="Run a Partnership Fund: plan, appraise, select, gate and publish.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # the Swagger page loads its scripts from a CDN; pages stay local
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime or open_runtime(settings)
    app.state.proposal_limiter = RateLimiter(settings.proposals_per_hour)
    errors.install(app)
    app.include_router(api_router())
    from pfund.web import install as install_web  # the pages sit on top of the API layer

    install_web(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        same_site="lax",
        https_only=settings.environment == "production",
        max_age=8 * 3600,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    return app
