"""Clients that send requests to the app directly, through httpx's ASGI transport.

Starlette's ``TestClient`` runs the app in a thread of its own and hands every request
over to it and every answer back (a blocking portal); a client used outside a ``with``
block starts a new thread and event loop for each request. For a test that sends
thousands of requests that hop is most of its CPU time. These clients send each request
to the same app (the same middleware, routes and errors) from one event loop in the
test's own thread, with the test client's defaults: its peer (``testclient:50000``,
which the rate limits count against), base URL, user agent, redirects followed unless a
call says otherwise, and a 500 answer, not an exception, when the app fails. The app's
lifespan is not run here: keep a ``TestClient`` open on the app around their use (as the
crawl does) when a test needs the start-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import FastAPI

PEER = ("testclient", 50000)
BASE_URL = "http://testserver"


class InProcessClient:
    """A synchronous client over one event loop (shared by the clients of one `loop`)."""

    def __init__(self, app: FastAPI, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self._loop = loop
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=PEER)
        self._client = httpx.AsyncClient(
            transport=transport,
            base_url=BASE_URL,
            headers={"user-agent": "testclient"},
            follow_redirects=True,
        )

    @property
    def cookies(self) -> httpx.Cookies:
        return self._client.cookies

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._loop.run_until_complete(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())


@contextmanager
def in_process(app: FastAPI) -> Iterator[Callable[[], InProcessClient]]:
    """``make()`` gives a new client of ``app``; all of them share one event loop, closed
    (with the clients) at the end of the block."""
    loop = asyncio.new_event_loop()
    made: list[InProcessClient] = []

    def make() -> InProcessClient:
        made.append(InProcessClient(app, loop))
        return made[-1]

    try:
        yield make
    finally:
        for client in made:
            client.close()
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
