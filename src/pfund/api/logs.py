"""How ``pfund serve`` logs: one JSON object a line, with the request's id, minus
what could name a person.

Every record made while a request is handled carries that request's id (the caller's
``X-Request-ID`` when it is a plain token, else a new one; see
:mod:`pfund.api.observe`), so the lines of one request can be found together and
matched with what the user quotes from the error page.

An exception's text and traceback may quote stored values (a refused row, a name in a
message), and a query string may carry what a reader searched for. So every record
that carries an exception keeps only the exception's type, and the access log (off by
default) prints paths without their query strings. The app's own handler
(:class:`pfund.api.errors.CatchAll`) already logs unexpected errors this way; these
filters make sure that whatever else reaches uvicorn's logs does too.
"""

from __future__ import annotations

import copy
import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from uvicorn.config import LOGGING_CONFIG

# The id of the request this task is handling ("" outside a request).
REQUEST_ID: ContextVar[str] = ContextVar("pfund_request_id", default="")


def _with_request_id(factory: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    make.pfund_request_id = True  # type: ignore[attr-defined]
    return make


def install_request_ids() -> None:
    """Stamp every log record with the current request's id (once per process)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "pfund_request_id", False):
        logging.setLogRecordFactory(_with_request_id(factory))


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and the fields
    a caller passed in ``extra={"fields": {...}}`` (never a stored value)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", ""):
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and record.exc_info[0] is not None:  # should the filter be off
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False, default=str)


class WithholdTracebacks(logging.Filter):
    """Replace a record's exception (text and traceback) by the exception's type."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            name = record.exc_info[0].__name__
            record.msg = f"{name} (details withheld from the log; see the request id)"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class WithoutQuery(logging.Filter):
    """Drop the query string from uvicorn's access lines (client, method, path, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the two filters on its handlers, writing
    JSON lines; uvicorn's own messages (a worker that died, one that failed to start)
    are kept at INFO, so a restart is never silent."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"] = {"json": {"()": f"{__name__}.JsonLines"}}
    config["handlers"]["default"]["formatter"] = "json"
    config["handlers"]["access"]["formatter"] = "json"
    config["loggers"]["uvicorn.error"] = {"level": "INFO"}
    config["filters"] = {
        "withhold": {"()": f"{__name__}.WithholdTracebacks"},
        "no_query": {"()": f"{__name__}.WithoutQuery"},
    }
    config["handlers"]["default"]["filters"] = ["withhold"]
    config["handlers"]["access"]["filters"] = ["no_query", "withhold"]
    # pfund's own loggers print through the same filtered handler.
    config["loggers"]["pfund"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def install_filters() -> None:
    """The same filters on loggers already configured (tests, an embedding server), and
    request ids on every record."""
    install_request_ids()
    for name in ("uvicorn.error", "uvicorn.access", "uvicorn", "pfund"):
        logger = logging.getLogger(name)
        for existing in logger.filters:
            if isinstance(existing, WithholdTracebacks):
                break
        else:
            logger.addFilter(WithholdTracebacks())
