"""Shared helpers: servers started the way a user starts them, timing statistics, RSS readings."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from sellerpic_mock.testing import announced_server, serve_command, stop_process

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_KEY = "sk-sellerpic-demo"
SPEC = ROOT / "openapi" / "sellerpic.yaml"
#: Enough credits that no benchmark runs out.
MANY_CREDITS = 10_000_000


@dataclass
class Server:
    url: str
    pid: int
    process: subprocess.Popen[str]


@contextmanager
def simulator(
    *args: str, data_dir: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """`sellerpic-mock serve --port 0 --ephemeral ...` in its own process (single worker);
    with `data_dir`, a persistent data dir there instead (flushed to disk at checkpoints);
    with `env`, in that environment (another checkout's sources on PYTHONPATH, say)."""
    where = ["--ephemeral"] if data_dir is None else ["--data-dir", str(data_dir)]
    command = serve_command(*where, "--credits", str(MANY_CREDITS), *args)
    with announced_server(command, env=env) as (url, process):
        wait_ready(url + "/v1/api/usage", {"Authorization": f"Bearer {DEMO_KEY}"})
        yield Server(url, process.pid, process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prism_command(port: int) -> list[str]:
    """Prism 5.14 (pinned in mock/node_modules) mocking the same spec, static mode; run it
    from ROOT / "mock". The binary is exec'd directly (no shell): its pid is the node process."""
    binary = ROOT / "mock" / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        raise RuntimeError(f"{binary} is missing: run `make setup`")
    return [str(binary), "mock", str(SPEC), "-p", str(port), "-h", "127.0.0.1", "-v", "error"]


@contextmanager
def prism() -> Iterator[Server]:
    """Prism on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        prism_command(port),
        cwd=ROOT / "mock",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url + "/v1/api/usage", {"Authorization": "Bearer x"}, timeout=30)
        yield Server(url, process.pid, process)
    finally:
        stop_process(process)


def wait_ready(url: str, headers: dict[str, str], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, headers=headers, timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f}s") from None
            time.sleep(0.05)


# --- statistics ---------------------------------------------------------------------------------
def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return float(ordered[rank - 1])


def rounded(value: float, digits: int = 3) -> float:
    return round(float(value), digits)


# --- memory -------------------------------------------------------------------------------------
def proc_status_kb(pid: int | str, field: str) -> int:
    """`VmRSS`, `VmHWM`... of a process, in kB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pids: Sequence[int], window: float = 0.25, limit: float = 5.0) -> float:
    """Wait until every process used under 5% of a core over `window` seconds (at most
    `limit` seconds); returns the time waited. Node keeps collecting garbage for a while after
    a load stops: a server measured right after Prism shared the cores with it."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = [cpu_seconds(pid) for pid in pids]
        time.sleep(window)
        used = [cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True)]
        if max(used) < 0.05 * window:
            break
    return time.monotonic() - started


def reset_peak(pid: int | str) -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


# --- machine ------------------------------------------------------------------------------------
def machine_info() -> dict[str, object]:
    info: dict[str, object] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["mem_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    node = shutil.which("node")
    if node:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
        info["node"] = out.stdout.strip()
    for name in ("httpx", "starlette", "uvicorn", "uvloop", "httptools"):
        try:
            module = __import__(name)
            info[name] = getattr(module, "__version__", "?")
        except ImportError:
            info[name] = None
    return info


@contextmanager
def canned_server() -> Iterator[Server]:
    """bench/canned_server.py in its own process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.canned_server"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError("the canned server did not start")
        yield Server(url, process.pid, process)
    finally:
        stop_process(process)
