"""One error shape for every failure, mapped from the error hierarchy in one place.

Every error answers ``{"error": {"status", "message", "problems": [...]}}``. Validation
errors keep their field paths but never echo the submitted values back: a value sent in
a protected field must not come back in an error message (or a log line).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pfund.errors import PfundError, Problem
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
    return JSONResponse(error_body(exc.status, exc.message, exc.problems), status_code=exc.status)


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


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # The type only: an exception's text may quote stored (even protected) values.
    log.error("internal error: %s", type(exc).__name__)
    return JSONResponse(error_body(500, "internal error"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Replayed, _replayed)
    app.add_exception_handler(PfundError, _pfund_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
