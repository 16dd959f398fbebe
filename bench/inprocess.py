"""An in-process simulator per test: what a test suite pays for a fresh simulator in each test.

Each "test" does what a fixture built on `sellerpic_mock.testing` does: `create_app` with an
ephemeral config, one `GET /v1/api/usage` through `asgi_client` (no sockets), `close_app`.
Measured in a child process, so the first test also shows the one-off import and spec load
(`first_ms`, `import_ms`); the figure is the median of the tests after it. The threaded
`run_server` (a real socket and uvicorn in a thread) is timed the same way, for comparison.

`python -m bench.inprocess TESTS` prints the JSON.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Nothing of the simulator (nor bench.common, which imports it) above: the child times the import.
ROOT = Path(__file__).resolve().parent.parent


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _asgi_test() -> float:
    from sellerpic_mock import MockConfig, create_app
    from sellerpic_mock.testing import asgi_client, close_app

    async def one_request() -> None:
        app = create_app(MockConfig())
        try:
            async with asgi_client(app) as client:
                answer = await client.get("/v1/api/usage")
                answer.raise_for_status()
        finally:
            close_app(app)

    started = time.perf_counter()
    asyncio.run(one_request())
    return time.perf_counter() - started


def _threaded_test() -> float:
    import httpx

    from sellerpic_mock import DEMO_API_KEY, MockConfig
    from sellerpic_mock.testing import run_server

    started = time.perf_counter()
    with run_server(MockConfig()) as url:
        auth = {"Authorization": f"Bearer {DEMO_API_KEY}"}
        answer = httpx.get(f"{url}/v1/api/usage", headers=auth)
        answer.raise_for_status()
    return time.perf_counter() - started


def run_tests(tests: int) -> dict[str, Any]:
    started = time.perf_counter()
    import sellerpic_mock.testing  # noqa: F401 - timed: the import a suite pays once

    import_s = time.perf_counter() - started
    first = _asgi_test()
    asgi = [_asgi_test() for _ in range(tests)]
    threaded = [_threaded_test() for _ in range(tests)]
    return {
        "tests": tests,
        "import_ms": _ms(import_s),
        "first_ms": _ms(first),
        "asgi_ms": [_ms(t) for t in asgi],
        "threaded_server_ms": [_ms(t) for t in threaded],
        "inprocess_simulator_ms_per_test": _ms(statistics.median(asgi)),
        "threaded_server_ms_per_test": _ms(statistics.median(threaded)),
    }


def measure(tests: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", str(tests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


if __name__ == "__main__":
    print(json.dumps(run_tests(int(sys.argv[1]))))
