"""Cold start: from launching the server to its first answered request, the simulator
(`sellerpic-mock serve --ephemeral --port 0`, as a user or a test fixture starts it) against
Prism on the same spec.

Each is launched, asked `GET /v1/api/usage` until it answers, and stopped; the two alternate
within each pair, and the figure is the median of the per-pair ratios (simulator over Prism).
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import httpx

from sellerpic_mock.testing import stop_process

from .common import BIN, DEMO_KEY, ROOT, free_port, median, prism_command, rounded

#: Between attempts while nothing listens yet.
RETRY_S = 0.005
TIMEOUT_S = 60.0


def first_answer(url: str, key: str, started: float) -> float:
    """Seconds from `started` until `url` answers (any HTTP status)."""
    deadline = started + TIMEOUT_S
    while True:
        try:
            httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT_S)
            return time.perf_counter() - started
        except httpx.TransportError:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{url} did not answer within {TIMEOUT_S:.0f}s") from None
            time.sleep(RETRY_S)


def simulator_start() -> float:
    command = [str(BIN / "sellerpic-mock"), "serve", "--ephemeral", "--port", "0"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        # The first line is the URL, printed once the socket listens: the request then waits
        # in the backlog until the server answers it.
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"sellerpic-mock did not start (first line {url!r})")
        return first_answer(url + "/v1/api/usage", DEMO_KEY, started)
    finally:
        stop_process(process)


def prism_start() -> float:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        prism_command(port),
        cwd=ROOT / "mock",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return first_answer(f"http://127.0.0.1:{port}/v1/api/usage", "x", started)
    finally:
        stop_process(process)


def measure(pairs: int) -> dict[str, Any]:
    starts = {"simulator": simulator_start, "prism": prism_start}
    if pairs > 1:
        # One unrecorded round (not in the smoke): the first launch reads the files from disk.
        for start in starts.values():
            start()
    times: dict[str, list[float]] = {name: [] for name in starts}
    for n in range(pairs):
        names = list(starts) if n % 2 == 0 else list(starts)[::-1]
        for name in names:
            times[name].append(starts[name]())
    ratios = [s / p for s, p in zip(times["simulator"], times["prism"], strict=True)]
    return {
        "pairs": pairs,
        "ms": {name: rounded(median(ts) * 1000, 1) for name, ts in times.items()},
        "ms_each": {name: [rounded(t * 1000, 1) for t in ts] for name, ts in times.items()},
        "ratio_per_pair": [rounded(r) for r in ratios],
        "simulator_cold_start_over_prism": rounded(median(ratios)),
    }
