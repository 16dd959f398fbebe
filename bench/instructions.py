"""Instructions per request of the simulator's app, counted by valgrind (callgrind).

Timings on these machines move by 20% and more between runs, so a change to the simulator
worth a few percent cannot be seen in an A/B of requests per second. The number of machine
instructions a request executes barely moves (runs agree within 0.5%): it is the
measure to compare two versions of the simulator by, before a full `make bench` says what the
change is worth in time (fewer instructions is not always less time: cache misses and system
calls are not counted, nor is anything outside the app).

What is counted: the app called through its ASGI interface in one process (no sockets, no
HTTP parsing, no kernel), under uvloop, with the write-out of staged rows running every 8
requests as it does between requests under load. Workloads: `create` (tryOnAccessories, an
accepted create), `status` (a finished task, the common poll) and `bare` (an app that answers a
canned envelope: the cost of the driver itself). Start-up is taken out by running each
workload at two lengths and dividing the difference.

    python -m bench.instructions                      # this checkout
    python -m bench.instructions --tree ../base --tree .   # two checkouts side by side

Needs valgrind (`apt install valgrind`); about two minutes per workload and checkout, most of
it Python starting under valgrind. Results: a table, and JSON with `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sellerpic_mock.eventloop import new_event_loop
from sellerpic_mock.testing import close_app

from .common import DEMO_KEY, ROOT
from .floor import SAMPLE_CREATE_BODY, bare_app, instant_app

WORKLOADS = ("create", "status", "bare")
#: Requests of the short and the long run; their difference is what is divided.
SHORT, LONG = 100, 600
#: Requests between pauses that let the staged-row write-out run.
WRITE_OUT_EVERY = 8
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")

CREATE_BODY = json.dumps(SAMPLE_CREATE_BODY).encode()


def _scope(method: str, path: str, query: bytes, body: bytes) -> dict[str, Any]:
    headers = [
        (b"host", b"127.0.0.1:4020"),
        (b"authorization", f"Bearer {DEMO_KEY}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 4020),
        "client": ("127.0.0.1", 5555),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": headers,
        "state": {},
    }


async def _call(app: Any, method: str, path: str, query: bytes, body: bytes) -> list[Any]:
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[Any] = []

    async def receive() -> Any:
        return messages.pop()

    async def send(message: Any) -> None:
        sent.append(message)

    await app(_scope(method, path, query, body), receive, send)
    return sent


async def drive(workload: str, requests: int) -> None:
    """Serve `requests` requests of `workload` to a fresh app; raises if one is not a 200."""
    app = instant_app()
    try:
        created = await _call(app, "POST", "/v1/api/generate/tryOnAccessories", b"", CREATE_BODY)
        _require_ok("create", created)
        task_id = json.loads(created[1]["body"])["data"]["id"]
        request: tuple[Any, str, str, bytes, bytes] = {
            "create": (app, "POST", "/v1/api/generate/tryOnAccessories", b"", CREATE_BODY),
            "status": (app, "GET", "/v1/api/generate", f"id={task_id}".encode(), b""),
            "bare": (bare_app, "GET", "/v1/api/generate", b"id=1", b""),
        }[workload]
        for index in range(requests):
            _require_ok(workload, await _call(*request))
            if index % WRITE_OUT_EVERY == WRITE_OUT_EVERY - 1:
                await asyncio.sleep(0.011)
    finally:
        close_app(app)


def _require_ok(workload: str, sent: list[Any]) -> None:
    """A refused request would measure the cost of an error answer instead."""
    if sent[0]["status"] != 200:
        raise RuntimeError(f"{workload}: answered {sent[0]['status']}: {sent[1]['body']!r}")


def _python_path(tree: Path) -> str:
    parts = [tree / "mock", tree / "src", tree / "generated", ROOT]
    return os.pathsep.join(str(part) for part in parts)


def count(workload: str, requests: int, tree: Path) -> int:
    """Instructions of one process that serves `requests` requests of `workload`."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("bench.instructions needs valgrind (apt install valgrind)")
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={scratch}/callgrind.out",
            sys.executable,
            "-m",
            "bench.instructions",
            "--drive",
            workload,
            str(requests),
        ]
        # Fixed hashing: string hashes change dict probing, hence the count, run to run.
        env = dict(os.environ, PYTHONPATH=_python_path(tree), PYTHONHASHSEED="0")
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    return collected(done.stderr, done.returncode)


def collected(stderr: str, returncode: int = 0) -> int:
    """The total instruction count from callgrind's report on stderr."""
    found = _COLLECTED.search(stderr)
    if returncode != 0 or found is None:
        raise RuntimeError(f"the measured run failed (exit {returncode}):\n{stderr[-2000:]}")
    return int(found.group(1))


def per_request(workload: str, tree: Path, short: int = SHORT, long: int = LONG) -> float:
    return (count(workload, long, tree) - count(workload, short, tree)) / (long - short)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--tree", action="append", type=Path, help="checkout (repeatable)")
    parser.add_argument("--workload", action="append", choices=WORKLOADS)
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--drive", nargs=2, metavar=("WORKLOAD", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        workload, requests = args.drive
        # On the loop the simulator is served on (uvloop where installed).
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(drive(workload, int(requests)))
        return 0
    trees = [tree.resolve() for tree in args.tree or [ROOT]]
    workloads = args.workload or list(WORKLOADS)
    results: dict[str, dict[str, float]] = {}
    for tree in trees:
        # "." for this checkout: the results file is committed, its paths are not.
        name = "." if tree == ROOT else str(tree)
        results[name] = {w: round(per_request(w, tree)) for w in workloads}
        print(name, "  ".join(f"{w} {n:,.0f}" for w, n in results[name].items()))
    if args.out:
        args.out.write_text(json.dumps({"instructions_per_request": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
