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

With `--served`, the same workloads are also counted as a user's server answers them: the
simulator started by `sellerpic-mock serve` (uvicorn, uvloop, httptools) and the bare app by
`python -m bench.floor` (sent the create request), each under callgrind, sent requests over one
keep-alive connection as wrk sends them at 1 client. Only the server's own instructions count
(not the kernel's), from the first measured request to the last; the difference from the
in-process count is what the HTTP stack adds. Staged rows are then written out every 10 ms of
the slowed-down server, so after fewer creates each than under load.

With `--clients`, a getTaskStatus call is counted through each of `bench.overhead`'s clients
(raw httpx, the generated client, the workflow layer) against the canned server: the client
process only, so the ratios are the client overhead targets' without the machine's noise.

Needs valgrind (`apt install valgrind`); about two minutes per workload and checkout, most of
it Python starting under valgrind. Results: a table, and JSON with `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from sellerpic_mock.app import Simulator
from sellerpic_mock.eventloop import new_event_loop
from sellerpic_mock.testing import announced_server, close_app, serve_command

from .common import DEMO_KEY, MANY_CREDITS, ROOT, canned_server
from .floor import SAMPLE_CREATE_BODY, bare_app, instant_app

WORKLOADS = ("create", "status", "bare")
#: Requests of the short and the long run; their difference is what is divided.
SHORT, LONG = 100, 600
#: Requests between pauses that let the staged-row write-out run.
WRITE_OUT_EVERY = 8
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
_DUMPED = re.compile(r"^(?:summary|totals):\s*(\d+)", re.MULTILINE)
#: Requests a served measure sends before counting (caches filled, code paths warm).
SERVED_WARM_UP = 300
#: Requests counted per served measure.
SERVED_REQUESTS = 500

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
    """Serve `requests` requests of `workload` to a fresh app; raises if they are refused."""
    app = instant_app()
    try:
        await serve(workload, await request_for(workload, app), requests)
    finally:
        close_app(app)


Request = tuple[Any, str, str, bytes, bytes]


async def request_for(workload: str, app: Simulator) -> Request:
    """The request `workload` repeats, on `app` (which it gives a task to poll)."""
    created = await _call(app, "POST", "/v1/api/generate/tryOnAccessories", b"", CREATE_BODY)
    _require_ok("create", created)
    task_id = json.loads(created[1]["body"])["data"]["id"]
    request: Request = {
        "create": (app, "POST", "/v1/api/generate/tryOnAccessories", b"", CREATE_BODY),
        "status": (app, "GET", "/v1/api/generate", f"id={task_id}".encode(), b""),
        "bare": (bare_app, "GET", "/v1/api/generate", b"id=1", b""),
    }[workload]
    return request


async def serve(workload: str, request: Request, requests: int) -> None:
    """Send `request` `requests` times, pausing every few so staged rows are written out as
    they are between requests under load; raises if they are refused."""
    sent: list[Any] = []
    for index in range(requests):
        sent = await _call(*request)
        if sent[0]["status"] != 200:
            _require_ok(workload, sent)
        if index % WRITE_OUT_EVERY == WRITE_OUT_EVERY - 1:
            await asyncio.sleep(0.011)
    # Parsed once, not per request (the parse would be counted): refusals that come with
    # HTTP 200 (credits used up) last once they start, so the last answer shows them.
    if sent:
        _require_ok(workload, sent)


def _require_ok(workload: str, sent: list[Any]) -> None:
    require_accepted(workload, sent[0]["status"], sent[1]["body"])


def require_accepted(workload: str, status: int, body: bytes) -> None:
    """A refused request would measure the cost of an error answer instead. Refusals such as
    30004 (no credits) come with HTTP 200: the envelope's code tells."""
    if status != 200 or orjson.loads(body).get("code") != 0:
        raise RuntimeError(f"{workload}: answered {status}: {body[:300]!r}")


def _python_path(tree: Path) -> str:
    parts = [tree / "mock", tree / "src", tree / "spec", tree / "generated", ROOT]
    return os.pathsep.join(str(part) for part in parts)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"bench.instructions needs {name} (apt install valgrind)")
    return found


def count(workload: str, requests: int, tree: Path) -> int:
    """Instructions of one process that serves `requests` requests of `workload`."""
    return _callgrind(["bench.instructions", "--drive", workload, str(requests)], tree)


def _callgrind(module_args: list[str], tree: Path) -> int:
    """Instructions of `python -m <module_args>`, run on `tree`'s code."""
    valgrind = _tool("valgrind")
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={scratch}/callgrind.out",
            sys.executable,
            "-m",
            *module_args,
        ]
        done = subprocess.run(command, capture_output=True, text=True, env=_env(tree), cwd=ROOT)
    return collected(done.stderr, done.returncode)


def _env(tree: Path) -> dict[str, str]:
    # Fixed hashing: string hashes change dict probing, hence the count, run to run.
    return dict(os.environ, PYTHONPATH=_python_path(tree), PYTHONHASHSEED="0")


def collected(stderr: str, returncode: int = 0) -> int:
    """The total instruction count from callgrind's report on stderr."""
    found = _COLLECTED.search(stderr)
    if returncode != 0 or found is None:
        raise RuntimeError(f"the measured run failed (exit {returncode}):\n{stderr[-2000:]}")
    return int(found.group(1))


def per_request(workload: str, tree: Path, short: int = SHORT, long: int = LONG) -> float:
    return (count(workload, long, tree) - count(workload, short, tree)) / (long - short)


def client_per_call(name: str, url: str, task_id: str, tree: Path) -> float:
    """Instructions per getTaskStatus call through one of `bench.overhead`'s clients (the
    client process only: the server's work and the kernel's are not counted)."""

    def calls(n: int) -> int:
        return _callgrind(["bench.overhead", "--drive", name, str(n), url, task_id], tree)

    return (calls(LONG) - calls(SHORT)) / (LONG - SHORT)


def client_ratios(tree: Path) -> dict[str, float]:
    """Per-call instructions of raw httpx, the generated client and the workflow layer
    against the canned server, and the two ratios the overhead targets are about."""
    # Imported here: the clients' modules would otherwise load into every counted app process.
    from .overhead import CANNED_TASK_ID, CLIENTS

    with canned_server() as server:
        counts = {name: client_per_call(name, server.url, CANNED_TASK_ID, tree) for name in CLIENTS}
    return {
        **{name: round(value) for name, value in counts.items()},
        "generated_over_raw": round(counts["generated"] / counts["raw_httpx"], 3),
        "layer_over_raw": round(counts["layer"] / counts["raw_httpx"], 3),
    }


class KeepAliveClient:
    """One connection sending one workload's request again and again, waiting for each answer
    as wrk does at 1 client."""

    def __init__(self, url: str, workload: str) -> None:
        parts = urlsplit(url)
        self._connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)
        self._workload = workload
        self._request = ("POST", "/v1/api/generate/tryOnAccessories", CREATE_BODY)
        if workload == "status":
            task_id = json.loads(self._send(*self._request))["data"]["id"]
            self._request = ("GET", f"/v1/api/generate?id={task_id}", b"")

    def _send(self, method: str, path: str, body: bytes) -> bytes:
        headers = {"Authorization": f"Bearer {DEMO_KEY}", "Content-Type": "application/json"}
        self._connection.request(method, path, body or None, headers)
        answer = self._connection.getresponse()
        data = answer.read()
        require_accepted(self._workload, answer.status, data)
        return data

    def send(self, requests: int) -> None:
        for _ in range(requests):
            self._send(*self._request)

    def close(self) -> None:
        self._connection.close()


def _served_command(workload: str) -> list[str]:
    if workload == "bare":
        return [sys.executable, "-m", "bench.floor"]
    return serve_command(
        "--ephemeral", "--credits", str(MANY_CREDITS), "--created-seconds", "0",
        "--running-seconds", "0",
    )  # fmt: skip


def count_served(workload: str, tree: Path, requests: int = SERVED_REQUESTS) -> float:
    """Instructions per request of `workload` answered over HTTP by a server started as a user
    starts it, counted by callgrind from the first measured request to the last."""
    valgrind, control = _tool("valgrind"), _tool("callgrind_control")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        command = [
            valgrind, "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            *_served_command(workload),
        ]  # fmt: skip
        with announced_server(command, subprocess.DEVNULL, ROOT, _env(tree)) as (url, process):
            client = KeepAliveClient(url, workload)
            client.send(SERVED_WARM_UP)
            _control(control, "--instr=on", process.pid)
            client.send(requests)
            _control(control, "--dump", process.pid)
            client.close()
        dumps = sorted(Path(scratch).glob("callgrind.out.*"))
        if not dumps:
            raise RuntimeError(f"{workload}: callgrind wrote no dump")
        return dumped_total(dumps[0].read_text()) / requests


def _control(control: str, action: str, pid: int) -> None:
    subprocess.run([control, action, str(pid)], check=True, capture_output=True, timeout=120)


def dumped_total(dump: str) -> int:
    """The instruction count of a callgrind dump file."""
    found = _DUMPED.search(dump)
    if found is None:
        raise RuntimeError("the callgrind dump holds no total")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--tree", action="append", type=Path, help="checkout (repeatable)")
    parser.add_argument("--workload", action="append", choices=WORKLOADS)
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--served", action="store_true", help="also count each workload served over HTTP"
    )
    parser.add_argument(
        "--clients",
        action="store_true",
        help="also count a status call through raw httpx, the generated client and the layer",
    )
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
    served: dict[str, dict[str, float]] = {}
    clients: dict[str, dict[str, float]] = {}
    for tree in trees:
        # "." for this checkout: the results file is committed, its paths are not.
        name = "." if tree == ROOT else str(tree)
        results[name] = {w: round(per_request(w, tree)) for w in workloads}
        print(name, "  ".join(f"{w} {n:,.0f}" for w, n in results[name].items()))
        if args.served:
            served[name] = {w: round(count_served(w, tree)) for w in workloads}
            print(name, "served", "  ".join(f"{w} {n:,.0f}" for w, n in served[name].items()))
        if args.clients:
            clients[name] = client_ratios(tree)
            print(name, "clients", "  ".join(f"{k} {v:,}" for k, v in clients[name].items()))
    if args.out:
        report: dict[str, Any] = {"instructions_per_request": results}
        if served:
            report["served_instructions_per_request"] = served
        if clients:
            report["client_instructions_per_call"] = clients
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
