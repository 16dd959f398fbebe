"""Each answer handed to the socket in one write: the one piece of the simulator kept for the
mock-speed benchmark (numbers in BENCHMARKS.md).

Uvicorn writes an answer's head when the app sends `http.response.start` and its body when the
app sends `http.response.body`: two `send` system calls and, with TCP_NODELAY, two TCP segments,
each waking the client. Holding the head until the body follows (or until the loop's next
turn, for an answer without a body) makes it one of each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

#: Writes at least this large are not copied to join them with a held write: a file download's
#: chunks go out as they come.
JOIN_LIMIT = 64 * 1024


class OneWrite:
    """A transport's `write`, holding one small write until the next one or the loop's next
    turn, then writing both in one call."""

    def __init__(
        self,
        write: Callable[[bytes], object],
        is_closing: Callable[[], bool],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._write = write
        self._is_closing = is_closing
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is None:
            if len(data) >= JOIN_LIMIT:
                self._write(data)
                return
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
            return
        self._held = None
        if len(data) >= JOIN_LIMIT:
            self._write(held)
            self._write(data)
        else:
            self._write(held + data)

    def flush(self) -> None:
        held, self._held = self._held, None
        # Once the peer is gone the bytes have nowhere to go; the transport would only log
        # a warning about them.
        if held is not None and not self._is_closing():
            self._write(held)

    def drop(self) -> None:
        self._held = None
