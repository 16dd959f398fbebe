"""Fault injection: the per-request header and the configured rates; faults never change state."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from sellerpic_mock.app import Simulator
from sellerpic_mock.faults import ConnectionDropped
from sellerpic_mock.testing import asgi_client, image_bytes

from .conftest import KEY_A, check, usage

SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"
FAULT = "X-Sellerpic-Mock-Fault"


async def create_with(client: httpx.AsyncClient, fault: str) -> httpx.Response:
    return await client.post(
        "/v1/api/generate/removeBackground", json={"imageKey": SAMPLE}, headers={FAULT: fault}
    )


async def test_server_error_happens_before_the_create(client: httpx.AsyncClient) -> None:
    answer = await create_with(client, "server-error")
    assert answer.status_code == 500
    assert answer.json() == {**answer.json(), "code": 500, "success": False}
    assert (await usage(client))["usage"] == 0


async def test_drop_happens_before_the_create(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        await create_with(client, "drop")
    assert (await usage(client))["usage"] == 0


async def test_drop_after_commits_then_loses_the_answer(client: httpx.AsyncClient) -> None:
    with pytest.raises(ConnectionDropped):
        await create_with(client, "drop-after")
    # The task exists (it was charged) although the client never saw its id.
    assert (await usage(client))["usage"] == 1


async def test_server_error_after_commits(client: httpx.AsyncClient) -> None:
    answer = await create_with(client, "server-error-after")
    assert answer.status_code == 500
    assert (await usage(client))["usage"] == 1


async def test_forced_concurrency_limit(client: httpx.AsyncClient) -> None:
    answer = await create_with(client, "concurrency-limit")
    check("removeBackground", answer)
    assert answer.json()["code"] == 30003
    assert (await usage(client))["usage"] == 0


async def test_expired_upload_url(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url?format=png", headers={FAULT: "expired-url"})
    put = await client.put(answer.json()["data"]["imageUrl"], content=image_bytes())
    assert put.status_code == 403
    # A good URL answers 403 when the header asks for it, and stores nothing.
    answer = await client.get("/v1/api/upload/url?format=png")
    url = answer.json()["data"]["imageUrl"]
    assert (
        await client.put(url, content=image_bytes(), headers={FAULT: "expired-url"})
    ).status_code == 403
    assert (await client.put(url, content=image_bytes())).status_code == 200


async def test_slow(client: httpx.AsyncClient) -> None:
    started = time.monotonic()
    answer = await client.get("/v1/api/usage", headers={FAULT: "slow=120"})
    assert answer.status_code == 200 and time.monotonic() - started >= 0.12


async def test_unknown_fault_is_ignored(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/api/usage", headers={FAULT: "bogus"})).status_code == 200


async def test_configured_rates(make_app: Callable[..., Simulator]) -> None:
    app = make_app(error_rate=0.5, drop_rate=0.2, fault_seed=3)
    codes: list[int | str] = []
    async with asgi_client(app, KEY_A) as client:
        for _ in range(60):
            try:
                codes.append((await client.get("/v1/api/usage")).status_code)
            except httpx.RemoteProtocolError:
                codes.append("drop")
    assert {200, 500, "drop"} == set(codes)


async def test_latency(make_app: Callable[..., Simulator]) -> None:
    app = make_app(latency_ms=50)
    async with asgi_client(app, KEY_A) as client:
        started = time.monotonic()
        await client.get("/v1/api/usage")
        assert time.monotonic() - started >= 0.05
