"""Keys, 401s and isolation between accounts."""

from __future__ import annotations

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.app import Simulator
from sellerpic_mock.testing import DEMO_API_KEY, asgi_client

from .conftest import check, created_id, status, upload

AUTH_OPERATIONS = [
    ("getCreditUsage", "GET", "/v1/api/usage"),
    ("getTaskStatus", "GET", "/v1/api/generate?id=1234567890123456789"),
    ("getUploadUrl", "GET", "/v1/api/upload/url?format=png"),
    ("getDownloadUrl", "GET", "/v1/api/download?id=1234567890123456789&downloadFormat=png"),
    ("removeBackground", "POST", "/v1/api/generate/removeBackground"),
]


@pytest.mark.parametrize(("operation", "method", "url"), AUTH_OPERATIONS)
@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic abc", "Bearer "])
async def test_missing_or_unknown_key_is_401(
    app: Simulator, operation: str, method: str, url: str, authorization: str | None
) -> None:
    async with asgi_client(app, None) as anonymous:
        headers = {"Authorization": authorization} if authorization else {}
        answer = await anonymous.request(method, url, headers=headers, json={"imageKey": "x"})
    check(operation, answer)
    assert answer.status_code == 401 and answer.json()["code"] == 401


async def test_demo_key_works_out_of_the_box(app: Simulator) -> None:
    async with asgi_client(app, DEMO_API_KEY) as demo:
        answer = await demo.get("/v1/api/usage")
    assert answer.json()["data"] == {"remaining": 1000, "total": 1000, "usage": 0}


async def test_presets_work_with_or_without_key(app: Simulator) -> None:
    async with asgi_client(app, None) as anonymous:
        assert (await anonymous.get("/v1/api/presets?type=BACKGROUND")).status_code == 200
        wrong = await anonymous.get(
            "/v1/api/presets?type=BACKGROUND", headers={"Authorization": "Bearer nope"}
        )
        check("listPresets", wrong)
        assert wrong.status_code == 401


async def test_accounts_cannot_see_each_other(
    client: httpx.AsyncClient, other: httpx.AsyncClient, clock: FakeClock
) -> None:
    key = await upload(client)
    task_id = await created_id(client, "removeBackground", {"imageKey": key})
    clock.advance(10)
    result_id = (await status(client, task_id))[0]["id"]

    # B cannot use A's file ...
    answer = await other.post("/v1/api/generate/removeBackground", json={"imageKey": key})
    check("removeBackground", answer)
    assert answer.status_code == 400 and answer.json()["msg"].startswith("imageKey:")
    # ... see A's task ...
    answer = await other.get("/v1/api/generate", params={"id": task_id})
    check("getTaskStatus", answer)
    assert answer.status_code == 404
    # ... or download A's result.
    answer = await other.get("/v1/api/download", params={"id": result_id, "downloadFormat": "png"})
    check("getDownloadUrl", answer)
    assert answer.status_code == 404
    # Nor does A's spending show in B's usage.
    assert (await other.get("/v1/api/usage")).json()["data"]["usage"] == 0


async def test_unknown_task_is_404(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/generate", params={"id": "1234567890123456789"})
    check("getTaskStatus", answer)
    assert answer.status_code == 404 and answer.json()["success"] is False
