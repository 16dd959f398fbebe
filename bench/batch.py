"""Batch throughput: `client.batch(...)` and a one-at-a-time loop against the simulator.

The simulator's task duration is deterministic: D = created + running seconds, no jitter, and a
slot of the per-operation limit frees exactly at the finish time. With the documented limit of
10 tryOnAccessories tasks in flight, no client can finish N tasks faster than ceil(N/10) x D.
Both clients do the same work per task: create (inputs are file keys uploaded once up front),
poll until done, download the 2 results.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sellerpic import AsyncSellerPic, SellerPic
from sellerpic_mock.testing import image_bytes, mask_bytes

from .common import DEMO_KEY, proc_status_kb, simulator

OPERATION = "try_on_accessories"
LIMIT = 10
INPUT_SIZE = (320, 320)


@dataclass
class Counter:
    """Counts requests by kind through an httpx event hook; keeps status-poll times."""

    polls: int = 0
    creates: int = 0
    other: int = 0
    poll_times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, request: httpx.Request) -> None:
        path = request.url.path
        with self.lock:
            if request.method == "GET" and path == "/v1/api/generate":
                self.polls += 1
                self.poll_times.append(time.monotonic())
            elif request.method == "POST" and path.startswith("/v1/api/generate/"):
                self.creates += 1
            else:
                self.other += 1


def bound_seconds(n: int, duration: float) -> float:
    return math.ceil(n / LIMIT) * duration


def upload_inputs(client: SellerPic) -> dict[str, Any]:
    """Upload one model, mask and product; every job reuses the keys."""
    image = image_bytes(INPUT_SIZE)
    return {
        "model_image": client.upload(image),
        "model_mask": client.upload(mask_bytes(INPUT_SIZE), mask_for=image),
        "product_image": client.upload(image_bytes(INPUT_SIZE, fmt="JPEG", colour=(0, 0, 200))),
    }


def _client(url: str, counter: Counter, poll_interval: float | None = None) -> SellerPic:
    http = httpx.Client(event_hooks={"request": [counter.hook]}, timeout=30)
    return SellerPic(DEMO_KEY, base_url=url, http_client=http, poll_interval=poll_interval)


def _jobs(n: int, keys: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"operation": OPERATION, "inputs": keys, "id": f"job-{i:05d}"} for i in range(n)]


def _batch_result(
    wall: float, counter: Counter, done: int, n: int, poll_interval: float
) -> dict[str, Any]:
    if done != n:
        raise RuntimeError(f"batch finished {done} of {n} jobs")
    return {
        "wall_s": wall,
        "polls": counter.polls,
        "creates": counter.creates,
        "other_requests": counter.other,
        "poll_interval_s": poll_interval,
        "done": done,
    }


def run_layer_batch(
    url: str, n: int, keys: dict[str, Any], workdir: Path, poll_interval: float | None = None
) -> dict[str, Any]:
    """`client.batch(...)`, by default with the layer's default poll interval (local URL)."""
    counter = Counter()
    client = _client(url, counter, poll_interval)
    started = time.monotonic()
    report = client.batch(
        _jobs(n, keys), state_file=workdir / "state.json", output_dir=workdir / "out"
    )
    wall = time.monotonic() - started
    client.close()
    return _batch_result(wall, counter, len(report.with_state("done")), n, client.poll_interval)


async def _run_async_batch(
    url: str, n: int, keys: dict[str, Any], workdir: Path, poll_interval: float | None
) -> dict[str, Any]:
    counter = Counter()

    async def hook(request: httpx.Request) -> None:
        counter.hook(request)

    http = httpx.AsyncClient(event_hooks={"request": [hook]}, timeout=30)
    async with AsyncSellerPic(
        DEMO_KEY, base_url=url, http_client=http, poll_interval=poll_interval
    ) as client:
        started = time.monotonic()
        report = await client.batch(
            _jobs(n, keys), state_file=workdir / "state.json", output_dir=workdir / "out"
        )
        wall = time.monotonic() - started
    await http.aclose()
    return _batch_result(wall, counter, len(report.with_state("done")), n, client.poll_interval)


def run_layer_batch_async(
    url: str, n: int, keys: dict[str, Any], workdir: Path, poll_interval: float | None = None
) -> dict[str, Any]:
    """`await AsyncSellerPic.batch(...)`: the same steps as the sync batch on an event loop."""
    return asyncio.run(_run_async_batch(url, n, keys, workdir, poll_interval))


def run_naive(
    url: str, n: int, keys: dict[str, Any], workdir: Path, interval: float
) -> dict[str, Any]:
    """One task at a time: create, poll every `interval`, download, next."""
    counter = Counter()
    client = _client(url, counter, poll_interval=interval)
    started = time.monotonic()
    for i in range(n):
        task = client.create(OPERATION, **keys)
        task.wait(poll_interval=interval)
        task.download(workdir / "naive" / str(i))
    wall = time.monotonic() - started
    client.close()
    return {"wall_s": wall, "polls": counter.polls, "creates": counter.creates}


def sim_args(created: float, running: float) -> list[str]:
    return ["--created-seconds", str(created), "--running-seconds", str(running)]


def measure_batch(
    n: int,
    created: float,
    running: float,
    poll_interval: float | None = None,
    use_async: bool = False,
) -> dict[str, Any]:
    """One `client.batch` run (or `AsyncSellerPic.batch` with `use_async`) on a fresh
    simulator; includes the simulator's RSS growth."""
    duration = created + running
    runner = run_layer_batch_async if use_async else run_layer_batch
    with simulator(*sim_args(created, running)) as server:
        setup = _client(server.url, Counter())
        keys = upload_inputs(setup)
        setup.close()
        rss_before = proc_status_kb(server.pid, "VmRSS")
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
            result = runner(server.url, n, keys, Path(tmp), poll_interval)
        rss_after = proc_status_kb(server.pid, "VmRSS")
        hwm = proc_status_kb(server.pid, "VmHWM")
    bound = bound_seconds(n, duration)
    result.update(
        n=n,
        duration_s=duration,
        bound_s=bound,
        wall_over_bound=result["wall_s"] / bound,
        polls_per_task=result["polls"] / n,
        simulator_rss_mb_before=rss_before / 1024,
        simulator_rss_mb_after=rss_after / 1024,
        simulator_rss_mb_growth=(rss_after - rss_before) / 1024,
        simulator_peak_rss_mb=hwm / 1024,
    )
    return result


def measure_naive(n: int, created: float, running: float, interval: float) -> dict[str, Any]:
    duration = created + running
    with simulator(*sim_args(created, running)) as server:
        setup = _client(server.url, Counter())
        keys = upload_inputs(setup)
        setup.close()
        with tempfile.TemporaryDirectory(prefix="bench-naive-") as tmp:
            result = run_naive(server.url, n, keys, Path(tmp), interval)
    bound = bound_seconds(n, duration)
    result.update(
        n=n,
        duration_s=duration,
        bound_s=bound,
        poll_interval_s=interval,
        wall_over_bound=result["wall_s"] / bound,
        polls_per_task=result["polls"] / n,
    )
    return result
