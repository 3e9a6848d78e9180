"""Protections at the edge: body size limit, security headers, and the client address.

The rate limits themselves (sign-in back-off, proposals per hour) live in the database
(``pfund.services.throttle``) so that they hold across worker processes; this module
decides, in one place, which network address a request counts against.
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache

from starlette.requests import Request
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


# Where a file is imported by a job: the body may be as large as an import may be.
IMPORT_PATHS = ("/api/v1/jobs/imports/", "/staff/import")


class BodyLimit:
    """Refuse a request whose body is larger than ``limit`` bytes with a 413 (imports
    queued as jobs may be up to ``import_limit``)."""

    def __init__(self, app: ASGIApp, limit: int, import_limit: int | None = None) -> None:
        self.app = app
        self.default = limit
        self.import_limit = max(limit, import_limit or limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.import_limit if path.startswith(IMPORT_PATHS) else self.default
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send, limit)


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


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _within(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_address(request: Request) -> str:
    """The address a request counts against for every rate limit.

    The connection's peer, unless the peer is one of ``PFUND_TRUSTED_PROXIES``: then
    ``X-Forwarded-For`` is read from the right (the entry the nearest proxy appended),
    skipping trusted proxies, and the first other address is the client. Anyone can
    write the header, so from an untrusted peer it is ignored; ``pfund serve`` turns
    uvicorn's own proxy-header handling off so that this function alone decides.
    """
    peer = request.client.host if request.client else ""
    proxies = _networks(tuple(request.app.state.settings.trusted_proxies))
    if not proxies or not _within(peer, proxies):
        return peer or "unknown"
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _is_address(hop):
            return peer  # a garbled chain: count it against the proxy, not a made-up name
        if not _within(hop, proxies):
            return hop
    return hops[0] if hops else peer
