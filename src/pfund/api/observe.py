"""Watching the service: request ids, ``/healthz``, ``/readyz`` and ``/metrics``.

- ``/healthz`` says the process answers; it touches no database, so a slow database
  does not get live workers restarted.
- ``/readyz`` says whether this worker should be sent traffic: the database answers,
  its schema is current, the keys file is the one the service started with
  (:func:`pfund.services.operations.readiness`), and under ``pfund serve --workers N``
  every worker listens. 503 with what failed when not.
- ``/metrics`` is Prometheus's text format: requests and their latency by route
  template (never the path asked for, which holds ids and tokens), and gauges the
  services count from the database at scrape time (open screening hits, held tranches).
  It answers only addresses in ``PFUND_METRICS_NETWORKS`` (this machine by default)
  and refuses anything forwarded by a proxy it does not trust; anyone else gets a 404.

With ``pfund serve --workers N`` each worker is a process of its own: request counts
are written to ``PROMETHEUS_MULTIPROC_DIR`` (which ``pfund serve`` sets) and a scrape,
whichever worker answers it, adds up every worker's files (prometheus-client's
multiprocess mode). The database gauges need no such care: every worker counts the
same database.

The job queue is counted from the store too: jobs by state, how long the oldest queued
job has waited, and the count and seconds of the jobs that ended in the last hour by
kind (a summary: divide the two for the mean). ``pfund audit verify`` records each run
(:mod:`pfund.services.audit_checks`): the age of the last one, and whether it found the
chain intact, are gauges an alert can watch (no verification yet: no age is exported).
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pfund.api.errors import route_of
from pfund.api.limits import _networks, _within, client_address
from pfund.api.logs import REQUEST_ID
from pfund.services import audit_checks, jobs, operations
from pfund.services.runtime import Runtime

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Where ``pfund serve --workers N``'s supervisor writes how many workers listen.
WORKERS_STATE_VARIABLE = "PFUND_WORKERS_STATE"
# A caller's X-Request-ID is kept only when it is a plain token (no spaces, no markup).
GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

access = logging.getLogger("pfund.access")
router = APIRouter(include_in_schema=False)


class Metrics:
    """The request counters of one app, on a registry of their own (tests build many
    apps in one process; in multiprocess mode the files are what a scrape reads)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "pfund_http_requests",
            "Requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pfund_http_request_duration_seconds",
            "Time to answer a request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )


class Observe:
    """Outermost middleware: give the request its id (in the scope, where the error
    handler and ``X-Request-ID`` take it from, and in every log record), then count and
    time it by its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, log_requests: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method, route = str(scope.get("method", "")), route_of(scope)
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        if self.log_requests:
            fields = {"method": method, "route": route, "status": status}
            fields["ms"] = round(seconds * 1000, 1)
            access.info("%s %s %s", method, route, status, extra={"fields": fields})


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = bytes(value).decode("latin-1")
            if GOOD_REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex[:16]


class DatabaseGauges(Collector):
    """The figures an alert watches, counted by the services when Prometheus asks."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("pfund_database_up", "Whether the database answered the scrape.")
        try:
            figures = self._figures()
        except SQLAlchemyError:  # the request counts are still worth a scrape
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *figures]

    def _figures(self) -> list[Metric]:
        hits = GaugeMetricFamily(
            "pfund_screening_hits_open", "Screening hits nobody has decided yet."
        )
        hits.add_metric([], operations.open_hits(self.rt))
        held = GaugeMetricFamily(
            "pfund_tranches_held",
            "Tranches whose next step the gate holds today, by step.",
            labels=["step"],
        )
        counts = operations.held_tranches(self.rt)
        for step in ("release", "disburse", "unfreeze"):
            held.add_metric([step], counts.get(step, 0))
        return [hits, held, *job_figures(self.rt), *verification_figures(self.rt)]

    def describe(self) -> Iterable[Metric]:
        return []  # nothing is counted when the collector is registered


def job_figures(rt: Runtime) -> list[Metric]:
    """The queue: jobs by state, the oldest wait, recent durations by kind."""
    figures = jobs.queue_figures(rt)
    states = GaugeMetricFamily("pfund_jobs", "Jobs in the store, by state.", labels=["state"])
    for state, count in figures.states.items():
        states.add_metric([state], count)
    waited = GaugeMetricFamily(
        "pfund_jobs_oldest_queued_seconds", "How long the oldest queued job has waited."
    )
    waited.add_metric([], figures.oldest_queued_seconds)
    ended = SummaryMetricFamily(
        "pfund_job_duration_seconds",
        "Run time of the jobs that ended in the last hour, by kind.",
        labels=["kind"],
    )
    for kind, (count, total) in sorted(figures.ended.items()):
        ended.add_metric([kind], count_value=count, sum_value=total)
    return [states, waited, ended]


def verification_figures(rt: Runtime) -> list[Metric]:
    """How long ago ``pfund audit verify`` last ran, and whether it found the chain intact."""
    last = audit_checks.last_verification(rt)
    if last is None:
        return []
    age = GaugeMetricFamily(
        "pfund_audit_chain_verified_age_seconds",
        "Seconds since pfund audit verify last ran on this store.",
    )
    age.add_metric([], max((datetime.now(UTC) - last.at).total_seconds(), 0.0))
    intact = GaugeMetricFamily(
        "pfund_audit_chain_intact", "Whether the last pfund audit verify found the chain intact."
    )
    intact.add_metric([], 1 if last.intact else 0)
    return [age, intact]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Alive: this process answers (the database is not asked)."""
    return {"status": "alive"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready for traffic, or 503 with each check that failed and why."""
    settings = request.app.state.settings
    state = os.environ.get(WORKERS_STATE_VARIABLE)
    checks = operations.readiness(
        request.app.state.runtime, settings.keys_file, Path(state) if state else None
    )
    ready = all(c.ok for c in checks)
    body = {"status": "ready" if ready else "not ready", "checks": [c.as_dict() for c in checks]}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus's text format, for this machine (or the networks the settings name)."""
    if not may_scrape(request):
        return PlainTextResponse("Not Found", status_code=404)
    registry = CollectorRegistry(auto_describe=True)
    if os.environ.get(MULTIPROC_VARIABLE):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # every worker's
    else:
        registry = request.app.state.metrics.registry
    scrape = CollectorRegistry()
    scrape.register(_Both(registry, DatabaseGauges(request.app.state.runtime)))
    return Response(generate_latest(scrape), media_type=CONTENT_TYPE_LATEST)


class _Both(Collector):
    """One registry's metrics followed by the database gauges, for one scrape."""

    def __init__(self, registry: CollectorRegistry, gauges: DatabaseGauges) -> None:
        self.registry, self.gauges = registry, gauges

    def collect(self) -> Iterable[Metric]:
        yield from self.registry.collect()
        yield from self.gauges.collect()

    def describe(self) -> Iterable[Metric]:
        return []


def may_scrape(request: Request) -> bool:
    """Whether this request may read the metrics: its address (as the rate limits judge
    it) is in ``PFUND_METRICS_NETWORKS``, and it was not forwarded by an untrusted proxy
    (which would make every visitor look like this machine)."""
    settings = request.app.state.settings
    address = client_address(request)
    peer = request.client.host if request.client else ""
    if "x-forwarded-for" in request.headers and address == peer:
        return False
    return _within(address, _networks(tuple(settings.metrics_networks)))
