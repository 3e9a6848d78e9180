"""What every form shares: the CSRF check and turning errors into messages by field."""

from __future__ import annotations

import hashlib
import secrets

from fastapi import Request

from pfund.api.deps import SESSION_CSRF
from pfund.errors import Forbidden, PfundError
from pfund.services.runtime import Idempotency


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


def new_form_key() -> str:
    """A fresh key for one rendering of a money form (its hidden ``idempotency_key``)."""
    return secrets.token_urlsafe(16)


def form_key(request: Request, key: str, asked: str) -> Idempotency | None:
    """The form's key as the API's Idempotency-Key: a double click sends the same key
    with the same request, and the money moves once (``services.writes``). ``asked``
    is what the form asks (its fields), so the key cannot be reused for another request."""
    if not key:
        return None
    line = f"POST\n{request.url.path}\n{asked}"
    fingerprint = hashlib.sha256(line.encode("utf-8")).hexdigest()
    return Idempotency(
        key=f"form:{key}", method="POST", path=request.url.path, fingerprint=fingerprint
    )
