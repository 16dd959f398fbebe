"""Download URLs: stability within 12 hours, expiry, tampering, formats, determinism, uhd."""

from __future__ import annotations

import io
import re
import sys
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
import pytest
from PIL import Image

from sellerpic_mock import FakeClock

from .conftest import check, created_id, s3_error, status, upload

SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"
VIDEO = "UPLOAD/MANAGE/SAMPLE/image-to-video/1-original.webp"


async def finished(
    client: httpx.AsyncClient, clock: FakeClock, operation: str, body: dict[str, object]
) -> str:
    task_id = await created_id(client, operation, body)
    clock.advance(10)
    return str((await status(client, task_id))[0]["id"])


async def link(
    client: httpx.AsyncClient, result_id: str, fmt: str = "png", uhd: bool | None = None
) -> httpx.Response:
    params: dict[str, str] = {"id": result_id, "downloadFormat": fmt}
    if uhd is not None:
        params["uhd"] = str(uhd).lower()
    answer = await client.get("/v1/api/download", params=params)
    check("getDownloadUrl", answer)
    return answer


async def test_same_url_within_12_hours_then_403(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    result_id = await finished(client, clock, "removeBackground", {"imageKey": SAMPLE})
    first = (await link(client, result_id)).json()["data"]["fileUrl"]
    clock.advance(6 * 3600)
    assert (await link(client, result_id)).json()["data"]["fileUrl"] == first
    # Another format is another URL.
    assert (await link(client, result_id, "webp")).json()["data"]["fileUrl"] != first
    assert (await client.get(first)).status_code == 200
    clock.advance(6 * 3600 + 1)
    expired = await client.get(first)
    assert expired.status_code == 403
    assert s3_error(expired) == ("AccessDenied", "Request has expired")
    renewed = (await link(client, result_id)).json()["data"]["fileUrl"]
    assert renewed != first and (await client.get(renewed)).status_code == 200


async def test_file_urls_have_the_s3_shape(client: httpx.AsyncClient, clock: FakeClock) -> None:
    task_id = await created_id(client, "removeBackground", {"imageKey": SAMPLE})
    clock.advance(10)
    item = (await status(client, task_id))[0]
    result_id = item["id"]
    url = urlsplit((await link(client, result_id, "webp")).json()["data"]["fileUrl"])
    assert re.fullmatch(r"/RESULT/\d+/\d{4}/\d{2}/\d{2}/\d{19}_output_0\.webp", url.path)
    query = dict(parse_qsl(url.query))
    assert list(query) == [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Signature",
    ]  # fmt: skip
    assert query["X-Amz-Expires"] == str(12 * 3600)
    # A status item's fileUrl is the presigned URL of its fileKey, about a week long.
    status_url = urlsplit(item["fileUrl"])
    assert status_url.path == "/" + item["fileKey"]
    assert dict(parse_qsl(status_url.query))["X-Amz-Expires"] == str(7 * 24 * 3600)


async def test_tampered_file_url_is_403(client: httpx.AsyncClient, clock: FakeClock) -> None:
    result_id = await finished(client, clock, "removeBackground", {"imageKey": SAMPLE})
    url: str = (await link(client, result_id)).json()["data"]["fileUrl"]
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    other_format = parts.path.replace(".png", ".webp")
    signature = query["X-Amz-Signature"]
    for bad, code in (
        (
            url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:]),
            "SignatureDoesNotMatch",
        ),
        (url.replace("X-Amz-Expires=43200", "X-Amz-Expires=604800"), "SignatureDoesNotMatch"),
        (urlunsplit(parts._replace(path=other_format)), "SignatureDoesNotMatch"),
        (url.split("&X-Amz-Signature=")[0], "AccessDenied"),
        (urlunsplit(parts._replace(query="")), "AccessDenied"),
    ):
        answer = await client.get(bad)
        assert answer.status_code == 403, bad
        assert s3_error(answer)[0] == code, (bad, answer.text)
    assert (await client.get(url)).status_code == 200


