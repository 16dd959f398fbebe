"""httpx transports that hand each request to an ASGI app in this process, no sockets.

The blocking one runs the app on an event loop it owns, in the calling thread, so no request
pays for a thread switch; the async one runs it on the caller's loop. Both call the app the
same way (`call_app`). Starlette's `TestClient` does this through a deprecated route; httpx's
own ASGI transport is async only and probes for trio on every request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import unquote

import httpx

_T = TypeVar("_T")
#: The peer address the app sees.
CLIENT = ("127.0.0.1", 50000)


async def call_app(app: Any, request: httpx.Request, body: bytes) -> httpx.Response:
    """One HTTP exchange with `app`; an exception the app raises reaches the caller, as a cut
    connection would (the simulator's injected drops are httpx transport errors)."""
    url = request.url
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(name.lower(), value) for name, value in request.headers.raw],
        "scheme": url.scheme,
        "path": unquote(url.path),
        "raw_path": url.raw_path.split(b"?", 1)[0],
        "query_string": url.query,
        "root_path": "",
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
        "client": CLIENT,
    }
    answered = asyncio.Event()
    body_sent = False
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    try:
        await app(scope, receive, send)
    finally:
        answered.set()
    return httpx.Response(
        start.get("status", 500),
        headers=start.get("headers", []),
        content=b"".join(chunks),
        request=request,
    )


class AppLoop:
    """Runs coroutines to completion from synchronous code."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._loop.run_until_complete(coroutine)
        # Blocking code called from a coroutine: this thread's loop is busy running it.
        with concurrent.futures.ThreadPoolExecutor(1) as worker:
            return worker.submit(asyncio.run, coroutine).result()

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()


class SyncASGITransport(httpx.BaseTransport):
    """`httpx.Client(transport=SyncASGITransport(app, loop))`: every request goes to `app`."""

    def __init__(self, app: Any, loop: AppLoop) -> None:
        self._app = app
        self._loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._loop.run(call_app(self._app, request, request.read()))


class AsyncASGITransport(httpx.AsyncBaseTransport):
    """`httpx.AsyncClient(transport=AsyncASGITransport(app))`, on the caller's loop."""

    def __init__(self, app: Any) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await call_app(self._app, request, await request.aread())
