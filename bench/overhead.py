"""Client overhead: the same getTaskStatus calls through raw httpx, the generated client and
the workflow layer, over one keep-alive connection each, against the same local server.

Two servers: the canned server (bench/canned_server.py), whose per-request cost is tiny, so
the ratios isolate client cost; and the simulator, the realistic case, where server time dilutes
the differences. The three clients are timed in turn within each repetition; the ratios are of
the medians over repetitions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from sellerpic import SellerPic
from sellerpic_client.api.tasks import get_task_status
from sellerpic_client.client import AuthenticatedClient

from .batch import Counter, _client, upload_inputs
from .common import DEMO_KEY, canned_server, median, simulator

CANNED_TASK_ID = "1956366543768004069"
#: The clients compared, by the names the results use.
CLIENTS = ("raw_httpx", "generated", "layer")
BLOCKS = 10


def _time(call: Callable[[], Any], calls: int) -> tuple[float, float]:
    """Wall and CPU seconds (this process only) of `calls` calls."""
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        call()
    return time.perf_counter() - started, time.process_time() - cpu


class Clients:
    """The three clients of the comparison, each making the same getTaskStatus call over its
    own keep-alive connection."""

    def __init__(self, url: str, task_id: str) -> None:
        headers = {"Authorization": f"Bearer {DEMO_KEY}"}
        self._task_id = task_id
        self._raw = httpx.Client(base_url=url, headers=headers, timeout=30)
        self._generated = AuthenticatedClient(
            base_url=url, token=DEMO_KEY, timeout=httpx.Timeout(30)
        )
        self._layer = SellerPic(DEMO_KEY, base_url=url, timeout=30)
        self._task = self._layer.task(task_id, "try_on_accessories")
        self.calls: dict[str, Callable[[], Any]] = dict(
            zip(CLIENTS, (self._raw_call, self._generated_call, self._task.refresh), strict=True)
        )

    def _raw_call(self) -> Any:
        response = self._raw.get("/v1/api/generate", params={"id": self._task_id})
        response.raise_for_status()
        return response.json()

    def _generated_call(self) -> Any:
        response = get_task_status.sync_detailed(client=self._generated, id=self._task_id)
        assert response.parsed is not None
        return response.parsed

    def close(self) -> None:
        self._raw.close()
        self._generated.get_httpx_client().close()
        self._layer.close()


def compare(url: str, task_id: str, calls: int, reps: int) -> dict[str, Any]:
    made = Clients(url, task_id)
    clients = made.calls
    for call in clients.values():
        for _ in range(min(100, calls)):
            call()
    # Interleaved in blocks, order rotated, so drift in machine load hits every client alike.
    blocks = max(1, min(BLOCKS, calls))
    per_block = calls // blocks
    seconds: dict[str, list[float]] = {name: [] for name in clients}
    cpu_seconds: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(reps):
        totals = dict.fromkeys(clients, 0.0)
        cpu_totals = dict.fromkeys(clients, 0.0)
        names = list(clients)
        for block in range(blocks):
            shift = block % len(names)
            for name in names[shift:] + names[:shift]:
                wall, used = _time(clients[name], per_block)
                totals[name] += wall
                cpu_totals[name] += used
        for name in clients:
            seconds[name].append(totals[name])
            cpu_seconds[name].append(cpu_totals[name])
    calls = per_block * blocks
    made.close()
    medians = {name: median(values) for name, values in seconds.items()}
    cpu = {name: median(values) for name, values in cpu_seconds.items()}
    return {
        "calls": calls,
        "repetitions": reps,
        "seconds": seconds,
        "median_s": medians,
        "us_per_call": {name: m / calls * 1e6 for name, m in medians.items()},
        "generated_over_raw": medians["generated"] / medians["raw_httpx"],
        "layer_over_raw": medians["layer"] / medians["raw_httpx"],
        "cpu_seconds": cpu_seconds,
        "client_cpu_us_per_call": {name: c / calls * 1e6 for name, c in cpu.items()},
        "generated_over_raw_cpu": cpu["generated"] / cpu["raw_httpx"],
        "layer_over_raw_cpu": cpu["layer"] / cpu["raw_httpx"],
    }


def measure(calls: int, reps: int) -> dict[str, Any]:
    with canned_server() as server:
        canned = compare(server.url, CANNED_TASK_ID, calls, reps)
    with simulator("--created-seconds", "0", "--running-seconds", "0") as server:
        client: SellerPic = _client(server.url, Counter())
        keys = upload_inputs(client)
        task = client.create("try_on_accessories", **keys)
        task.wait(poll_interval=0.05)
        client.close()
        on_simulator = compare(server.url, task.id, calls, reps)
    return {"canned_server": canned, "simulator": on_simulator}
