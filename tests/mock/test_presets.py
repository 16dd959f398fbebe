"""The preset catalogue: paging, validation and the pictures behind the URLs."""

from __future__ import annotations

import httpx
import pytest

from .conftest import check


async def page(client: httpx.AsyncClient, **params: object) -> httpx.Response:
    answer = await client.get("/v1/api/presets", params=params)
    check("listPresets", answer)
    return answer


@pytest.mark.parametrize(
    ("kind", "total"),
    [("AI_BACKGROUND", 12), ("BACKGROUND", 8), ("SWAP_MODEL", 6), ("SWAP_MODEL_SCENE", 6)],
)
async def test_totals_and_default_page(client: httpx.AsyncClient, kind: str, total: int) -> None:
    data = (await page(client, type=kind)).json()["data"]
    assert data["total"] == total and len(data["list"]) == min(10, total)
    assert data["hasMore"] is (total > 10)


async def test_paging(client: httpx.AsyncClient) -> None:
    seen = []
    for number in (1, 2, 3):
        data = (await page(client, type="AI_BACKGROUND", pageNum=number, pageSize=5)).json()["data"]
        seen += [item["id"] for item in data["list"]]
        assert data["hasMore"] is (number < 3)
    assert seen == [str(n) for n in range(1, 13)]
    beyond = (await page(client, type="AI_BACKGROUND", pageNum=9)).json()["data"]
    assert beyond["list"] == [] and beyond["hasMore"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "NOPE"}, "type"),
        ({}, "type"),
        ({"type": "BACKGROUND", "pageSize": 51}, "pageSize"),
        ({"type": "BACKGROUND", "pageNum": 0}, "pageNum"),
        ({"type": "BACKGROUND", "pageNum": "x"}, "pageNum"),
    ],
)
async def test_invalid_paging(
    client: httpx.AsyncClient, params: dict[str, object], field: str
) -> None:
    answer = await page(client, **params)
    assert answer.status_code == 400 and answer.json()["msg"].startswith(f"{field}:")


async def test_pictures_are_served(client: httpx.AsyncClient) -> None:
    item = (await page(client, type="SWAP_MODEL", pageSize=1)).json()["data"]["list"][0]
    for url in (item["imageUrl"], item["thumbUrl"]):
        answer = await client.get(url, headers={"Authorization": ""})
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
        assert answer.content.startswith(b"\x89PNG")
    assert (await client.get("/presets/SWAP_MODEL/999.png")).status_code == 404
