"""Connection limits that stock uvicorn does not enforce, around the HTTP protocol it runs.

Uvicorn bounds the idle time between requests (`timeout_keep_alive`) and nothing else: a request
head may grow without limit (128 MB took 24 s to parse), arrive one byte at a time, or promise a
body that never comes, and every idle connection holds a file descriptor until accept fails with
EMFILE. This module wraps the protocol uvicorn builds for each connection (composition over the
public `asyncio.Protocol` interface; uvicorn's own classes are not touched) and watches the bytes
go by, forwarding every one unchanged:

* a request head larger than `max_head_bytes` is answered 431 and the connection closed, before
  the parser sees more than that;
* a head must be complete within `head_timeout` seconds of its first byte (or of the connection
  being opened), a body within `body_timeout` seconds of the end of its head: else 408 and close
  (or only close, when an answer to that request has started);
* at most `max_connections` connections are open: one more sheds the connection that has been
  idle longest (between requests, no answer pending, or stuck in a head); with none idle, the
  newcomer is answered 503 and closed. The default stays below the process's file limit.

It frames requests only as far as these rules need: the end of each head, then Content-Length
or chunked bodies, so pipelined requests are counted one by one.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from dataclasses import dataclass
from typing import Any

from uvicorn.config import HTTP_PROTOCOLS
from uvicorn.importer import import_from_string

from .envelope import envelope_bytes
from .onewrite import OneWrite

log = logging.getLogger("sellerpic_mock")

DEFAULT_MAX_HEAD_BYTES = 64 * 1024
DEFAULT_HEAD_TIMEOUT_S = 10.0
DEFAULT_BODY_TIMEOUT_S = 60.0
#: File descriptors kept for the database, uploads, results and worker threads.
_FD_RESERVE = 64
#: Longest chunk-size line of a chunked body (with extensions) the framer accepts.
_MAX_CHUNK_LINE = 1024


def default_max_connections() -> int:
    """The soft limit of open files, less what the simulator needs besides connections."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(8, min(4096, soft - _FD_RESERVE))


@dataclass(frozen=True)
class Limits:
    max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES
    head_timeout: float = DEFAULT_HEAD_TIMEOUT_S
    body_timeout: float = DEFAULT_BODY_TIMEOUT_S
    #: None: default_max_connections().
    max_connections: int | None = None


def _answer(status: int, reason: str, msg: str) -> bytes:
    body = envelope_bytes(status, msg, False)
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


# Framer states.
_HEAD, _BODY, _CHUNK_LINE, _CHUNK_DATA, _TRAILER = range(5)
_NEVER = float("inf")


def _content_length(lower_head: bytes) -> int:
    """The Content-Length of a lower-cased head; 0 when absent or malformed (the parser
    refuses a malformed one itself)."""
    start = lower_head.find(b"\r\ncontent-length:")
    if start < 0:
        return 0
    end = lower_head.find(b"\r\n", start + 17)
    value = lower_head[start + 17 : end].strip()
    return int(value) if value.isdigit() else 0


#: How often deadlines are checked: a timeout fires up to this much late. One sweep for all
#: connections instead of a timer armed and cancelled per request.
_SWEEP_S = 0.25


