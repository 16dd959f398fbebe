"""Create-task rules: validation from the spec, inputs, masks, presets, limits and credits."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.app import Simulator
from sellerpic_mock.testing import asgi_client, image_bytes, mask_bytes

from .conftest import KEY_A, create, created_id, status, upload, usage

SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        ("instructEdit", {"prompt": "x"}, "imageKey"),
        ("instructEdit", {"imageKey": SAMPLE, "prompt": ""}, "prompt"),
        ("tryOnApparel", {"modelImageKey": SAMPLE, "top": {}}, "top.imageKey"),
        ("tryOnApparel", {"modelImageKey": SAMPLE}, "top|bottom|onePiece"),
        (
            "replaceBackground",
            {"replaceType": "AI_BACKGROUND", "productImageKey": SAMPLE},
            "presetBackgroundId",
        ),
        (
            "replaceBackground",
            {
                "replaceType": "SOLID_COLOR_BACKGROUND",
                "productImageKey": SAMPLE,
                "backgroundColor": "red",
            },
            "backgroundColor",
        ),
        ("replaceBackground", {"replaceType": "NOPE", "productImageKey": SAMPLE}, "replaceType"),
        (
            "replaceBackground",
            {
                "replaceType": "PRESET_BACKGROUND_IMAGE",
                "productImageKey": SAMPLE,
                "presetBackgroundId": "1",
            },
            "presetBackgroundId",
        ),
        ("swapModel", {"modelImageKey": SAMPLE, "modelId": "999"}, "modelId"),
        ("imageToVideo", {"imageKey": SAMPLE, "videoDuration": 61}, "videoDuration"),
        ("removeBackground", {"imageKey": "UPLOAD/1/2025/01/01/abc.png"}, "imageKey"),
    ],
)
async def test_invalid_bodies_name_the_field(
    client: httpx.AsyncClient, operation: str, body: dict[str, object], field: str
) -> None:
    answer = await create(client, operation, body)
    assert answer.status_code == 400 and answer.json()["code"] == 400
    assert answer.json()["msg"].startswith(f"{field}:"), answer.json()["msg"]


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/v1/api/generate/removeBackground",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    # The message says what is wrong and where.
    assert answer.json()["msg"] == (
        "body: invalid JSON: unexpected character, expected a string key: line 1 column 2 (char 1)"
    )


async def test_sample_keys_from_the_docs_work(client: httpx.AsyncClient) -> None:
    answer = await create(
        client,
        "replaceBackground",
        {"replaceType": "AI_BACKGROUND", "productImageKey": SAMPLE, "presetBackgroundId": "1"},
    )
    assert answer.json()["code"] == 0


async def test_masks_must_match_and_be_black_and_white(client: httpx.AsyncClient) -> None:
    model = await upload(client, image_bytes((64, 64)))
    product = await upload(client)
    for mask, words in (
        (mask_bytes((32, 32)), "must match"),
        (mask_bytes((64, 64), grey=True), "black and white"),
    ):
        mask_key = await upload(client, mask)
        answer = await create(
            client,
            "tryOnAccessories",
            {"modelImageKey": model, "modelMaskKey": mask_key, "productImageKey": product},
        )
        assert answer.status_code == 400
        assert (
            answer.json()["msg"].startswith("modelMaskKey: mask:") and words in answer.json()["msg"]
        )


async def _accessories(client: httpx.AsyncClient, model: str, mask: str) -> httpx.Response:
    product = await upload(client)
    body = {"modelImageKey": model, "modelMaskKey": mask, "productImageKey": product}
    return await create(client, "tryOnAccessories", body)


async def test_a_kept_mask_verdict_is_the_verdict_for_that_image_size(
    client: httpx.AsyncClient,
) -> None:
    # Mask verdicts are kept per mask and image size: each size gets its own.
    mask = await upload(client, mask_bytes((64, 64)))
    small = await upload(client, image_bytes((64, 64)))
    large = await upload(client, image_bytes((96, 96)))
    for model, accepted in ((small, True), (large, False), (small, True), (large, False)):
        answer = await _accessories(client, model, mask)
        assert (answer.json()["code"] == 0) is accepted, answer.text


async def test_a_mask_written_again_is_checked_again(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    url, mask = answer.json()["data"]["imageUrl"], answer.json()["data"]["fileKey"]
    model = await upload(client, image_bytes((64, 64)))
    good, grey = mask_bytes((64, 64)), mask_bytes((64, 64), grey=True)
    for content, accepted in ((good, True), (grey, False)):
        put = await client.put(url, content=content, headers={"Authorization": ""})
        assert put.status_code == 200, put.text
        answer = await _accessories(client, model, mask)
        assert (answer.json()["code"] == 0) is accepted, answer.text
        if not accepted:
            assert "black and white" in answer.json()["msg"], answer.text


async def test_segment_image_resolution_limit(client: httpx.AsyncClient) -> None:
    key = await upload(client, image_bytes((2001, 16)))
    answer = await create(client, "segmentImage", {"imageKey": key})
    assert answer.status_code == 400 and answer.json()["msg"].startswith("imageKey: resolution:")


async def test_video_source_needs_300px_short_edge(client: httpx.AsyncClient) -> None:
    key = await upload(client, image_bytes((200, 200)))
    answer = await create(client, "imageToVideo", {"imageKey": key})
    assert answer.status_code == 400 and answer.json()["msg"].startswith("imageKey: resolution:")


@pytest.mark.parametrize(("operation", "limit"), [("instructEdit", 5), ("removeBackground", 10)])
async def test_concurrency_limit(
    client: httpx.AsyncClient, clock: FakeClock, operation: str, limit: int
) -> None:
    body = (
        {"imageKey": SAMPLE, "prompt": "x"} if operation == "instructEdit" else {"imageKey": SAMPLE}
    )
    for _ in range(limit):
        await created_id(client, operation, body)
    refused = await create(client, operation, body)
    assert refused.status_code == 200
    assert refused.json()["code"] == 30003 and refused.json()["success"] is False
    # Another type has its own budget.
    await created_id(client, "promptSegmentation", {"imageKey": SAMPLE, "prompt": "bag"})
    # A finished task frees its slot.
    clock.advance(10)
    await created_id(client, operation, body)


async def test_credits_charged_and_refunded(
    make_app: Callable[..., Simulator], clock: FakeClock
) -> None:
    app = make_app(failure_rate=1.0)
    async with asgi_client(app, KEY_A) as client:
        task_id = await created_id(
            client,
            "replaceBackground",
            {
                "replaceType": "TEXT_TO_BACKGROUND",
                "productImageKey": SAMPLE,
                "customBackgroundPrompt": "sea",
            },
        )
        assert await usage(client) == {"remaining": 996, "total": 1000, "usage": 4}
        clock.advance(10)
        # Usage alone settles the finished task: no status call is needed for the refund.
        assert await usage(client) == {"remaining": 1000, "total": 1000, "usage": 0}
        items = await status(client, task_id)
        assert {i["status"] for i in items} == {"FAILED"}
        assert all(i["errorCode"] != 0 and i["errorMsg"] and i["fileUrl"] == "" for i in items)
        # Refunded exactly once, however often it is read.
        await status(client, task_id)
        assert (await usage(client))["usage"] == 0
        link = await client.get(
            "/v1/api/download", params={"id": items[0]["id"], "downloadFormat": "png"}
        )
        assert link.status_code == 400 and "FAILED" in link.json()["msg"]


async def test_failures_are_deterministic_per_seed(
    make_app: Callable[..., Simulator], clock: FakeClock
) -> None:
    app = make_app(failure_rate=0.5, seed=7)
    async with asgi_client(app, KEY_A) as client:
        outcomes = []
        for _ in range(4):
            task_id = await created_id(
                client, "tryOnApparel", {"modelImageKey": SAMPLE, "top": {"imageKey": SAMPLE}}
            )
            clock.advance(10)
            outcomes += [i["status"] for i in await status(client, task_id)]
        assert {"SUCCESS", "FAILED"} == set(outcomes)
        failed = outcomes.count("FAILED")
        assert (await usage(client))["usage"] == 16 - failed


async def test_insufficient_credits(make_app: Callable[..., Simulator]) -> None:
    app = make_app(api_keys={KEY_A: 12})
    async with asgi_client(app, KEY_A) as client:
        await created_id(
            client,
            "imageToVideo",
            {"imageKey": "UPLOAD/MANAGE/SAMPLE/image-to-video/1-original.webp"},
        )
        refused = await create(
            client, "tryOnApparel", {"modelImageKey": SAMPLE, "top": {"imageKey": SAMPLE}}
        )
        assert refused.status_code == 200 and refused.json()["code"] == 30004
        assert await usage(client) == {"remaining": 2, "total": 12, "usage": 10}
        # Free operations still work with few credits.
        await created_id(client, "segmentImage", {"imageKey": SAMPLE})


async def test_video_prices(client: httpx.AsyncClient) -> None:
    video = "UPLOAD/MANAGE/SAMPLE/image-to-video/1-original.webp"
    for duration, cost in ((0, 10), (5, 10), (10, 15)):
        before = (await usage(client))["usage"]
        await created_id(client, "imageToVideo", {"imageKey": video, "videoDuration": duration})
        assert (await usage(client))["usage"] - before == cost


async def test_replace_background_result_counts(client: httpx.AsyncClient) -> None:
    cases = {
        "AI_BACKGROUND": ({"presetBackgroundId": "3"}, 4),
        "TEXT_TO_BACKGROUND": ({"customBackgroundPrompt": "beach"}, 4),
        "PRESET_BACKGROUND_IMAGE": ({"presetBackgroundId": "301"}, 1),
        "CUSTOM_BACKGROUND_IMAGE": ({"backgroundImageKey": SAMPLE}, 1),
        "SOLID_COLOR_BACKGROUND": ({"backgroundColor": "#80c699"}, 1),
    }
    for replace_type, (extra, count) in cases.items():
        body = {"replaceType": replace_type, "productImageKey": SAMPLE, **extra}
        task_id = await created_id(client, "replaceBackground", body)
        assert len(await status(client, task_id)) == count


async def test_undeclared_replace_type_of_any_shape_is_ignored(client: httpx.AsyncClient) -> None:
    # Only replaceBackground declares replaceType; elsewhere it is an extra field and may be
    # anything, an object included, and the operation's own result count applies.
    video = "UPLOAD/MANAGE/SAMPLE/image-to-video/1-original.webp"
    for value in ({"U": True}, ["AI_BACKGROUND"], "AI_BACKGROUND"):
        body = {"imageKey": video, "videoDuration": 5, "replaceType": value}
        task_id = await created_id(client, "imageToVideo", body)
        assert len(await status(client, task_id)) == 1
