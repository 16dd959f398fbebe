"""The client waits in the clock it is given: a test double can move time instead of sleeping."""

from __future__ import annotations

import time

import httpx
import pytest

from sellerpic import AsyncSellerPic, SellerPic

from .conftest import FAST
from .fakeapi import BASE, KEY, FakeApi


class ManualClock:
    """Records every pause and moves its reading by it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(round(seconds, 6))
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds}s for real")

    monkeypatch.setattr(time, "sleep", refuse)


def test_wait_pauses_on_the_given_clock(no_real_sleep: None) -> None:
    api = FakeApi(polls_before_done=3)
    clock = ManualClock()
    with SellerPic(
        KEY,
        base_url=BASE,
        retry_policy=FAST,
        poll_interval=5.0,
        clock=clock,
        http_client=httpx.Client(transport=api.transport()),
    ) as client:
        status = client.task("123").wait()
    assert status.done
    # Four polls, one interval apart on the clock: three pauses of exactly the interval.
    assert api.polls["123"] == 4
    assert clock.pauses == [5.0, 5.0, 5.0]


def test_wait_timeout_is_measured_on_the_given_clock(no_real_sleep: None) -> None:
    from sellerpic import TaskTimeoutError

    api = FakeApi(polls_before_done=1000)
    clock = ManualClock()
    client = SellerPic(
        KEY,
        base_url=BASE,
        retry_policy=FAST,
        poll_interval=10.0,
        clock=clock,
        http_client=httpx.Client(transport=api.transport()),
    )
    with pytest.raises(TaskTimeoutError):
        client.task("7").wait(timeout=35)
    assert sum(clock.pauses) == pytest.approx(35.0)


async def test_async_wait_pauses_on_the_given_clock() -> None:
    api = FakeApi(polls_before_done=2)
    clock = ManualClock()
    client = AsyncSellerPic(
        KEY,
        base_url=BASE,
        retry_policy=FAST,
        poll_interval=2.5,
        clock=clock,
        http_client=httpx.AsyncClient(transport=api.async_transport()),
    )
    await (client.task("9")).wait()
    assert clock.pauses == [2.5, 2.5]
