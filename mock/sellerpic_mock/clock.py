"""Time as the simulator sees it.

Task progress, URL expiry and file-key dates all read one clock, so tests can swap in a
`FakeClock` and move hours forward without sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class AdvanceableClock(Clock, Protocol):
    def advance(self, seconds: float) -> float:
        """Move simulated time `seconds` forward; returns the new time."""
        ...


class SystemClock:
    """The machine's clock plus an offset that only the control API moves (`advance`), so a
    served simulator can skip time as a `FakeClock` does in tests."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        # One float add under the GIL: readers see the old or the new offset, never a mix.
        self._offset += seconds
        return self.now()

    @property
    def offset(self) -> float:
        """Seconds the clock was advanced in total."""
        return self._offset


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, when: float) -> None:
        with self._lock:
            self._now = when
