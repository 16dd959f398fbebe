"""Targeted hostile input against the simulator: every attempt gets a clear 4xx envelope
(validated against the spec where the operation is in it) and a normal request works after."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from sellerpic_mock import MockConfig, create_app
from sellerpic_mock.app import Simulator
from sellerpic_mock.cli import _parser, is_loopback, serve
from sellerpic_mock.testing import asgi_client, close_app, image_bytes
from tests.mock.conftest import check

KEY_A = "sk-live-SECRET-hostile-a-91f0"
KEY_B = "sk-live-SECRET-hostile-b-27c4"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Simulator]:
    application = create_app(
        MockConfig(data_dir=tmp_path / "data", api_keys={KEY_A: 100, KEY_B: 100})
    )
    yield application
    close_app(application)


@pytest.fixture
async def a(app: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, KEY_A) as client:
        yield client


@pytest.fixture
async def b(app: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, KEY_B) as client:
        yield client


async def healthy(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/usage")
    check("getCreditUsage", answer)
    assert answer.status_code == 200


def envelope_4xx(answer: httpx.Response, operation: str | None = None) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    body = answer.json()
    assert body["success"] is False and isinstance(body["code"], int) and body["msg"]
    if operation is not None:
        check(operation, answer)


def storage_4xx(answer: httpx.Response, operation: str | None = None) -> str:
    """A presigned URL's refusal: 4xx with object storage's XML `<Error>`; returns its Code."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/xml"), answer.text[:300]
    root = ElementTree.fromstring(answer.content)
    assert root.tag == "Error" and root.findtext("Message"), answer.text[:300]
    if operation is not None:
        check(operation, answer)
    return root.findtext("Code") or ""


async def upload_key(client: httpx.AsyncClient, data: bytes | None = None) -> tuple[str, str]:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    key, url = answer.json()["data"]["fileKey"], answer.json()["data"]["imageUrl"]
    put = await client.put(url, content=data or image_bytes(), headers={"Authorization": ""})
    assert put.status_code == 200, put.text
    return key, url


# --- path traversal ----------------------------------------------------------------------------
TRAVERSAL_KEYS = [
    "../../etc/passwd",
    "UPLOAD/../../secret.key",
    "UPLOAD/%2e%2e%2f%2e%2e%2fsecret.key",
    "/etc/passwd",
    "UPLOAD/x\x00.png",
    "UPLOAD/MANAGE/SAMPLE/../../../sellerpic-mock.sqlite3",
]


@pytest.mark.parametrize("key", TRAVERSAL_KEYS)
async def test_traversal_file_keys_in_a_create_are_refused(a: httpx.AsyncClient, key: str) -> None:
    answer = await a.post("/v1/api/generate/removeBackground", json={"imageKey": key})
    envelope_4xx(answer, "removeBackground")
    await healthy(a)


@pytest.mark.parametrize(
    "path",
    [
        "/UPLOAD/..%2F..%2Fsecret.key",
        "/UPLOAD/%2e%2e%2f%2e%2e%2fsecret.key",
        "/UPLOAD/x%2F..%2F..%2Fsecret.key?X-Amz-Signature=00",
        "/RESULT/..%2Fsellerpic-mock.sqlite3",
        "/RESULT/%2e%2e%2f%2e%2e%2fsecret.key",
        "/presets/BACKGROUND/..%2F..%2Fsecret.key.png",
        "/RESULT/abc%00.def",
    ],
)
async def test_traversal_in_urls_is_refused(a: httpx.AsyncClient, path: str) -> None:
    method = "PUT" if path.startswith("/UPLOAD") else "GET"
    answer = await a.request(method, path, content=b"x" if method == "PUT" else None)
    if path.startswith(("/UPLOAD", "/RESULT")):
        assert storage_4xx(answer) == "AccessDenied"  # no signature: nothing is opened
    else:
        envelope_4xx(answer)
    assert b"SQLite" not in answer.content
    await healthy(a)


# --- presigned URLs ----------------------------------------------------------------------------
async def test_replayed_upload_url_may_overwrite_its_own_key_only(a: httpx.AsyncClient) -> None:
    """Decision: a presigned upload URL stays valid until it expires (like S3's), so a second PUT
    replaces the same key's bytes; it can never write elsewhere. Checked again on use."""
    _, url = await upload_key(a)
    second = await a.put(url, content=image_bytes(colour=(1, 2, 3)), headers={"Authorization": ""})
    assert second.status_code == 200
    bad = await a.put(url, content=b"not an image", headers={"Authorization": ""})
    envelope_4xx(bad, "uploadFile")
    await healthy(a)


