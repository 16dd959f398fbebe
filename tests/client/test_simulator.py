"""Every client method, sync and async, and each retry rule against the sellerpic_mock simulator."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sim = pytest.importorskip("sellerpic_mock.testing")
from sellerpic import (  # noqa: E402
    APIConnectionError,
    APITimeoutError,
    AsyncSellerPic,
    InvalidInputError,
    SellerPic,
    TaskFailedError,
)
from sellerpic.batch import Job, load_state  # noqa: E402
from sellerpic_mock.config import MockConfig  # noqa: E402

from .conftest import FAST  # noqa: E402

KEY = sim.DEMO_API_KEY
FAST_TASKS = {"created_seconds": 0.05, "running_seconds": 0.1}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with sim.run_server(MockConfig(**FAST_TASKS)) as url:
        yield url


@pytest.fixture
def fresh_server() -> Iterator[str]:
    """A server of its own, for tests that count the account's credits."""
    with sim.run_server(MockConfig(**FAST_TASKS)) as url:
        yield url


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "image": tmp_path / "image.png",
        "mask": tmp_path / "mask.png",
        "product": tmp_path / "product.jpg",
    }
    paths["image"].write_bytes(sim.image_bytes((320, 320)))
    paths["mask"].write_bytes(sim.mask_bytes((320, 320)))
    paths["product"].write_bytes(sim.image_bytes((320, 320), fmt="JPEG", colour=(0, 0, 200)))
    return paths


def operation_inputs(files: dict[str, Path]) -> dict[str, dict[str, Any]]:
    image, mask, product = files["image"], files["mask"], files["product"]
    return {
        "try_on_accessories": {"model_image": image, "model_mask": mask, "product_image": product},
        "try_on_apparel": {"model_image": image, "top": product},
        "swap_model": {"model_image": image, "model_mask": mask},
        "replace_background": {"product_image": product, "background_color": "#80c699"},
        "instruct_edit": {"image": image, "prompt": "turn the head"},
        "segment_by_prompt": {"image": image, "prompt": "square"},
        "segment_by_type": {"image": image, "segment_type": "product", "expand_pixels": 2},
        "image_to_video": {"image": image, "prompt": "slow pan", "video_duration": 5},
        "lifestyle_scene": {"product_image": product, "prompt": "kitchen"},
        "remove_background": {"image": image},
    }


def sync_client(url: str, **kw: Any) -> SellerPic:
    return SellerPic(KEY, base_url=url, retry_policy=FAST, poll_interval=0.05, **kw)


def with_fault(
    fault: str, matches: Callable[[httpx.Request], bool], times: int = 1
) -> dict[str, Any]:
    """Event hooks that add the simulator's fault header to the first `times` matching requests."""
    left = [times]

    def hook(request: httpx.Request) -> None:
        if left[0] > 0 and matches(request):
            left[0] -= 1
            request.headers["X-Sellerpic-Mock-Fault"] = fault

    return {"request": [hook]}


def is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.startswith("/v1/api/generate/")


@pytest.mark.parametrize("upload_mode", ["presigned", "multipart"])
def test_every_operation_sync(
    server: str, inputs: dict[str, Path], tmp_path: Path, upload_mode: str
) -> None:
    with sync_client(server, upload_mode=upload_mode) as client:  # type: ignore[arg-type]
        tasks = {
            name: getattr(client, name)(**values)
            for name, values in operation_inputs(inputs).items()
        }
        for name, task in tasks.items():
            status = task.wait(timeout=20)
            assert status.done and status.successes, name
            files = task.download(tmp_path / name)
            assert files and all(f.stat().st_size > 0 for f in files), name
        assert tasks["image_to_video"].download(tmp_path / "v")[0].suffix == ".mp4"
        assert len(tasks["try_on_accessories"].results) == 2


