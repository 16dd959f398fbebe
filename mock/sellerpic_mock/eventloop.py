"""The event loop `sellerpic-mock serve` runs on: uvloop where installed, accepting every waiting
connection at once.

libuv accepts one connection per loop iteration (libuv pull request 3696), and under load an
iteration serves a request on every connection that has one. Fifty clients connecting at once
to a busy simulator were accepted one iteration apart: the last waited about 0.28 s. asyncio's
own loop accepts what is waiting in one go, and so does this one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import Any

log = logging.getLogger("sellerpic_mock")

ProtocolFactory = Callable[[], asyncio.Protocol]

#: Connections taken from the backlog per readiness event, as asyncio does (its default backlog).
_ACCEPTS_PER_EVENT = 100
#: Pause after an accept failed for lack of resources (asyncio waits 1 s too).
ACCEPT_RETRY_S = 1.0


class GreedyServer:
    """What uvicorn needs of a server (close, wait_closed, sockets) for one listening socket,
    accepting connections itself."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, factory: ProtocolFactory, sock: socket.socket
    ) -> None:
        self._loop = loop
        self._factory = factory
        self._sock = sock
        self._pending: set[asyncio.Task[Any]] = set()
        self._closed = asyncio.Event()
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._accept)

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return () if self._closed.is_set() else (self._sock,)

    def _accept(self) -> None:
        for _ in range(_ACCEPTS_PER_EVENT):
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue  # the client gave up while waiting in the backlog
            except OSError as exc:
                # Out of file descriptors or memory: the listening socket stays readable, so
                # retrying at once would spin. Pause accepting; the backlog keeps the clients.
                log.warning("accept failed (%s); retrying in %.1f s", exc, ACCEPT_RETRY_S)
                self._loop.remove_reader(self._sock.fileno())
                self._loop.call_later(ACCEPT_RETRY_S, self._resume)
                return
            conn.setblocking(False)
            task = self._loop.create_task(self._connect(conn))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    def _resume(self) -> None:
        if not self._closed.is_set():
            self._loop.add_reader(self._sock.fileno(), self._accept)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, conn)
        except OSError as exc:
            log.warning("dropped a connection while setting it up: %s", exc)
            conn.close()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._loop.remove_reader(self._sock.fileno())
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()


def _greedy_loop_class() -> type[asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None

    class GreedyAcceptLoop(uvloop.Loop):
        async def create_server(  # type: ignore[override]
            self, protocol_factory: ProtocolFactory, *args: Any, **kwargs: Any
        ) -> Any:
            sock = kwargs.get("sock")
            if args or sock is None or kwargs.get("ssl") is not None:
                return await super().create_server(protocol_factory, *args, **kwargs)
            return GreedyServer(self, protocol_factory, sock)

    return GreedyAcceptLoop


_LOOP_CLASS = _greedy_loop_class()


#: The import string uvicorn takes as its `loop` setting.
LOOP_SETTING = "sellerpic_mock.eventloop:new_event_loop"


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop with greedy accepts where uvloop is installed, asyncio's loop elsewhere."""
    if _LOOP_CLASS is None:
        return asyncio.new_event_loop()
    return _LOOP_CLASS()
