"""A tiny progress line on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..batch import BatchProgress


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class BatchLine:
    """The one line of a whole batch run: done, failed, in flight, remaining and an ETA from
    the pace of the jobs finished in this run (jobs finished in an earlier run do not count)."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._finished_before: int | None = None

    def text(self, p: BatchProgress) -> str:
        finished = p.done + p.failed + p.ambiguous
        if self._finished_before is None:
            self._finished_before = finished
        parts = [f"batch: {p.done}/{p.total} done", f"{p.failed} failed"]
        if p.ambiguous:
            parts.append(f"{p.ambiguous} ambiguous")
        parts += [f"{p.in_flight} in flight", f"{p.waiting} waiting"]
        left = p.in_flight + p.waiting
        this_run = finished - self._finished_before
        if not left:
            parts.append("finished")
        elif this_run:
            pace = (time.monotonic() - self._start) / this_run
            parts.append(f"ETA {_duration(pace * left)}")
        else:
            parts.append("ETA --")
        return ", ".join(parts)


class Progress:
    """Redraws one line in place; `enabled=False` makes every call a no-op."""

    WIDTH = 28

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._last = 0.0
        self._dirty = False

    def bytes(self, label: str, done: int, total: int | None) -> None:
        if total:
            filled = int(self.WIDTH * min(done / total, 1.0))
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self._draw(f"{label} [{bar}] {_size(done)}/{_size(total)}", final=done >= total)
        else:
            self._draw(f"{label} {_size(done)}")

    def message(self, text: str, final: bool = False) -> None:
        """Draw `text`; `final` draws it even within the tenth of a second after the last."""
        self._draw(text, final=final)

    def done(self) -> None:
        if self.enabled and self._dirty:
            self.stream.write("\n")
            self.stream.flush()
            self._dirty = False

    def _draw(self, text: str, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        # Redraw at most ten times a second; terminals are slow.
        if not final and now - self._last < 0.1:
            return
        self._last = now
        self.stream.write("\r\x1b[2K" + text[:200])
        self.stream.flush()
        self._dirty = True
