"""The HTTP protocol `sellerpic-mock serve` runs: uvicorn's httptools protocol, with each
response's head and body handed to the socket in one write.

Uvicorn writes the head when the app sends `http.response.start` and the body when it sends
`http.response.body`: two `send` system calls and, with TCP_NODELAY, two TCP segments per
answer, each waking the client. Holding the head until the body follows makes it one of each.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

#: Writes at least this large are not copied to join them with a held write: a file download's
#: chunks go out as they come.
JOIN_LIMIT = 64 * 1024


class CoalescingTransport:
    """A transport that holds one write until the next one, or until the loop's next turn, and
    then writes both in one call. Everything else goes to the real transport."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is None:
            self._held = bytes(data)
            # A head with nothing after it (HEAD, an empty body) still goes out this turn.
            self._loop.call_soon(self.flush)
        elif len(data) >= JOIN_LIMIT:
            self._held = None
            self._transport.write(held)
            self._transport.write(data)
        else:
            self._held = None
            self._transport.write(held + data)

    def flush(self) -> None:
        held, self._held = self._held, None
        # Once the peer is gone the bytes have nowhere to go; the real transport would only
        # log a warning about them.
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _coalescing_protocol_class() -> type[asyncio.Protocol] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools missing: uvicorn falls back to h11
        return None

    class CoalescingHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # uvloop's transports are not asyncio.Transport subclasses, only alike.
            real = cast(asyncio.Transport, transport)
            wrapped: Any = CoalescingTransport(real, self.loop)
            super().connection_made(wrapped)

    return CoalescingHttpToolsProtocol


PROTOCOL_CLASS = _coalescing_protocol_class()

#: What uvicorn takes as its `http` setting.
HTTP_SETTING: type[asyncio.Protocol] | str = PROTOCOL_CLASS or "auto"
