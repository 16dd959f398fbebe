"""Upload rules: presigned URL expiry and tampering, content checks, streaming size cap."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.testing import image_bytes

from .conftest import check, put_upload, s3_error, upload

AMZ = (
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)  # fmt: skip


def _with(url: str, name: str, value: str | None) -> str:
    """`url` with one query parameter changed (dropped when value is None), the rest as is."""
    parts = urlsplit(url)
    query = [(k, value if k == name else v) for k, v in parse_qsl(parts.query)]
    kept = [(k, v) for k, v in query if v is not None]
    return urlunsplit(parts._replace(query=urlencode(kept)))


async def test_upload_url_has_the_s3_shape(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "jpeg"})
    check("getUploadUrl", answer)
    data = answer.json()["data"]
    assert re.fullmatch(r"UPLOAD/\d{19}/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.jpeg", data["fileKey"])
    url = urlsplit(data["imageUrl"])
    assert f"{url.scheme}://{url.netloc}" == "http://testserver"
    assert url.path == "/" + data["fileKey"]  # the path is the object key
    query = dict(parse_qsl(url.query))
    assert tuple(query) == AMZ
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "1800" and query["X-Amz-SignedHeaders"] == "host"
    assert re.fullmatch(r"\d{8}T\d{6}Z", query["X-Amz-Date"])
    assert query["X-Amz-Credential"].endswith(f"/{query['X-Amz-Date'][:8]}/local/s3/aws4_request")
    assert re.fullmatch(r"[0-9a-f]{64}", query["X-Amz-Signature"])


async def test_upload_url_rejects_unknown_format(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "gif"})
    check("getUploadUrl", answer)
    assert answer.status_code == 400 and answer.json()["msg"].startswith("format:")


async def test_presigned_url_expires_after_30_minutes(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    url = answer.json()["data"]["imageUrl"]
    clock.advance(30 * 60 - 1)
    assert (await client.put(url, content=image_bytes())).status_code == 200
    clock.advance(2)
    put = await client.put(url, content=image_bytes())
    check("uploadFile", put)
    assert put.status_code == 403
    assert s3_error(put) == ("AccessDenied", "Request has expired")
    assert "<X-Amz-Expires>1800</X-Amz-Expires>" in put.text


@pytest.mark.parametrize("name", AMZ)
async def test_a_changed_or_missing_query_parameter_is_refused(
    client: httpx.AsyncClient, name: str
) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    url: str = answer.json()["data"]["imageUrl"]
    value = dict(parse_qsl(urlsplit(url).query))[name]
    changed = value[:-1] + ("0" if value[-1] != "0" else "1")
    for bad, code in (
        (_with(url, name, changed), "SignatureDoesNotMatch"),
        (_with(url, name, None), "AccessDenied"),
    ):
        put = await client.put(bad, content=image_bytes(), headers={"Authorization": ""})
        check("uploadFile", put)
        assert put.status_code == 403 and s3_error(put)[0] == code, (bad, put.text)
    # The untouched URL still works: nothing above used it up.
    assert (await client.put(url, content=image_bytes())).status_code == 200


async def test_a_url_signed_for_another_key_is_refused(client: httpx.AsyncClient) -> None:
    first = (await client.get("/v1/api/upload/url", params={"format": "png"})).json()["data"]
    second = (await client.get("/v1/api/upload/url", params={"format": "png"})).json()["data"]
    # The first URL's signature on the second key's path.
    swapped = first["imageUrl"].replace(first["fileKey"], second["fileKey"])
    put = await client.put(swapped, content=image_bytes())
    check("uploadFile", put)
    assert put.status_code == 403 and s3_error(put)[0] == "SignatureDoesNotMatch"


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