async def test_tampered_and_swapped_presigned_urls_are_403(a: httpx.AsyncClient) -> None:
    key, url = await upload_key(a)
    path, _, query = url.partition("?")
    signature = query.rsplit("X-Amz-Signature=", 1)[1]
    forged = ("a" if signature[0] != "a" else "b") + signature[1:]
    key2, url2 = await upload_key(a)
    query2 = url2.partition("?")[2]
    for bad in (
        url.replace(signature, forged),  # another signature
        url.replace(key, key2),  # this signature on another key
        path.replace(key, key2)
        + "?"
        + query2.replace("X-Amz-Expires=1800", "X-Amz-Expires=604800"),
        url + "0",  # a longer signature
        path,  # no query at all
        url.replace("X-Amz-Signature=", "X-Amz-Signature=&x="),  # an empty signature
        url.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
    ):
        answer = await a.put(bad, content=image_bytes(), headers={"Authorization": ""})
        assert storage_4xx(answer, "uploadFile") in ("SignatureDoesNotMatch", "AccessDenied")
        assert answer.status_code == 403
    await healthy(a)


async def test_expired_upload_url_is_403(a: httpx.AsyncClient) -> None:
    answer = await a.get(
        "/v1/api/upload/url",
        params={"format": "png"},
        headers={"X-Sellerpic-Mock-Fault": "expired-url"},
    )
    put = await a.put(
        answer.json()["data"]["imageUrl"], content=image_bytes(), headers={"Authorization": ""}
    )
    assert storage_4xx(put, "uploadFile") == "AccessDenied"
    assert put.status_code == 403 and "Request has expired" in put.text


# --- other accounts ----------------------------------------------------------------------------
async def test_another_accounts_keys_tasks_and_results_are_invisible(
    a: httpx.AsyncClient, b: httpx.AsyncClient
) -> None:
    key, _ = await upload_key(a)
    created = await a.post("/v1/api/generate/removeBackground", json={"imageKey": key})
    task_id = created.json()["data"]["id"]
    envelope_4xx(
        await b.post("/v1/api/generate/removeBackground", json={"imageKey": key}),
        "removeBackground",
    )
    envelope_4xx(await b.get("/v1/api/generate", params={"id": task_id}), "getTaskStatus")
    status = await a.get("/v1/api/generate", params={"id": task_id})
    result_id = status.json()["data"]["resultList"][0]["id"]
    stolen = await b.get("/v1/api/download", params={"id": result_id, "downloadFormat": "png"})
    envelope_4xx(stolen, "getDownloadUrl")
    assert (await b.get("/v1/api/usage")).json()["data"]["usage"] == 0
    await healthy(b)


# --- oversized bodies --------------------------------------------------------------------------
async def test_streamed_50mb_upload_is_cut_off_early(a: httpx.AsyncClient) -> None:
    answer = await a.get("/v1/api/upload/url", params={"format": "png"})
    url = answer.json()["data"]["imageUrl"]
    sent = 0
    chunk = b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024 - 8)

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(50):
            sent += len(chunk)
            yield chunk

    put = await a.put(url, content=body(), headers={"Authorization": ""})
    envelope_4xx(put, "uploadFile")
    assert put.status_code == 413
    assert sent <= 12 * 1024 * 1024, f"the server read {sent} bytes of a 50 MB body"
    await healthy(a)


async def test_streamed_huge_json_body_is_cut_off_early(a: httpx.AsyncClient) -> None:
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"imageKey": "'
        for _ in range(50):
            sent += 1024 * 1024
            yield b"a" * (1024 * 1024)
        yield b'"}'

    answer = await a.post(
        "/v1/api/generate/removeBackground",
        content=body(),
        headers={"Content-Type": "application/json"},
    )
    envelope_4xx(answer)
    assert answer.status_code == 413 and sent <= 3 * 1024 * 1024, sent
    await healthy(a)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"imageKey": "UPLOAD/" + "x" * 900_000}).encode(),
        json.dumps({"prompt": "\u202e" * 1000, "imageKey": "k"}).encode(),
        b'{"imageKey": "UPLOAD/\\ud800"}',
        b"\xff\xfe{not json",
    ],
    ids=["deep-nesting", "long-string", "bidi", "lone-surrogate", "garbage"],
)
async def test_hostile_json_gets_400(a: httpx.AsyncClient, raw: bytes) -> None:
    answer = await a.post(
        "/v1/api/generate/removeBackground",
        content=raw,
        headers={"Content-Type": "application/json"},
    )
    envelope_4xx(answer, "removeBackground")
    await healthy(a)


