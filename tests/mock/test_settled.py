"""The settled-answers cache: a poll of a settled task answers what the store would, and
everything about the request (key, owner, origin, reset) is still checked on every poll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.app import Simulator
from sellerpic_mock.domain.settled import SettledAnswers
from sellerpic_mock.testing import asgi_client, mask_bytes

from .conftest import KEY_A, KEY_B, check, create, upload


async def _task(client: httpx.AsyncClient) -> str:
    body = {
        "modelImageKey": await upload(client),
        "modelMaskKey": await upload(client, mask_bytes()),
        "productImageKey": await upload(client),
    }
    answer = await create(client, "tryOnAccessories", body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["id"])


async def _items(client: httpx.AsyncClient, task_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    answer = await client.get("/v1/api/generate", params={"id": task_id}, **kwargs)
    check("getTaskStatus", answer)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["data"]["resultList"]
    return items


def _store_unread(app: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading a task from the store fails the test."""

    def unread(task_id: str) -> None:
        raise AssertionError(f"task {task_id} was read from the store")

    monkeypatch.setattr(app.services.store, "task_and_results", unread)


async def test_a_settled_task_answers_as_it_did_without_reading_the_store_again(
    make_app: Callable[..., Simulator], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Half the results fail, so both kinds of item are kept. Which ones fail follows from
    # their ids, which are new each run: tasks are added until both kinds are there.
    app = make_app(failure_rate=0.5, seed=3)
    async with asgi_client(app, KEY_A) as client, asgi_client(app, KEY_B) as other:
        first: dict[str, list[dict[str, Any]]] = {}
        for _ in range(10):
            batch = [await _task(client) for _ in range(4)]
            clock.advance(10)
            first.update({task_id: await _items(client, task_id) for task_id in batch})
            statuses = {item["status"] for items in first.values() for item in items}
            if statuses == {"SUCCESS", "FAILED"}:
                break
        assert statuses == {"SUCCESS", "FAILED"}, first
        tasks = list(first)

        _store_unread(app, monkeypatch)
        for task_id in tasks:
            assert await _items(client, task_id) == first[task_id]
        monkeypatch.undo()
        # The owner is still checked: another account's poll of a kept task is a 404.
        refused = await other.get("/v1/api/generate", params={"id": tasks[0]})
        assert refused.json()["code"] == 404, refused.text
        # A kept URL still opens.
        url = next(i["fileUrl"] for items in first.values() for i in items if i["fileUrl"])
        assert (await client.get(url)).status_code == 200


async def test_an_unfinished_task_is_not_kept(client: httpx.AsyncClient, clock: FakeClock) -> None:
    task_id = await _task(client)
    clock.advance(2)
    assert {item["status"] for item in await _items(client, task_id)} == {"RUNNING"}
    clock.advance(10)
    assert {item["status"] for item in await _items(client, task_id)} == {"SUCCESS"}


async def test_a_forced_outcome_is_kept_with_its_error(
    app: Simulator, client: httpx.AsyncClient, admin: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    task_id = await _task(client)
    forced = {"status": "FAILED", "errorCode": 60001, "errorMsg": "moderation refused it"}
    assert (await admin.post(f"/_sellerpic/tasks/{task_id}/outcome", json=forced)).is_success
    first = await _items(client, task_id)
    assert {(i["status"], i["errorCode"], i["errorMsg"]) for i in first} == {
        ("FAILED", 60001, "moderation refused it")
    }
    # A settled task's outcome cannot be forced again, so the kept answer cannot go stale.
    again = await admin.post(f"/_sellerpic/tasks/{task_id}/outcome", json={"status": "SUCCESS"})
    assert again.status_code == 409, again.text
    _store_unread(app, monkeypatch)
    assert await _items(client, task_id) == first


async def test_another_origin_gets_urls_of_its_own(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    task_id = await _task(client)
    clock.advance(10)
    here = await _items(client, task_id)
    there = await _items(client, task_id, headers={"Host": "sim.example:9000"})
    assert all(i["fileUrl"].startswith("http://testserver/") for i in here)
    assert all(i["fileUrl"].startswith("http://sim.example:9000/") for i in there)
    assert [i["fileUrl"].split("/", 3)[3] for i in here] == [
        i["fileUrl"].split("/", 3)[3] for i in there
    ]
    assert await _items(client, task_id) == here


async def test_a_reset_forgets_kept_answers(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    task_id = await _task(client)
    clock.advance(10)
    await _items(client, task_id)
    assert (await admin.post("/_sellerpic/reset")).is_success
    gone = await client.get("/v1/api/generate", params={"id": task_id})
    assert gone.json()["code"] == 404, gone.text


def test_the_cache_is_bounded() -> None:
    answers = SettledAnswers(limit=3)
    for n in range(3):
        answers.keep(str(n), 1, "http://a", [{"id": str(n)}])
    assert len(answers) == 3 and answers.get("0", 1, "http://a") == [{"id": "0"}]
    answers.keep("3", 1, "http://a", [{"id": "3"}])
    assert len(answers) == 1 and answers.get("0", 1, "http://a") is None
    assert answers.get("3", 2, "http://a") is None and answers.get("3", 1, "http://b") is None
