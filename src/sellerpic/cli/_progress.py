"""A tiny progress line on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False  # see sellerpic/__init__.py
if TYPE_CHECKING:
    from typing import TextIO


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


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

    def message(self, text: str) -> None:
        self._draw(text)

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
