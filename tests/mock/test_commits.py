"""What a client is told is on disk, and nothing else is: every request's writes commit in
one transaction before it is answered, and a refused request takes back what it wrote."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.app import Simulator
from sellerpic_mock.storage.db import Store, TaskRow
from sellerpic_mock.testing import asgi_client

from .conftest import KEY_A, create, created_id, usage

SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"
TRY_ON = {"modelImageKey": SAMPLE, "top": {"imageKey": SAMPLE}}
DATA_DIRS = ["persistent", "ephemeral"]


def committed_task_ids(app: Simulator) -> set[str]:
    """Read through a connection of its own: it sees only committed transactions."""
    with sqlite3.connect(app.services.data_dir / "sellerpic-mock.sqlite3") as conn:
        return {str(row[0]) for row in conn.execute("SELECT id FROM tasks")}


def stored_task_ids(app: Simulator) -> set[str]:
    """What the store holds: on a file, what is committed; in memory, what any reader sees."""
    if not app.services.ephemeral:
        return committed_task_ids(app)
    account = app.services.accounts.authenticate(f"Bearer {KEY_A}")
    return {task.id for task in app.services.store.tasks_of(account.id)}


@pytest.fixture(params=DATA_DIRS)
def app_on(
    request: pytest.FixtureRequest, make_app: Callable[..., Simulator]
) -> Callable[..., Simulator]:
    """`make_app` on a data dir of its own (a file) or an ephemeral one (memory)."""
    if request.param == "persistent":
        return make_app
    return lambda **overrides: make_app(data_dir=None, **overrides)


async def test_every_answered_create_is_already_committed(
    make_app: Callable[..., Simulator],
) -> None:
    # On a persistent data dir; an ephemeral one keeps its database in memory, where nothing
    # outlives the process whatever is committed.
    app = make_app()
    seen_on_answer: list[bool] = []

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        task_id = str(response.json()["data"]["id"])
        seen_on_answer.append(task_id in committed_task_ids(app))

    async with asgi_client(app, KEY_A) as client:
        client.event_hooks["response"].append(on_response)
        answers = await asyncio.gather(*(create(client, "tryOnApparel", TRY_ON) for _ in range(8)))
    assert [a.json()["code"] for a in answers] == [0] * 8
    assert seen_on_answer == [True] * 8


async def test_a_refused_create_stores_nothing_and_charges_nothing(
    app_on: Callable[..., Simulator],
) -> None:
    # tryOnApparel costs 4 credits (four results): 12 credits admit 3 of 6 concurrent creates.
    app = app_on(api_keys={KEY_A: 12})
    async with asgi_client(app, KEY_A) as client:
        answers = await asyncio.gather(*(create(client, "tryOnApparel", TRY_ON) for _ in range(6)))
        codes = sorted(a.json()["code"] for a in answers)
        assert codes == [0, 0, 0, 30004, 30004, 30004]
        accepted = {str(a.json()["data"]["id"]) for a in answers if a.json()["code"] == 0}
        assert stored_task_ids(app) == accepted
        assert await usage(client) == {"remaining": 0, "total": 12, "usage": 12}


async def test_refunds_are_applied_before_a_create_is_refused(
    app_on: Callable[..., Simulator], clock: FakeClock
) -> None:
    # Every result fails and is refunded, but nothing reads the balance or the status
    # before the next create: the refund must still count.
    app = app_on(api_keys={KEY_A: 4}, failure_rate=1.0)
    async with asgi_client(app, KEY_A) as client:
        await created_id(client, "tryOnApparel", TRY_ON)
        refused = await create(client, "tryOnApparel", TRY_ON)
        assert refused.json()["code"] == 30004
        clock.advance(10)
        await created_id(client, "tryOnApparel", TRY_ON)
        assert await usage(client) == {"remaining": 0, "total": 4, "usage": 4}


async def test_concurrent_creates_respect_the_limit(app_on: Callable[..., Simulator]) -> None:
    app = app_on(created_seconds=3600)
    async with asgi_client(app, KEY_A) as client:
        answers = await asyncio.gather(*(create(client, "tryOnApparel", TRY_ON) for _ in range(13)))
        codes = sorted(a.json()["code"] for a in answers)
        assert codes == [0] * 10 + [30003] * 3
        assert await usage(client) == {"remaining": 960, "total": 1000, "usage": 40}


def _task(task_id: str) -> TaskRow:
    return TaskRow(task_id, 1, "tryOnApparel", "{}", 0.0, 0.0, 0.0, False)


def test_a_failed_transaction_takes_back_all_its_writes(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    store = Store(path)
    store.upsert_account(1, "k", 100)
    with store.transaction():
        assert store.try_charge(1, 10)
        store.insert_task(_task("t-1"), [])
    with pytest.raises(RuntimeError), store.transaction():
        assert store.try_charge(1, 50)
        store.insert_task(_task("t-2"), [])
        raise RuntimeError("the request fails after writing")
    store.refund(1, 1)  # a statement of its own commits at once
    assert store.credits(1) == (100, 9)
    assert store.task("t-2") is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT used FROM accounts").fetchone() == (9,)
        assert conn.execute("SELECT id FROM tasks").fetchall() == [("t-1",)]
    store.close()


def test_a_charge_the_balance_does_not_cover_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    store.upsert_account(1, "k", 10)
    assert store.try_charge(1, 7)
    assert not store.try_charge(1, 4)
    assert store.credits(1) == (10, 7)
    store.close()