async def test_deep_json_inside_a_valid_body_is_refused_by_name(a: httpx.AsyncClient) -> None:
    # Parsable (under the parser's 1024 levels) but deeper than a task's parameters may be
    # stored: refused up front, not a 500 when the task is written.
    key, _ = await upload_key(a)
    for depth in (33, 300):
        raw = b'{"imageKey": "%s", "extra": %s1%s}' % (key.encode(), b"[" * depth, b"]" * depth)
        answer = await a.post(
            "/v1/api/generate/removeBackground",
            content=raw,
            headers={"Content-Type": "application/json"},
        )
        envelope_4xx(answer, "removeBackground")
        assert answer.json()["msg"] == "body: JSON nested deeper than 32 levels", answer.text
    # Many brackets, little depth: accepted.
    wide = {"imageKey": key, "extra": [[{}] for _ in range(100)]}
    answer = await a.post("/v1/api/generate/removeBackground", json=wide)
    assert answer.status_code == 200 and answer.json()["code"] == 0, answer.text
    await healthy(a)


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity"])
async def test_non_json_numbers_are_invalid_json(a: httpx.AsyncClient, value: bytes) -> None:
    key, _ = await upload_key(a)
    answer = await a.post(
        "/v1/api/generate/removeBackground",
        content=b'{"imageKey": "%s", "extra": %s}' % (key.encode(), value),
        headers={"Content-Type": "application/json"},
    )
    envelope_4xx(answer, "removeBackground")
    assert answer.json()["msg"].startswith("body: invalid JSON: "), answer.text


# --- hostile images ----------------------------------------------------------------------------
def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data",
    [
        png_declaring(60000, 60000),
        png_declaring(5000, 100),
        image_bytes()[:40],
        image_bytes()[:8] + b"\0" * 200,
        b"GIF89a" + b"\0" * 100,
        b"",
    ],
    ids=["bomb-60000px", "too-wide", "truncated", "corrupt", "gif-as-png", "empty"],
)
async def test_hostile_images_are_refused_on_both_upload_flows(
    a: httpx.AsyncClient, data: bytes
) -> None:
    answer = await a.get("/v1/api/upload/url", params={"format": "png"})
    put = await a.put(
        answer.json()["data"]["imageUrl"], content=data, headers={"Authorization": ""}
    )
    multipart = await a.post("/v1/api/upload", files={"file": ("x.png", data, "image/png")})
    envelope_4xx(put, "uploadFile")
    envelope_4xx(multipart, "uploadAssetFile")
    await healthy(a)


# --- content types and header injection ---------------------------------------------------------
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-7",
    ],
)
async def test_wrong_content_type_on_create_is_a_clean_4xx(
    a: httpx.AsyncClient, content_type: str
) -> None:
    answer = await a.post(
        "/v1/api/generate/removeBackground",
        content=b"imageKey=x",
        headers={"Content-Type": content_type},
    )
    envelope_4xx(answer, "removeBackground")
    wrong = await a.post(
        "/v1/api/upload", content=b"{}", headers={"Content-Type": "application/json"}
    )
    envelope_4xx(wrong, "uploadAssetFile")
    await healthy(a)


async def test_crlf_in_multipart_filename_and_query_values(a: httpx.AsyncClient) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; '
        b'filename="x\r\nSet-Cookie: a=b\r\n.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + image_bytes() + b"\r\n--b--\r\n"
    )
    answer = await a.post(
        "/v1/api/upload", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert answer.status_code in (200, 400), answer.text
    assert "set-cookie" not in answer.headers
    if answer.status_code == 200:
        assert (
            "\r" not in answer.json()["data"]["fileKey"]
            and "\n" not in answer.json()["data"]["fileKey"]
        )
    for value in ("png\r\nSet-Cookie: a=b", "png%0d%0aX-Injected: 1"):
        query = await a.get("/v1/api/upload/url", params={"format": value})
        envelope_4xx(query, "getUploadUrl")
        assert "set-cookie" not in query.headers and "x-injected" not in query.headers
    status = await a.get("/v1/api/generate", params={"id": "1\r\nX-Injected: 1"})
    envelope_4xx(status, "getTaskStatus")
    assert "x-injected" not in status.headers
    await healthy(a)


# --- the bind address --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.8.9.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_which_hosts_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_default_host_is_loopback_and_a_public_bind_warns_before_binding(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert _parser().parse_args(["serve"]).host == "127.0.0.1"

    class Stop(Exception):
        pass

    def no_bind(host: str, port: int) -> Any:
        raise Stop(host)

    monkeypatch.setattr("sellerpic_mock.cli.listen_on", no_bind)
    args = _parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", str(tmp_path)]
    )
    with pytest.raises(Stop):
        serve(args)
    assert "WARNING: binding 0.0.0.0, which is not loopback" in capsys.readouterr().err
    args = _parser().parse_args(["serve", "--port", "0", "--data-dir", str(tmp_path)])
    with pytest.raises(Stop):
        serve(args)
    assert "WARNING" not in capsys.readouterr().err
