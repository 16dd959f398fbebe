"""The client's time, moved on the simulator's clock instead of slept.

A client polling every second for a task that lasts ten simulated minutes makes the same status
calls as in real time; each pause moves the simulator's clock to the end of the pause and
returns at once.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from typing import Protocol


class SettableClock(Protocol):
    def now(self) -> float: ...

    def advance(self, seconds: float) -> float: ...


class SimulatedTime:
    """A `sellerpic` client clock over the simulator's manual clock.

    Async waiters are woken in the order of their wake-up times: when several tasks of one
    event loop pause at once, the clock moves to the earliest wake-up first, so each of them
    polls as often as it would in real time.
    """

    def __init__(self, clock: SettableClock) -> None:
        self._clock = clock
        self._waiters: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._wake_scheduled = False

    def monotonic(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._clock.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        wake_at = self._clock.now() + max(seconds, 0.0)
        heapq.heappush(self._waiters, (wake_at, next(self._order), waiter))
        if not self._wake_scheduled:
            self._wake_scheduled = True
            # After the callbacks already queued: tasks made ready by this step register
            # their own pauses before the clock moves.
            loop.call_soon(self._wake_earliest)
        await waiter

    def _wake_earliest(self) -> None:
        self._wake_scheduled = False
        while self._waiters and self._waiters[0][2].done():
            heapq.heappop(self._waiters)  # cancelled while waiting
        if not self._waiters:
            return
        wake_at = self._waiters[0][0]
        behind = wake_at - self._clock.now()
        if behind > 0:
            self._clock.advance(behind)
        now = self._clock.now()
        while self._waiters and self._waiters[0][0] <= now:
            _, _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(None)
        if self._waiters:
            self._wake_scheduled = True
            asyncio.get_running_loop().call_soon(self._wake_earliest)
