"""One error shape for every failure, mapped from the error hierarchy in one place.

Every error answers ``{"error": {"status", "message", "problems": [...]}}``. Validation
errors keep their field paths but never echo the submitted values back: a value sent in
a protected field must not come back in an error message (or a log line).

What the database refuses is the request's fault, not the server's: a broken constraint
is a 409, a value the column cannot hold a 400, neither quoting the value. Anything else
unexpected is a 500 that says only its request id; the log line names the exception's
type, the route and the same id, never the exception's text or its traceback, which may
quote stored (even protected) values. :class:`CatchAll` answers it before Starlette's
outermost middleware would re-raise it to the server, whose log would print the traceback.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pfund.api.refusals import api_error
from pfund.errors import PfundError, Problem, store_refusal
from pfund.services.writes import Replayed

log = logging.getLogger("pfund.api")


def error_body(status: int, message: str, problems: list[Problem] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "message": message,
            "problems": [p.as_dict() for p in problems or []],
        }
    }


def _pfund_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PfundError)
    return JSONResponse({"error": api_error(exc)}, status_code=exc.status)


def _replayed(_: Request, exc: Exception) -> Response:
    """A retried money write: the first answer, byte for byte; nothing moved again."""
    assert isinstance(exc, Replayed)
    return Response(
        exc.body,
        status_code=exc.status,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        Problem(str(e.get("msg", "invalid")), field=".".join(str(p) for p in e.get("loc", ())))
        for e in exc.errors()
    ]
    return JSONResponse(error_body(422, "the request is not valid", problems), status_code=422)


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    return JSONResponse(
        error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code, headers=headers
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The last resort, should anything escape :class:`CatchAll` (it should not)."""
    return JSONResponse(_logged(request.scope, exc), status_code=500)


def _logged(scope: Scope, exc: BaseException) -> dict[str, Any]:
    """Log an unexpected error by type, route and request id only; the 500's body."""
    request_id = request_id_of(scope)
    log.error(
        "internal error %s on %s %s (request %s)",
        type(exc).__name__,
        scope.get("method", ""),
        route_of(scope),
        request_id,
    )
    return error_body(500, f"internal error (request {request_id})")


def request_id_of(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = uuid.uuid4().hex[:16]
    return str(state["request_id"])


def route_of(scope: Scope) -> str:
    """The route's template (``/projects/{project_id}``), not the path asked for, so the
    log names the endpoint without the values in its path or query."""
    # FastAPI keeps an included router's full template in its own part of the scope.
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    for route in (effective, scope.get("route")):
        template = getattr(route, "path_format", None)
        if template:
            return str(template)
    return "(no route)"


async def _store_error(request: Request, exc: Exception) -> Any:
    """Answered as the PfundError it stands for, by whichever handler the app has for
    those (the pages install one that renders the HTML error page)."""
    handler = request.app.exception_handlers[PfundError]
    result = handler(request, store_refusal(exc))
    return await result if hasattr(result, "__await__") else result


class CatchAll:
    """Answer any exception the app did not handle with a 500 (JSON for the API, the
    error page for pages) carrying a request id, and log it without its text; every
    response carries the id in ``X-Request-ID``, so a user can quote it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started = False

        async def tagged(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        except Exception as exc:
            body = _logged(scope, exc)
            if started:
                return  # the answer is half sent; the server closes the connection
            response = _error_page(scope, body) or JSONResponse(body, status_code=500)
            await response(scope, receive, tagged)


def _error_page(scope: Scope, body: dict[str, Any]) -> Any:
    """The HTML error page for a page's 500, in the reader's language; None for the API
    (or should the page itself fail to render)."""
    if str(scope.get("path", "")).startswith("/api/"):
        return None
    try:
        from pfund.web.render import render

        error = PfundError(body["error"]["message"], status=500)
        return render(Request(scope), "error.html.j2", status=500, error=error, body=body)
    except Exception:
        return None


def install(app: FastAPI) -> None:
    app.add_exception_handler(Replayed, _replayed)
    app.add_exception_handler(PfundError, _pfund_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _store_error)
    app.add_exception_handler(DataError, _store_error)
    app.add_exception_handler(Exception, _unexpected)
