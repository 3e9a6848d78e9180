"""Protections at the edge: body size limit, security headers, and a rate limiter.

The rate limiter keys on a salted hash of the client address, kept in memory only and
re-salted every hour, so it can slow abuse of the public form without keeping any trace
of who sent what (nothing here is stored or logged).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections import defaultdict
from threading import Lock

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pfund.api.errors import error_body

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
]


class BodyLimit:
    """Refuse a request whose body is larger than ``limit`` bytes with a 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(error_body(413, f"the request is larger than {limit} bytes")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class RateLimiter:
    """At most ``per_hour`` events per client and hour, counted under an hourly salt."""

    def __init__(self, per_hour: int) -> None:
        self.per_hour = per_hour
        self._lock = Lock()
        self._hour = -1
        self._salt = b""
        self._counts: dict[str, int] = defaultdict(int)

    def allow(self, client: str) -> bool:
        hour = int(time.time() // 3600)
        with self._lock:
            if hour != self._hour:
                self._hour, self._salt = hour, secrets.token_bytes(16)
                self._counts.clear()
            key = hashlib.blake2b(client.encode(), key=self._salt, digest_size=16).hexdigest()
            if self._counts[key] >= self.per_hour:
                return False
            self._counts[key] += 1
            return True
