"""Group commit and lazy refunds: what a client is told is on disk, and nothing else is. The
group behaviours run on both stores: a file (persistent data dirs) and memory (ephemeral)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.app import Simulator
from sellerpic_mock.domain.accounts import Account
from sellerpic_mock.domain.services import Services
from sellerpic_mock.storage.db import Store, TaskRow
from sellerpic_mock.testing import asgi_client

from .conftest import KEY_A, create, created_id, usage

SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"
TRY_ON = {"modelImageKey": SAMPLE, "top": {"imageKey": SAMPLE}}


STORES = ["file", "memory"]


def committed_task_ids(tmp_path: Path) -> set[str]:
    """Read through a connection of its own: it sees only committed transactions."""
    with sqlite3.connect(tmp_path / "data" / "sellerpic-mock.sqlite3") as conn:
        return {str(row[0]) for row in conn.execute("SELECT id FROM tasks")}


def stored_task_ids(app: Simulator, tmp_path: Path, key: str) -> set[str]:
    """What the store holds: on a file, what is committed; in memory, what any reader sees."""
    if not app.services.ephemeral:
        return committed_task_ids(tmp_path)
    account = app.services.accounts.authenticate(f"Bearer {key}")
    return {task.id for task in app.services.store.tasks_of(account.id)}


@pytest.fixture(params=STORES)
def app_on(
    request: pytest.FixtureRequest, make_app: Callable[..., Simulator]
) -> Callable[..., Simulator]:
    """`make_app` on a data dir (file store) or ephemeral (memory store)."""
    if request.param == "file":
        return make_app
    return lambda **overrides: make_app(data_dir=None, **overrides)


async def test_every_answered_create_is_already_committed(
    make_app: Callable[..., Simulator], tmp_path: Path
) -> None:
    app = make_app()
    seen_on_answer: list[bool] = []

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        task_id = str(response.json()["data"]["id"])
        seen_on_answer.append(task_id in committed_task_ids(tmp_path))

    async with asgi_client(app, KEY_A) as client:
        client.event_hooks["response"].append(on_response)
        # Concurrent creates run in the same loop iterations and share commits.
        answers = await asyncio.gather(*(create(client, "tryOnApparel", TRY_ON) for _ in range(8)))
    assert [a.json()["code"] for a in answers] == [0] * 8
    assert seen_on_answer == [True] * 8
    assert {str(a.json()["data"]["id"]) for a in answers} <= committed_task_ids(tmp_path)


async def test_a_refused_create_does_not_undo_the_others_in_its_commit(
    app_on: Callable[..., Simulator], tmp_path: Path
) -> None:
    # tryOnApparel costs 4 credits (four results): 12 credits admit 3 of 6 concurrent creates.
    app = app_on(api_keys={KEY_A: 12})
    async with asgi_client(app, KEY_A) as client:
        answers = await asyncio.gather(*(create(client, "tryOnApparel", TRY_ON) for _ in range(6)))
        codes = sorted(a.json()["code"] for a in answers)
        assert codes == [0, 0, 0, 30004, 30004, 30004]
        accepted = {str(a.json()["data"]["id"]) for a in answers if a.json()["code"] == 0}
        assert stored_task_ids(app, tmp_path, KEY_A) == accepted
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


async def test_concurrent_creates_in_one_group_respect_the_limit(
    app_on: Callable[..., Simulator],
) -> None:
    # Tasks staged by earlier requests of the same group count towards the limit (10).
    app = app_on(created_seconds=3600)
    async with asgi_client(app, KEY_A) as client:
        answers = await asyncio.gather(*(create(client, "tryOnApparel", TRY_ON) for _ in range(13)))
        codes = sorted(a.json()["code"] for a in answers)
        assert codes == [0] * 10 + [30003] * 3
        assert await usage(client) == {"remaining": 960, "total": 1000, "usage": 40}


def create_on_the_loop(services: Services) -> tuple[Account, str]:
    """A tryOnApparel create by account A through the domain, on the event loop: its rows and
    charge are staged and its commit only scheduled."""
    account = services.accounts.authenticate(f"Bearer {KEY_A}")
    operation = services.spec.create_operations["tryOnApparel"]
    return account, services.tasks.create(account, operation, dict(TRY_ON))


async def test_staged_rows_are_read_back_before_the_commit(
    app_on: Callable[..., Simulator],
) -> None:
    services = app_on().services
    account, task_id = create_on_the_loop(services)
    assert services.store.credits(account.id) == (1000, 4)
    task = services.store.task(task_id)
    assert task is not None and task.account_id == account.id
    assert len(services.store.results(task_id)) == 4
    await asyncio.sleep(0.05)  # the scheduled group commit (or write-out) runs
    assert services.store.credits(account.id) == (1000, 4)


async def test_a_refund_between_a_charge_and_its_commit_counts_once(
    make_app: Callable[..., Simulator],
) -> None:
    services = make_app().services
    account, _ = create_on_the_loop(services)  # charges 4, staged
    services.credits.refund(account, 1)  # written at once; drops the cached balance
    await asyncio.sleep(0)  # the group commit writes the staged charge
    assert services.store.credits(account.id) == (1000, 3)
    with sqlite3.connect(services.data_dir / "sellerpic-mock.sqlite3") as conn:
        assert conn.execute("SELECT used FROM accounts WHERE id = ?", (account.id,)).fetchone() == (
            3,
        )


async def test_in_memory_a_create_is_answered_before_its_write_out_and_read_at_once(
    make_app: Callable[..., Simulator],
) -> None:
    app = make_app(data_dir=None)
    async with asgi_client(app, KEY_A) as client:
        task_id = await created_id(client, "tryOnApparel", TRY_ON)
        # Nothing outlives the process in memory, so nothing waited for a commit; the staged
        # rows are what every reader sees, and a poll writes them out first.
        assert app.services.store.pending_writes() > 0
        items = (await client.get("/v1/api/generate", params={"id": task_id})).json()
        assert len(items["data"]["resultList"]) == 4
        assert app.services.store.pending_writes() == 0
        await created_id(client, "tryOnApparel", TRY_ON)
        await asyncio.sleep(0.05)  # the write-out comes on its own, a few ms later
        assert app.services.store.pending_writes() == 0
        assert await usage(client) == {"remaining": 992, "total": 1000, "usage": 8}


@pytest.mark.parametrize("where", STORES)
async def test_a_failed_unit_takes_back_its_own_writes_only(where: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3" if where == "file" else None)
    store.upsert_account(1, "k", 100)
    with store.transaction():
        assert store.try_charge(1, 10)  # staged
    store.refund(1, 3)  # a statement in the same group
    try:
        with store.transaction():
            store.refund(1, 50)
            store.insert_task(_task("t-1"), [])
            raise RuntimeError("the unit fails after writing")
    except RuntimeError:
        pass
    with store.transaction():
        store.refund(1, 1)
    await asyncio.sleep(0.05)
    assert store.credits(1) == (100, 6)
    assert store.task("t-1") is None
    store.close()


@pytest.mark.parametrize("where", STORES)
def test_off_the_loop_every_unit_commits_on_its_own(where: str, tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3" if where == "file" else None
    store = store_with_one_create(path)
    try:
        with store.transaction():
            store.refund(1, 50)
            raise RuntimeError("the unit fails after writing")
    except RuntimeError:
        pass
    assert store.pending_writes() == 0
    assert store.credits(1) == (100, 10)
    if path is not None:
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT used FROM accounts").fetchone() == (10,)
            assert conn.execute("SELECT id FROM tasks").fetchall() == [("t-1",)]
    store.close()


def _task(task_id: str) -> TaskRow:
    return TaskRow(task_id, 1, "tryOnApparel", "{}", 0.0, 0.0, 0.0, False)


def store_with_one_create(path: Path | None) -> Store:
    """Account 1 with 100 credits, 10 of them charged for task t-1, as a create stages them."""
    store = Store(path)
    store.upsert_account(1, "k", 100)
    with store.transaction():
        assert store.try_charge(1, 10)
        store.insert_task(_task("t-1"), [])
    return store


@pytest.mark.parametrize("where", STORES)
async def test_a_write_out_due_after_close_does_nothing(
    where: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "store.sqlite3" if where == "file" else None
    store = store_with_one_create(path)
    store.close()  # writes and commits what is staged; the scheduled write-out is still due
    await asyncio.sleep(0.05)
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
    if path is not None:
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT id FROM tasks").fetchall() == [("t-1",)]