class _Connections:
    """The open connections of one server: the cap, and the sweep that enforces deadlines."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cap = limits.max_connections or default_max_connections()
        self.open: set[GuardedConnection] = set()
        self._sweeping = False

    def _sweep(self) -> None:
        now = time.monotonic()
        for connection in [c for c in self.open if c.deadline <= now]:
            connection.timed_out()
        if self.open:
            asyncio.get_running_loop().call_later(_SWEEP_S, self._sweep)
        else:
            self._sweeping = False

    def admit(self, newcomer: GuardedConnection) -> bool:
        self.open.add(newcomer)
        if not self._sweeping:
            self._sweeping = True
            asyncio.get_running_loop().call_later(_SWEEP_S, self._sweep)
        if len(self.open) <= self.cap:
            return True
        idle = [c for c in self.open if c is not newcomer and c.sheddable()]
        if idle:
            victim = min(idle, key=lambda c: c.last_activity)
            log.warning(
                "%d connections open (the limit): closing the one idle for %.1f s",
                len(self.open) - 1,
                time.monotonic() - victim.last_activity,
            )
            victim.close()
            return True
        log.warning("%d connections open (the limit), none idle: refusing one", self.cap)
        return False


class GuardedConnection(asyncio.Protocol):
    """One connection: the protocol uvicorn would run, behind the limits. Built by uvicorn
    with its own keyword arguments, which go to that protocol unchanged."""

    connections: _Connections
    inner_class: type[asyncio.Protocol]

    def __init__(self, **uvicorn_kwargs: Any) -> None:
        self._inner = self.inner_class(**uvicorn_kwargs)
        self._transport: asyncio.Transport | None = None
        self._limits = self.connections.limits
        self._state = _HEAD
        self._head = bytearray()
        self._remaining = 0
        now = time.monotonic()
        #: When the current head or body must be complete (infinity: no deadline running).
        self.deadline = now + self._limits.head_timeout
        self.last_activity = now
        #: When the current request's head ended, the last request was fully received, and
        #: an answer was last written.
        self._head_done_at = 0.0
        self._received_at = 0.0
        self._written_at = 0.0
        self._started = False
        self._watched: _WatchedTransport | None = None

    # --- what uvicorn's protocol sees ---------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        if not self.connections.admit(self):
            self._refuse(503, "Service Unavailable", "too many connections; retry shortly")
            return
        self._started = True
        self._watched = _WatchedTransport(transport, self)
        self._inner.connection_made(self._watched)  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        now = self.last_activity = time.monotonic()
        if not self._started:
            return
        if self._state == _HEAD and not self._head:
            # The usual case, a whole head (and maybe its body) in one read.
            end = data.find(b"\r\n\r\n")
            if 0 <= end <= self._limits.max_head_bytes - 4:
                self._head_done_at = now
                self._start_body(data[: end + 4], now)
                rest = len(data) - end - 4
                if rest and not self._observe(memoryview(data)[end + 4 :]):
                    return
                self._inner.data_received(data)
                return
            self.deadline = now + self._limits.head_timeout
        if self._observe(memoryview(data)):
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._started else None

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.open.discard(self)
        if self._started:
            self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._started:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._started:
            self._inner.resume_writing()

    # --- the cap ------------------------------------------------------------------------
    def sheddable(self) -> bool:
        """Between requests with no answer pending, or stuck inside a head."""
        return self._state == _HEAD and self._written_at >= self._received_at

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def wrote(self) -> None:
        self._written_at = self.last_activity = time.monotonic()

    # --- framing ------------------------------------------------------------------------
    def _observe(self, view: memoryview) -> bool:
        """Follow the request framing through `view`; False when a limit closed the
        connection (the bytes are then not forwarded)."""
        while view:
            if self._state == _HEAD:
                if not self._head:
                    self.deadline = self.last_activity + self._limits.head_timeout
                rest = self._read_head(view)
                if rest is None:
                    return False
                view = rest
            elif self._state == _BODY:
                used = min(len(view), self._remaining)
                self._remaining -= used
                view = view[used:]
                if not self._remaining:
                    self._request_received()
            elif self._state == _CHUNK_DATA:
                used = min(len(view), self._remaining)
                self._remaining -= used
                view = view[used:]
                if not self._remaining:
                    self._state = _CHUNK_LINE
            else:
                view = self._read_line(view)
        return True

    def _read_head(self, view: memoryview) -> memoryview | None:
        start = max(0, len(self._head) - 3)
        self._head += view
        end = self._head.find(b"\r\n\r\n", start)
        if end < 0:
            if len(self._head) > self._limits.max_head_bytes:
                self._refuse(
                    431,
                    "Request Header Fields Too Large",
                    f"request head: larger than {self._limits.max_head_bytes} bytes",
                )
                return None
            return memoryview(b"")
        if end + 4 > self._limits.max_head_bytes:
            self._refuse(
                431,
                "Request Header Fields Too Large",
                f"request head: larger than {self._limits.max_head_bytes} bytes",
            )
            return None
        rest = memoryview(bytes(self._head[end + 4 :]))
        self._head_done_at = self.last_activity
        self._start_body(bytes(self._head[: end + 4]), self.last_activity)
        self._head.clear()
        return rest

    def _start_body(self, head: bytes, now: float) -> None:
        lower = head.lower()
        if b"\r\ntransfer-encoding:" in lower and b"chunked" in lower:
            self._state = _CHUNK_LINE
        else:
            length = _content_length(lower)
            if not length:
                self._request_received()
                return
            self._state, self._remaining = _BODY, length
        self.deadline = now + self._limits.body_timeout

    def _read_line(self, view: memoryview) -> memoryview:
        """A chunk-size line, or a trailer line (the empty one ends the body)."""
        self._head += view
        end = self._head.find(b"\r\n")
        if end < 0:
            if len(self._head) > _MAX_CHUNK_LINE:
                self._stop_guarding()
            return memoryview(b"")
        line = bytes(self._head[:end])
        rest = memoryview(bytes(self._head[end + 2 :]))
        self._head.clear()
        if self._state == _TRAILER:
            if not line:
                self._request_received()
            return rest
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            self._stop_guarding()  # the parser answers malformed framing itself
            return memoryview(b"")
        if size:
            self._state, self._remaining = _CHUNK_DATA, size + 2
        else:
            self._state = _TRAILER
        return rest

    def _request_received(self) -> None:
        self._state = _HEAD
        self._received_at = self.last_activity
        # The next head's clock starts with its first byte; between requests uvicorn's
        # keep-alive timeout applies.
        self.deadline = _NEVER

    def _stop_guarding(self) -> None:
        """Framing this module cannot follow: leave the connection to uvicorn's parser, which
        refuses it, and keep only the body timeout running."""
        self._state, self._remaining = _BODY, 1 << 62
        self._head.clear()

    # --- timeouts -----------------------------------------------------------------------
    def timed_out(self) -> None:
        self.deadline = _NEVER
        if self._state == _HEAD:
            what, limit = "request head", self._limits.head_timeout
        else:
            what, limit = "request body", self._limits.body_timeout
        log.warning("%s not received within %g s: closing the connection", what, limit)
        self._refuse(408, "Request Timeout", f"{what}: not received within {limit:g} s")

    def _refuse(self, status: int, reason: str, msg: str) -> None:
        """Answer `status` and close, unless an answer to this connection's current request
        has started (a second one would corrupt it): then only close."""
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if self._state == _HEAD:
            free = self._written_at >= self._received_at  # the last request was answered
        else:
            free = self._written_at < self._head_done_at  # this one is not being answered
        if self._watched is not None:
            self._watched.flush()  # what uvicorn wrote goes first
        if free:
            transport.write(_answer(status, reason, msg))
        transport.close()


class _WatchedTransport:
    """The transport uvicorn's protocol writes to: the real one, noting when it writes."""

    def __init__(self, transport: asyncio.BaseTransport, owner: GuardedConnection) -> None:
        self._transport = transport
        self._owner = owner
        self._one_write = OneWrite(
            transport.write,  # type: ignore[attr-defined]
            transport.is_closing,
            asyncio.get_running_loop(),
        )
        self._write = self._one_write.write
        # What uvicorn calls on every request, bound once instead of looked up each time.
        self.is_closing = transport.is_closing
        self.get_extra_info = transport.get_extra_info

    def write(self, data: bytes) -> None:
        self._owner.wrote()
        self._write(data)

    def flush(self) -> None:
        self._one_write.flush()

    def close(self) -> None:
        self._one_write.flush()
        self._transport.close()

    def abort(self) -> None:
        self._one_write.drop()
        self._transport.abort()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def guarded_protocol(limits: Limits, http: str = "httptools") -> type[asyncio.Protocol]:
    """The protocol class to give uvicorn's `http` setting: uvicorn's `http` implementation
    behind `limits`, with one connection count per class (one per server)."""
    inner: type[asyncio.Protocol] = import_from_string(HTTP_PROTOCOLS[http])
    connections = _Connections(limits)
    return type(
        "GuardedHttpProtocol",
        (GuardedConnection,),
        {"connections": connections, "inner_class": inner},
    )
