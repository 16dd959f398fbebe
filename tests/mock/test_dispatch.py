"""The application's own dispatch: unknown paths, wrong methods, HEAD, crashes, lifespan."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from sellerpic_mock.app import Router, Simulator
from sellerpic_mock.domain.tasks import Tasks
from sellerpic_mock.testing import asgi_client

from .conftest import KEY_A


async def test_unknown_path_is_a_404_envelope(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["success"] is False and answer.json()["code"] == 404


async def test_wrong_method_is_405_naming_the_allowed_ones(client: httpx.AsyncClient) -> None:
    answer = await client.delete("/v1/api/usage")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"
    assert answer.json()["code"] == 405 and answer.json()["success"] is False
    create = await client.get("/v1/api/generate/tryOnApparel")
    assert create.status_code == 405 and create.headers["allow"] == "POST"


async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient) -> None:
    answer = await client.head("/v1/api/usage")
    assert answer.status_code == 200 and answer.content == b""


async def test_path_parameters_reach_the_route(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/api/generate/notAnOperation", json={})
    assert answer.status_code == 404
    assert "no such task type" in answer.json()["msg"]


def test_router_matches_whole_segments_only() -> None:
    async def endpoint(request: object) -> object:
        raise AssertionError

    router = Router([("GET", "/files/{token}", endpoint), ("GET", "/a/{x}/{y}.png", endpoint)])  # type: ignore[list-item]
    assert router.match("/files/abc") is not None
    assert router.match("/files/abc")[1] == {"token": "abc"}  # type: ignore[index]
    assert router.match("/files/abc/def") is None
    assert router.match("/files/") is None
    assert router.match("/a/K/N.png")[1] == {"x": "K", "y": "N"}  # type: ignore[index]
    assert router.match("/a/K/N.pngx") is None


def test_router_gives_an_object_key_path_whole() -> None:
    async def endpoint(request: object) -> object:
        raise AssertionError

    router = Router([("PUT", "/{key:UPLOAD/}", endpoint)])  # type: ignore[list-item]
    found = router.match("/UPLOAD/1/2025/07/18/ab.png")
    assert found is not None and found[1] == {"key": "UPLOAD/1/2025/07/18/ab.png"}
    assert router.match("/UPLOAD/") is None
    odd = router.match("/UPLOAD/a\nb/\r.png")  # decoded %0A and %0D reach the signature check
    assert odd is not None and odd[1] == {"key": "UPLOAD/a\nb/\r.png"}
    assert router.match("/RESULT/1/x.png") is None
    assert router.match("/v1/UPLOAD/x") is None


async def test_a_crash_is_a_500_envelope_and_logged(
    app: Simulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr(Tasks, "status", broken)
    async with asgi_client(app, KEY_A) as client:
        with caplog.at_level(logging.ERROR, logger="sellerpic_mock"):
            answer = await client.get("/v1/api/generate", params={"id": "1"})
    assert answer.status_code == 500
    assert answer.json()["success"] is False and "bug" not in answer.text
    assert "unhandled error on GET /v1/api/generate" in caplog.text


async def test_lifespan_shutdown_closes_the_store(app: Simulator, tmp_path: Path) -> None:
    sent: list[str] = []
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, str]:
        return next(messages)

    async def send(message: dict[str, str]) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan"}, receive, send)  # type: ignore[arg-type]
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    with pytest.raises(Exception, match="closed"):
        app.services.store.task("1")
