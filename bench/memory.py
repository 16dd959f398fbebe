"""Memory of a 10 MB upload: peak RSS above idle of the client process (workflow layer,
presigned flow) and of the simulator process receiving it, each read from /proc/<pid>/status
(VmHWM after resetting it with `echo 5 > /proc/<pid>/clear_refs`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from sellerpic_mock.testing import image_bytes
from sellerpic_spec import catalog

from .common import DEMO_KEY, ROOT, median, proc_status_kb, reset_peak, simulator

MB = 1024 * 1024


def noise_png(path: Path, side: int) -> int:
    """A PNG of random noise: incompressible, so side x side x 3 bytes plus a little."""
    rules = catalog().image_rules
    if side > rules.max_side:
        raise ValueError("too many pixels for a task input")
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        path, format="PNG", compress_level=1
    )
    size = path.stat().st_size
    if size > rules.max_bytes:
        raise ValueError(f"{size} bytes is over the 10 MB input limit")
    return size


def _one(url: str, server_pid: int, path: Path) -> dict[str, float]:
    import httpx

    from sellerpic import SellerPic

    # Warm the simulator's upload path before its baseline.
    with SellerPic(DEMO_KEY, base_url=url, http_client=httpx.Client(timeout=30)) as warm:
        warm.upload(image_bytes((64, 64)))
    sim_idle = proc_status_kb(server_pid, "VmRSS")
    reset_peak(server_pid)
    done = subprocess.run(
        [sys.executable, "-m", "bench.upload_client", url, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    sim_peak = proc_status_kb(server_pid, "VmHWM")
    child = json.loads(done.stdout)
    return {
        "client_idle_mb": child["idle_kb"] / 1024,
        "client_peak_mb": child["peak_kb"] / 1024,
        "client_mb_over_idle": (child["peak_kb"] - child["idle_kb"]) / 1024,
        "simulator_idle_mb": sim_idle / 1024,
        "simulator_peak_mb": sim_peak / 1024,
        "simulator_mb_over_idle": (sim_peak - sim_idle) / 1024,
    }


def measure(side: int, reps: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        path = Path(tmp) / "noise.png"
        size = noise_png(path, side)
        with simulator() as server:
            runs = [_one(server.url, server.pid, path) for _ in range(reps)]
    return {
        "file_bytes": size,
        "file_mb": size / MB,
        "side_px": side,
        "repetitions": reps,
        "runs": runs,
        "client_mb_over_idle": median([r["client_mb_over_idle"] for r in runs]),
        "simulator_mb_over_idle": median([r["simulator_mb_over_idle"] for r in runs]),
    }
