"""Upload rules: presigned URL expiry and tampering, content checks, streaming size cap."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.testing import image_bytes

from .conftest import check, put_upload, upload


async def test_upload_url_shape(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "jpeg"})
    check("getUploadUrl", answer)
    data = answer.json()["data"]
    assert re.fullmatch(r"UPLOAD/\d{19}/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.jpeg", data["fileKey"])
    assert data["imageUrl"].startswith("http://testserver/presigned/")


async def test_upload_url_rejects_unknown_format(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "gif"})
    check("getUploadUrl", answer)
    assert answer.status_code == 400 and answer.json()["msg"].startswith("format:")


async def test_presigned_url_expires_after_30_minutes(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    url = answer.json()["data"]["imageUrl"]
    clock.advance(30 * 60 + 1)
    put = await client.put(url, content=image_bytes())
    check("uploadFile", put)
    assert put.status_code == 403 and "expired" in put.json()["msg"]


async def test_tampered_presigned_url_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    url: str = answer.json()["data"]["imageUrl"]
    body, _, _mac = url.rsplit("/", 1)[1].partition(".")
    forged = url.replace(body, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"))
    for bad in (forged, url[:-3], url + "x"):
        put = await client.put(bad, content=image_bytes())
        check("uploadFile", put)
        assert put.status_code == 403


async def test_presigned_put_needs_no_key(client: httpx.AsyncClient) -> None:
    key, put = await put_upload(client, image_bytes())
    assert put.status_code == 200 and put.content == b""
    assert key.endswith(".png")


@pytest.mark.parametrize(
    ("declared", "data", "rule"),
    [
        ("png", image_bytes(fmt="JPEG"), "format"),
        ("png", b"GIF89a" + b"\0" * 64, "format"),
        ("webp", image_bytes(fmt="WEBP", frames=3), "animation"),
        ("png", image_bytes((4097, 8)), "resolution"),
    ],
)
async def test_content_checks_name_the_rule(
    client: httpx.AsyncClient, declared: str, data: bytes, rule: str
) -> None:
    _, put = await put_upload(client, data, declared)
    assert put.status_code == 400
    assert f": {rule}:" in put.json()["msg"]


async def test_oversized_put_is_refused_while_streaming(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    url = answer.json()["data"]["imageUrl"]
    chunk = b"\0" * (1024 * 1024)
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield image_bytes()
        for _ in range(40):
            sent += 1
            yield chunk

    put = await client.put(url, content=body())
    assert put.status_code == 413 and put.json()["msg"].startswith("file: size:")
    # Reading stopped just past 10 MB: the remaining 29 MB were never pulled.
    assert sent <= 11


async def test_multipart_upload(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/v1/api/upload", files={"file": ("a.webp", image_bytes(fmt="WEBP"))}
    )
    check("uploadAssetFile", answer)
    body = answer.json()
    assert answer.status_code == 200 and body["success"] is True and body["request_id"]
    assert body["data"]["fileKey"].endswith(".webp")


@pytest.mark.parametrize(
    ("name", "data", "rule"),
    [
        ("a.txt", b"hello", "format"),
        ("a.png", image_bytes(fmt="JPEG"), "format"),
        ("a.png", image_bytes(fmt="PNG", frames=2), "animation"),
    ],
)
async def test_multipart_content_checks(
    client: httpx.AsyncClient, name: str, data: bytes, rule: str
) -> None:
    answer = await client.post("/v1/api/upload", files={"file": (name, data)})
    check("uploadAssetFile", answer)
    assert answer.status_code == 400 and f"file: {rule}:" in answer.json()["msg"]


async def test_multipart_without_file_field(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/api/upload", files={"other": ("a.png", image_bytes())})
    check("uploadAssetFile", answer)
    assert answer.status_code == 400 and answer.json()["msg"].startswith("file:")


async def test_uploaded_key_usable_by_task(client: httpx.AsyncClient) -> None:
    key = await upload(client, multipart=True)
    answer = await client.post("/v1/api/generate/removeBackground", json={"imageKey": key})
    assert answer.json()["code"] == 0
