"""What every form shares: the CSRF check and turning errors into messages by field."""

from __future__ import annotations

import secrets

from fastapi import Request

from pfund.api.deps import SESSION_CSRF
from pfund.errors import Forbidden, PfundError


def check_csrf(request: Request, given: str) -> None:
    """The form's token must be the session's; a page without a session cannot post."""
    expected = request.session.get(SESSION_CSRF, "")
    if not expected or not secrets.compare_digest(str(expected), given or ""):
        raise Forbidden("the form has expired; reload the page and send it again")


def field_errors(err: PfundError) -> dict[str, str]:
    """Problems keyed by the form field they concern ('' for the form as a whole)."""
    found: dict[str, str] = {}
    for p in err.problems:
        key = (p.field or "").split(".")[0]
        found.setdefault(key, p.reason)
    if not err.problems:
        found[""] = err.message
    return found