async def test_not_ready_unknown_and_wrong_kind(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    task_id = await created_id(client, "removeBackground", {"imageKey": SAMPLE})
    result_id = (await status(client, task_id))[0]["id"]
    answer = await link(client, result_id)
    assert answer.status_code == 400 and "CREATED" in answer.json()["msg"]
    assert (await link(client, "1234567890123456789")).status_code == 404
    clock.advance(10)
    answer = await link(client, result_id, "mp4")
    assert answer.status_code == 400 and answer.json()["msg"].startswith("downloadFormat:")
    bad = await client.get("/v1/api/download", params={"id": result_id, "downloadFormat": "bmp"})
    check("getDownloadUrl", bad)
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("jpg", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp")]
)
async def test_image_formats(
    client: httpx.AsyncClient, clock: FakeClock, fmt: str, content_type: str
) -> None:
    result_id = await finished(
        client, clock, "instructEdit", {"imageKey": SAMPLE, "prompt": "warm"}
    )
    url = (await link(client, result_id, fmt)).json()["data"]["fileUrl"]
    answer = await client.get(url)
    assert answer.headers["content-type"] == content_type
    with Image.open(io.BytesIO(answer.content)) as img:
        assert img.format == {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt]


@pytest.mark.parametrize(("fmt", "magic"), [("mp4", b"ftyp"), ("gif", b"GIF8"), ("webp", b"RIFF")])
async def test_video_formats(
    client: httpx.AsyncClient, clock: FakeClock, fmt: str, magic: bytes
) -> None:
    result_id = await finished(
        client, clock, "imageToVideo", {"imageKey": VIDEO, "videoDuration": 5}
    )
    answer = await client.get((await link(client, result_id, fmt)).json()["data"]["fileUrl"])
    assert answer.status_code == 200 and magic in answer.content[:12]
    assert (await link(client, result_id, "png")).status_code == 400


async def test_mp4_without_pyav_names_the_extra(
    client: httpx.AsyncClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyAV is the simulator-video extra: without it, an MP4 download says what to install, and
    # GIF and WebP results still render.
    monkeypatch.setitem(sys.modules, "av", None)
    result_id = await finished(client, clock, "imageToVideo", {"imageKey": VIDEO})
    answer = await client.get((await link(client, result_id, "mp4")).json()["data"]["fileUrl"])
    assert answer.status_code == 501
    assert "sellerpic-kit[simulator-video]" in answer.json()["msg"]
    gif = await client.get((await link(client, result_id, "gif")).json()["data"]["fileUrl"])
    assert gif.status_code == 200 and gif.content.startswith(b"GIF8")
    monkeypatch.delitem(sys.modules, "av")
    # Nothing half-rendered was kept: with PyAV back, the same URL serves the video.
    again = await client.get((await link(client, result_id, "mp4")).json()["data"]["fileUrl"])
    assert again.status_code == 200 and b"ftyp" in again.content[:12]


async def test_results_are_deterministic(client: httpx.AsyncClient, clock: FakeClock) -> None:
    body = {
        "replaceType": "SOLID_COLOR_BACKGROUND",
        "productImageKey": SAMPLE,
        "backgroundColor": "#336699",
    }
    outputs = []
    for _ in range(2):
        result_id = await finished(client, clock, "replaceBackground", body)
        outputs.append(
            (await client.get((await link(client, result_id)).json()["data"]["fileUrl"])).content
        )
    assert outputs[0] == outputs[1]
    with Image.open(io.BytesIO(outputs[0])) as img:
        assert img.convert("RGB").getpixel((2, 2)) == (0x33, 0x66, 0x99)


async def test_same_inputs_uploaded_twice_give_same_video(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    outputs = []
    for _ in range(2):
        result_id = await finished(client, clock, "imageToVideo", {"imageKey": VIDEO})
        outputs.append(
            (
                await client.get((await link(client, result_id, "mp4")).json()["data"]["fileUrl"])
            ).content
        )
    assert outputs[0] == outputs[1]


async def test_uhd_longest_side_4096(client: httpx.AsyncClient, clock: FakeClock) -> None:
    key = await upload(client)
    result_id = await finished(client, clock, "segmentImage", {"imageKey": key})
    answer = await client.get(
        (await link(client, result_id, "jpg", uhd=True)).json()["data"]["fileUrl"]
    )
    with Image.open(io.BytesIO(answer.content)) as img:
        assert max(img.size) == 4096
    plain = await client.get(
        (await link(client, result_id, "jpg", uhd=False)).json()["data"]["fileUrl"]
    )
    with Image.open(io.BytesIO(plain.content)) as img:
        assert img.size == (64, 64)


async def test_segmentation_gives_black_and_white_mask(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    result_id = await finished(
        client, clock, "promptSegmentation", {"imageKey": SAMPLE, "prompt": "bag"}
    )
    answer = await client.get((await link(client, result_id)).json()["data"]["fileUrl"])
    with Image.open(io.BytesIO(answer.content)) as img:
        colours = {c for _, c in img.convert("L").getcolors() or []}
    assert colours == {0, 255}
