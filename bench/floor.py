"""The floor under the simulator's speed: what its HTTP stack and its domain cost on their own.

* http: a bare ASGI app (one canned getTaskStatus envelope, no routing) under the same uvicorn
  the simulator uses (uvloop + httptools, one worker), loaded like the simulator. Nothing
  served by that stack can go faster.
* domain: `Tasks.create` for tryOnAccessories called in a loop in process (no HTTP), on an
  ephemeral store, each create committed on its own: the route's work without the stack.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.types import Receive, Scope, Send

from sellerpic_mock import MockConfig, create_app
from sellerpic_mock.app import Simulator
from sellerpic_mock.testing import announced_server, close_app

from .canned_server import BODY
from .common import DEMO_KEY, MANY_CREDITS, ROOT, Server, median, wait_ready

_SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"
#: A tryOnAccessories body on the simulator's built-in sample files: accepted with no upload.
SAMPLE_CREATE_BODY = {
    "modelImageKey": _SAMPLE,
    "modelMaskKey": "UPLOAD/MANAGE/SAMPLE/product/1-mask.png",
    "productImageKey": _SAMPLE,
}

HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def bare_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


@contextmanager
def bare_server() -> Iterator[Server]:
    """`bare_app` in its own process, served exactly as `sellerpic-mock serve` serves."""
    with announced_server([sys.executable, "-m", "bench.floor"], cwd=ROOT) as (url, process):
        wait_ready(url + "/", {})
        yield Server(url, process.pid, process)


def instant_app() -> Simulator:
    """A simulator in process whose tasks finish at once and whose credits never run out: every
    create is accepted, so the in-process measures time the accepted path."""
    config = MockConfig(created_seconds=0, running_seconds=0, default_credits=MANY_CREDITS)
    return create_app(config)


def domain_create_us(creates: int, reps: int) -> dict[str, Any]:
    app = instant_app()
    services = app.services
    try:
        account = services.accounts.authenticate(f"Bearer {DEMO_KEY}")
        operation = services.spec.create_operations["tryOnAccessories"]
        services.tasks.create(account, operation, dict(SAMPLE_CREATE_BODY))
        runs = []
        for _ in range(reps):
            started = time.perf_counter()
            for _ in range(creates):
                services.tasks.create(account, operation, dict(SAMPLE_CREATE_BODY))
            runs.append((time.perf_counter() - started) / creates * 1e6)
    finally:
        close_app(app)
    return {"creates": creates, "us_per_create": median(runs), "runs": runs}


def measure(duration: float, reps: int, generator: str, creates: int) -> dict[str, Any]:
    from .mockspeed import run_load

    http: dict[str, Any] = {}
    with bare_server() as server:
        url = f"{server.url}/v1/api/generate?id=1"
        if duration >= 1.0:
            run_load(url, "GET", None, 50, 1.0, DEMO_KEY, generator)
        for concurrency in (1, 50):
            runs = [
                run_load(url, "GET", None, concurrency, duration, DEMO_KEY, generator)
                for _ in range(reps)
            ]
            http[f"c{concurrency}"] = {
                "rps": median([r["rps"] for r in runs]),
                "p99_ms": median([r["p99_ms"] for r in runs]),
                "runs": runs,
            }
    return {"http_bare_asgi": http, "domain": domain_create_us(creates, reps)}


if __name__ == "__main__":
    from sellerpic_mock.cli import listen_on, run_server, url_of

    listening = listen_on("127.0.0.1", 0)
    print(url_of(listening), flush=True)
    run_server(bare_app, listening)
