"""A full workflow for every create operation; every answer validates against the spec."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from PIL import Image

from sellerpic_mock import FakeClock
from sellerpic_mock.testing import image_bytes, mask_bytes

from .conftest import SPEC, check, created_id, status, upload, usage

SIZE = (64, 64)


async def bodies(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    image = await upload(client)
    other = await upload(client, image_bytes(SIZE, "JPEG", (30, 90, 200)), "jpg", multipart=True)
    mask = await upload(client, mask_bytes(SIZE))
    video = await upload(client, image_bytes((400, 320), "WEBP"), "webp")
    return {
        "imageToVideo": {"imageKey": video, "prompt": "slow pan", "videoDuration": 5},
        "instructEdit": {"imageKey": image, "prompt": "make it blue", "refImageKey": other},
        "tryOnApparel": {"modelImageKey": image, "top": {"imageKey": other}},
        "tryOnAccessories": {
            "modelImageKey": image,
            "modelMaskKey": mask,
            "productImageKey": other,
        },
        "lifestyleScene": {"productImageKey": other, "prompt": "kitchen"},
        "swapModel": {
            "modelImageKey": image,
            "modelMaskKey": mask,
            "modelId": "101",
            "sceneId": "201",
        },
        "replaceBackground": {
            "replaceType": "AI_BACKGROUND",
            "productImageKey": other,
            "presetBackgroundId": "1",
        },
        "promptSegmentation": {"imageKey": image, "prompt": "square"},
        "segmentImage": {"imageKey": image, "type": "product", "expandPixels": 2},
        "removeBackground": {"imageKey": image},
    }


async def test_every_create_operation_has_a_body() -> None:
    assert set(SPEC.create_operations) == {
        "imageToVideo", "instructEdit", "tryOnApparel", "tryOnAccessories", "lifestyleScene",
        "swapModel", "replaceBackground", "promptSegmentation", "segmentImage", "removeBackground",
    }  # fmt: skip


@pytest.mark.parametrize("operation", sorted(SPEC.create_operations))
async def test_full_workflow(client: httpx.AsyncClient, clock: FakeClock, operation: str) -> None:
    body = (await bodies(client))[operation]
    before = await usage(client)
    task_id = await created_id(client, operation, body)
    assert len(task_id) == 19 and task_id.isdigit()

    first = await status(client, task_id)
    expected = SPEC.create_operations[operation].results_for(body)
    assert len(first) == expected
    assert {item["status"] for item in first} == {"CREATED"}
    assert all(item["fileUrl"] == "" and item["fileKey"] == "" for item in first)
    clock.advance(2)
    assert {item["status"] for item in await status(client, task_id)} == {"RUNNING"}
    clock.advance(5)
    done = await status(client, task_id)
    assert {item["status"] for item in done} == {"SUCCESS"}
    assert all(i["errorCode"] == 0 and i["errorMsg"] == "" and i["fileUrl"] for i in done)
    assert all(len(i["id"]) == 19 and i["fileKey"].startswith("RESULT/") for i in done)

    spent = before["remaining"] - (await usage(client))["remaining"]
    costs = {"imageToVideo": 10, "instructEdit": 1, "promptSegmentation": 0, "segmentImage": 0}
    assert spent == costs.get(operation, expected)

    video = operation == "imageToVideo"
    fmt = "mp4" if video else "png"
    link = await client.get("/v1/api/download", params={"id": done[0]["id"], "downloadFormat": fmt})
    check("getDownloadUrl", link)
    assert link.json()["data"]["status"] == "SUCCESS"
    file = await client.get(link.json()["data"]["fileUrl"], headers={"Authorization": ""})
    assert file.status_code == 200
    assert file.headers["content-type"] == ("video/mp4" if video else "image/png")
    if video:
        assert file.content[4:8] == b"ftyp"
    else:
        with Image.open(__import__("io").BytesIO(file.content)) as img:
            assert img.size[0] > 0
    # The status item's own fileUrl serves the same result.
    direct = await client.get(done[0]["fileUrl"])
    assert direct.status_code == 200 and direct.content == file.content


async def test_status_get_with_and_without_content_type(client: httpx.AsyncClient) -> None:
    task_id = await created_id(client, "removeBackground", {"imageKey": await upload(client)})
    for headers in ({}, {"Content-Type": "application/json"}):
        answer = await client.get("/v1/api/generate", params={"id": task_id}, headers=headers)
        check("getTaskStatus", answer)
        assert answer.status_code == 200


async def test_public_client_request_shapes(client: httpx.AsyncClient, clock: FakeClock) -> None:
    """The exact calls of the public third-party client (FACTS.md section 22), replayed."""
    key_only = {"Authorization": client.headers["Authorization"]}
    keys = []
    for colour in ((200, 10, 10), (10, 200, 10)):
        answer = await client.get("/v1/api/upload/url?format=png", headers=key_only)
        data = answer.json()["data"]  # it reads imageUrl and fileKey without checking code
        put = await client.put(
            data["imageUrl"],  # exactly as returned, query string and all
            content=image_bytes(SIZE, "PNG", colour),
            headers={"Content-Type": "application/octet-stream", "Authorization": ""},
        )
        assert 200 <= put.status_code < 300, put.text
        keys.append(data["fileKey"])
    answer = await client.post(
        "/v1/api/generate/tryOnApparel",
        json={"modelImageKey": keys[0], "bottom": {"imageKey": keys[1]}},
    )
    assert answer.json()["code"] == 0
    task_id = answer.json()["data"]["id"]
    # Right after create the list is already complete (4 items), each CREATED or RUNNING.
    first = await client.get(f"/v1/api/generate?id={task_id}", headers=key_only)
    assert isinstance(first.json()["data"]["resultList"], list)
    assert len(first.json()["data"]["resultList"]) == 4
    assert {i["status"].upper() for i in first.json()["data"]["resultList"]} <= {
        "CREATED",
        "RUNNING",
    }
    clock.advance(10)
    items = await status(client, task_id)
    assert len(items) == 4 and all(i["status"].upper() == "SUCCESS" for i in items)
    # A plain GET of the status item's own fileUrl, and of the download URL, with no headers.
    link = await client.get(
        f"/v1/api/download?downloadFormat=png&id={items[0]['id']}", headers=key_only
    )
    for url in (items[0]["fileUrl"], link.json()["data"]["fileUrl"]):
        data = await client.get(url, headers={"Authorization": ""})
        assert data.status_code == 200
        assert data.headers["content-type"].startswith("image/")


def test_error_messages_quoting_huge_input_stay_within_the_envelope_limit() -> None:
    from sellerpic_mock.domain.errors import MAX_MSG_CHARS, bad_request

    err = bad_request("prompt: '" + "x" * 100_000 + "' is too long")
    assert len(err.msg) == MAX_MSG_CHARS
    assert err.msg.startswith("prompt: 'xxx")
