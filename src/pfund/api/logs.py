"""How ``pfund serve`` logs: uvicorn's own format, minus what could name a person.

An exception's text and traceback may quote stored values (a refused row, a name in a
message), and a query string may carry what a reader searched for. So every record
that carries an exception keeps only the exception's type, and the access log (off by
default) prints paths without their query strings. The app's own handler
(:class:`pfund.api.errors.CatchAll`) already logs unexpected errors this way; these
filters make sure that whatever else reaches uvicorn's logs does too.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


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
    """uvicorn's logging configuration with the two filters on its handlers."""
    config = copy.deepcopy(LOGGING_CONFIG)
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
    """The same filters on loggers already configured (tests, an embedding server)."""
    for name in ("uvicorn.error", "uvicorn.access", "uvicorn", "pfund"):
        logger = logging.getLogger(name)
        for existing in logger.filters:
            if isinstance(existing, WithholdTracebacks):
                break
        else:
            logger.addFilter(WithholdTracebacks())
