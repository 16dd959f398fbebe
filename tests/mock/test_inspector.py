"""The web inspector at /_sellerpic/: the page, its pictures and its forms (in process), and
the page in a real headless Chromium against a served simulator."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from sellerpic_mock import FakeClock, MockConfig
from sellerpic_mock.app import Simulator
from sellerpic_mock.testing import DEMO_API_KEY, asgi_client, image_bytes, run_server
from tests.mock.conftest import KEY_A, created_id, upload

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
CHROMIUM = os.environ.get("SELLERPIC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: As the machine's probe starts it: no sandbox as root, no network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IMG = re.compile(r'<img src="([^"]+)"')


@pytest.fixture
async def admin(app: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, None) as c:
        yield c


@pytest.fixture
async def user(app: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, KEY_A) as c:
        yield c


def pictures_of(page: str) -> list[str]:
    return [src.replace("&amp;", "&") for src in IMG.findall(page)]


async def test_the_page_shows_a_task_with_its_input_and_after_advance_its_result(
    admin: httpx.AsyncClient, user: httpx.AsyncClient, clock: FakeClock
) -> None:
    key = await upload(user, image_bytes((200, 120)))
    task_id = await created_id(user, "removeBackground", {"imageKey": key})

    page = await admin.get("/_sellerpic/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert task_id in page.text and "CREATED" in page.text
    [thumb] = pictures_of(page.text)
    picture = await admin.get(thumb)
    assert picture.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(picture.content)) as small:
        assert max(small.size) <= 160  # a thumbnail, not the upload
    full = await admin.get(thumb + "&full=1")
    with Image.open(io.BytesIO(full.content)) as whole:
        assert whole.size == (200, 120)

    moved = await admin.post("/_sellerpic/ui/advance", data={"seconds": "30"})
    assert moved.status_code == 303 and moved.headers["location"] == "/_sellerpic/"
    page = await admin.get("/_sellerpic/")
    assert "SUCCESS" in page.text
    _input, result_thumb = pictures_of(page.text)
    assert "/_sellerpic/pictures/results/" in result_thumb
    result = await admin.get(result_thumb)
    assert result.status_code == 200 and result.headers["content-type"] == "image/png"


async def test_reset_from_the_page_empties_the_tasks(
    admin: httpx.AsyncClient, user: httpx.AsyncClient
) -> None:
    task_id = await created_id(user, "removeBackground", {"imageKey": await upload(user)})
    reset = await admin.post("/_sellerpic/ui/reset")
    assert reset.status_code == 303
    assert task_id not in (await admin.get("/_sellerpic/")).text


async def test_a_form_post_from_another_origin_is_refused(
    admin: httpx.AsyncClient, user: httpx.AsyncClient
) -> None:
    task_id = await created_id(user, "removeBackground", {"imageKey": await upload(user)})
    refused = await admin.post(
        "/_sellerpic/ui/reset", headers={"Origin": "http://elsewhere.example"}
    )
    assert refused.status_code == 403
    assert "elsewhere.example" in refused.json()["message"]
    assert task_id in (await admin.get("/_sellerpic/")).text


async def test_the_journal_filter_and_the_duplicate_mark(
    admin: httpx.AsyncClient, user: httpx.AsyncClient
) -> None:
    key = await upload(user)
    first = await created_id(user, "removeBackground", {"imageKey": key})
    await created_id(user, "removeBackground", {"imageKey": key})
    page = (await admin.get("/_sellerpic/", params={"operation": "removeBackground"})).text
    rows = re.findall(r"<tr class=\"[^\"]*\">.*?</tr>", page, re.DOTALL)
    assert len(rows) == 2  # only the creates
    refused = await admin.get("/_sellerpic/", params={"status": "nonsense"})
    assert refused.status_code == 400 and "status" in refused.json()["message"]
    assert f"repeats task <code>{first}</code>" in page


@pytest.mark.parametrize(
    ("path", "query", "status", "words"),
    [
        ("/_sellerpic/pictures/uploads", {}, 400, "give the file key"),
        (
            "/_sellerpic/pictures/uploads",
            {"key": "UPLOAD/1/none.png"},
            404,
            "no such uploaded file",
        ),
        ("/_sellerpic/pictures/results/123", {}, 404, "no such result"),
        ("/_sellerpic/pictures/results/12a", {}, 400, "is not an id"),
    ],
)
async def test_pictures_refuse_what_they_cannot_show(
    admin: httpx.AsyncClient, path: str, query: dict[str, str], status: int, words: str
) -> None:
    answer = await admin.get(path, params=query)
    assert answer.status_code == status
    assert words in answer.json()["message"]


async def test_an_unfinished_result_has_no_picture(
    admin: httpx.AsyncClient, user: httpx.AsyncClient
) -> None:
    task_id = await created_id(user, "removeBackground", {"imageKey": await upload(user)})
    [task] = (await admin.get("/_sellerpic/tasks")).json()["tasks"]
    assert task["id"] == task_id
    answer = await admin.get(f"/_sellerpic/pictures/results/{task['results'][0]['id']}")
    assert answer.status_code == 400 and "only SUCCESS results" in answer.json()["message"]


def test_the_inspector_in_a_real_browser(tmp_path: Path) -> None:
    """Loads without console errors, shows a task created through the API with its input's
    thumbnail, and after "Advance" shows it SUCCESS with its result's; keeps a screenshot."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make setup` installs it (apt-get install chromium), "
            "or point SELLERPIC_CHROMIUM at one"
        )
    from playwright.sync_api import sync_playwright

    config = MockConfig(data_dir=tmp_path / "data", created_seconds=1, running_seconds=3)
    with run_server(config) as url, sync_playwright() as playwright:
        api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"})
        issued = api.get("/v1/api/upload/url", params={"format": "png"}).json()["data"]
        httpx.put(issued["imageUrl"], content=image_bytes((240, 160))).raise_for_status()
        created = api.post(
            "/v1/api/generate/removeBackground", json={"imageKey": issued["fileKey"]}
        )
        task_id = created.json()["data"]["id"]

        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(url + "/_sellerpic/")
            row = page.locator("#tasks tr", has_text=task_id)
            assert row.count() == 1
            assert "SUCCESS" not in row.inner_text()
            loaded = "el => el.complete && el.naturalWidth > 0"
            assert all(img.evaluate(loaded) for img in row.locator("img").all())
            assert row.locator("img").count() == 1

            page.fill("input[name=seconds]", "60")
            page.click("#advance")
            page.wait_for_url(url + "/_sellerpic/")
            row = page.locator("#tasks tr", has_text=task_id)
            assert "SUCCESS" in row.inner_text()
            assert row.locator("img").count() == 2
            assert all(img.evaluate(loaded) for img in row.locator("img").all())
            REPORTS.mkdir(exist_ok=True)
            page.screenshot(path=str(REPORTS / "inspector.png"), full_page=True)
            assert problems == []
        finally:
            browser.close()