async def test_every_operation_async(server: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    async with AsyncSellerPic(
        KEY, base_url=server, retry_policy=FAST, poll_interval=0.05
    ) as client:
        for name, values in operation_inputs(inputs).items():
            task = await getattr(client, name)(**values)
            await task.wait(timeout=20)
            assert await task.download(tmp_path / name), name
        credits = await client.credits()
        assert credits.total >= credits.remaining
        assert (await client.presets("SWAP_MODEL")).items
        key = await client.upload(inputs["mask"], mask_for=inputs["image"])
        assert key.startswith("UPLOAD/")
        result = await client.run(
            "remove-background", image=inputs["image"], output_dir=tmp_path / "run"
        )
        assert result.files


def test_account_upload_and_resume_by_id(
    server: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    with sync_client(server) as client:
        assert client.credits().total > 0
        page = client.presets("AI_BACKGROUND", page_size=2)
        assert len(page.items) <= 2 and page.items[0].id
        image_key = client.upload(inputs["image"])
        mask_key = client.upload(inputs["mask"], mask_for=inputs["image"])
        task = client.try_on_accessories(
            model_image=image_key, model_mask=mask_key, product_image=image_key
        )
        again = client.task(task.id, "try-on-accessories")
        again.wait(timeout=20)
        assert len(again.download(tmp_path)) == 2
        with pytest.raises(InvalidInputError):
            client.upload(inputs["image"], mask_for=sim.image_bytes((100, 100)))


def test_expired_upload_and_download_urls_are_renewed(
    server: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    http = httpx.Client(event_hooks=with_fault("expired-url", lambda r: r.method == "PUT"))
    with sync_client(server, http_client=http) as client:
        task = client.remove_background(image=inputs["image"])
        task.wait(timeout=20)
    http = httpx.Client(
        event_hooks=with_fault("expired-url", lambda r: r.url.path.startswith("/RESULT/"))
    )
    with sync_client(server, http_client=http) as client:
        assert client.task(task.id, "remove_background").download(tmp_path)


def test_concurrency_limit_and_server_errors_are_retried(
    server: str, inputs: dict[str, Path]
) -> None:
    hooks = with_fault("concurrency-limit", is_create, times=2)
    hooks["request"] += with_fault("server-error", lambda r: r.url.path == "/v1/api/generate")[
        "request"
    ]
    hooks["request"] += with_fault("drop", lambda r: r.url.path == "/v1/api/usage")["request"]
    with sync_client(server, http_client=httpx.Client(event_hooks=hooks)) as client:
        client.credits()
        client.segment_by_prompt(image=inputs["image"], prompt="x").wait(timeout=20)


def _used(url: str) -> int:
    with sync_client(url) as client:
        return client.credits().used


def test_create_not_repeated_after_read_timeout(fresh_server: str, inputs: dict[str, Path]) -> None:
    creates: list[str] = []
    hooks = with_fault("slow=600", is_create)
    hooks["request"].append(lambda r: creates.append(r.url.path) if is_create(r) else None)
    client = sync_client(fresh_server, http_client=httpx.Client(event_hooks=hooks), timeout=0.3)
    key = client.upload(inputs["image"])
    mask = client.upload(inputs["mask"], mask_for=inputs["image"])
    with pytest.raises(APITimeoutError) as info:
        client.try_on_accessories(model_image=key, model_mask=mask, product_image=key)
    assert info.value.maybe_processed and len(creates) == 1
    time.sleep(1.2)  # let the slowed request finish server-side
    # The simulator may or may not finish a request whose client left during the delay;
    # what matters is that there is never a second task (which would show as 4).
    assert _used(fresh_server) in (0, 2)


def test_create_not_repeated_after_dropped_answer(
    fresh_server: str, inputs: dict[str, Path]
) -> None:
    http = httpx.Client(event_hooks=with_fault("drop-after", is_create))
    with sync_client(fresh_server, http_client=http) as client:
        key = client.upload(inputs["image"])
        mask = client.upload(inputs["mask"], mask_for=inputs["image"])
        with pytest.raises(APIConnectionError) as info:
            client.try_on_accessories(model_image=key, model_mask=mask, product_image=key)
        assert info.value.maybe_processed
    time.sleep(0.5)  # credits are settled when the task finishes
    assert _used(fresh_server) == 2  # the server created exactly one task


def test_all_failed_raises(tmp_path: Path, inputs: dict[str, Path]) -> None:
    with (
        sim.run_server(MockConfig(failure_rate=1.0, **FAST_TASKS)) as url,
        sync_client(url) as client,
    ):
        with pytest.raises(TaskFailedError) as info:
            client.run("remove_background", image=inputs["image"], output_dir=tmp_path)
        assert info.value.failures and info.value.failures[0].error_msg


def test_batch_respects_limits_and_resumes(
    server: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    state_file = tmp_path / "state.json"
    jobs = [
        Job("segment_by_prompt", {"image": str(inputs["image"]), "prompt": "x"}, f"j{n}")
        for n in range(7)
    ]
    peak = [0]

    def on_event(record: Any) -> None:
        saved = load_state(state_file)
        peak[0] = max(peak[0], sum(1 for r in saved.values() if r.state == "created"))

    with sync_client(server) as client:
        report = client.batch(
            jobs, state_file=state_file, output_dir=tmp_path / "out", on_event=on_event
        )
    assert report.ok and peak[0] == 5  # segment-by-prompt's limit
    ids = {r.id: r.task_id for r in report.records}
    assert all((tmp_path / "out" / job_id).iterdir() for job_id in ids)

    # A crash right after one create and in the middle of another: resume polls the first
    # and leaves the ambiguous one alone.
    records = load_state(state_file)
    records["j0"].state, records["j0"].files = "created", []
    records["j1"].state, records["j1"].task_id = "creating", None
    from sellerpic.batch import save_state

    save_state(state_file, records)
    creates: list[str] = []
    http = httpx.Client(
        event_hooks={"request": [lambda r: creates.append("c") if is_create(r) else None]}
    )
    with sync_client(server, http_client=http) as client:
        report = client.batch(jobs, state_file=state_file, output_dir=tmp_path / "out")
        assert not creates
        assert {r.id: r.state for r in report.records}["j1"] == "ambiguous"
        assert report.records[0].task_id == ids["j0"]
        report = client.batch(
            jobs, state_file=state_file, output_dir=tmp_path / "out", retry_ambiguous=True
        )
        assert len(creates) == 1 and report.ok


async def test_async_batch(server: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    jobs = [
        {"operation": "remove-background", "inputs": {"image": str(inputs["image"])}}
        for _ in range(3)
    ]
    async with AsyncSellerPic(
        KEY, base_url=server, retry_policy=FAST, poll_interval=0.05
    ) as client:
        report = await client.batch(jobs, state_file=tmp_path / "s.json", output_dir=tmp_path)
    assert report.ok and len(report.records) == 3


def test_every_download_format_of_the_simulator_passes_the_result_checks(
    server: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """The format checks of downloads accept what a correct server sends, in every format."""
    with sync_client(server) as client:
        picture = client.remove_background(image=inputs["image"])
        video = client.image_to_video(image=inputs["image"], prompt="pan", video_duration=5)
        picture.wait(timeout=20)
        video.wait(timeout=20)
        for fmt in ("png", "jpg", "webp"):
            (path,) = picture.download(tmp_path / fmt, format=fmt)
            assert path.suffix == f".{fmt}" and path.stat().st_size > 0
        for fmt in ("mp4", "gif", "webp"):
            (path,) = video.download(tmp_path / f"video-{fmt}", format=fmt)
            assert path.suffix == f".{fmt}" and path.stat().st_size > 0
