"""Mock speed: the simulator (`sellerpic-mock serve`, one uvicorn worker) against Prism 5.14 on
the same spec, measured with the same load generator (bench/loadgen.py, its own process).

* status: GET /v1/api/generate?id=<a finished task> (Prism: any id, static example).
* create: POST /v1/api/generate/tryOnAccessories with file keys of stored uploads. The simulator
  runs with zero task duration and 10M credits, so the concurrency limit (10 in flight) and
  credits never reject: every create is accepted, validated, charged and stored. The rejected
  path (30003, limit reached) is measured separately on a simulator with long tasks, and the
  accepted path again on a persistent data dir (the headline runs --ephemeral, as tests do).

Both servers run at once and take turns within each repetition of each point, so that the
ratio compares runs taken seconds apart.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sellerpic import SellerPic

from .batch import Counter, _client, upload_inputs
from .common import (
    DEMO_KEY,
    ROOT,
    Server,
    canned_server,
    cpu_seconds,
    median,
    prism,
    simulator,
    wait_idle,
)

CONCURRENCIES = (1, 50)
#: Seconds of load on each server before the measured runs of each point.
WARM_UP_S = 2.0
PRISM_BODY = {
    "modelImageKey": "UPLOAD/MANAGE/SAMPLE/model.png",
    "modelMaskKey": "UPLOAD/MANAGE/SAMPLE/mask.png",
    "productImageKey": "UPLOAD/MANAGE/SAMPLE/product.png",
}


WRK = Path("/usr/bin/wrk")
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def pick_generator(smoke: bool) -> str:
    """wrk (C, little CPU) for the full run when installed; the Python generator otherwise."""
    return "wrk" if not smoke and shutil.which(str(WRK)) else "python"


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(
    url: str, method: str, body: str | None, concurrency: int, duration: float, key: str
) -> dict[str, Any]:
    """One wrk run (one thread); a Lua script sets the method, body and Authorization."""
    lua = [f'wrk.method = "{method}"', f'wrk.headers["Authorization"] = "Bearer {key}"']
    if body is not None:
        lua += [f"wrk.body = [[{body}]]", 'wrk.headers["Content-Type"] = "application/json"']
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua) + "\n")
    try:
        done = subprocess.run(
            [str(WRK), "-t1", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--latency",
             "-s", script.name, url],
            capture_output=True, text=True, timeout=duration + 60, check=True,
        )  # fmt: skip
    finally:
        Path(script.name).unlink(missing_ok=True)
    out = done.stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    if not (total and rps and p50 and p99):
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    requests = int(total.group(1))
    bad = int(non2xx.group(1)) if non2xx else 0
    return {
        "generator": "wrk",
        "requests": requests,
        "ok": requests - bad,
        "statuses": {"2xx": requests - bad, "other": bad},
        "rps": float(rps.group(1)),
        "p50_ms": _ms(p50.group(1)),
        "p99_ms": _ms(p99.group(1)),
    }


def run_load(
    url: str,
    method: str,
    body: str | None,
    concurrency: int,
    duration: float,
    key: str,
    generator: str = "python",
) -> dict[str, Any]:
    if generator == "wrk":
        return run_wrk(url, method, body, concurrency, duration, key)
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        url,
        "--method",
        method,
        "--header",
        f"Authorization: Bearer {key}",
        "--concurrency",
        str(concurrency),
        "--duration",
        str(duration),
    ]
    if body is not None:
        command += ["--body", body, "--header", "Content-Type: application/json"]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=duration + 60, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    result["generator"] = "python"
    return result


def _targets(server: Server, status_id: str, body: dict[str, str]) -> dict[str, Any]:
    return {
        "status": (f"{server.url}/v1/api/generate?id={status_id}", "GET", None),
        "create": (f"{server.url}/v1/api/generate/tryOnAccessories", "POST", json.dumps(body)),
    }


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rps": median([r["rps"] for r in runs]),
        "p50_ms": median([r["p50_ms"] for r in runs]),
        "p99_ms": median([r["p99_ms"] for r in runs]),
        "runs": runs,
    }


@dataclass(frozen=True)
class Target:
    """A server under load and what to send it."""

    server: Server
    status_id: str
    body: dict[str, str]
    key: str


def _measure_side_by_side(
    targets: dict[str, Target],
    duration: float,
    reps: int,
    generator: str,
    points: list[tuple[str, int]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every point (endpoint, clients; by default status and create at 1 and 50) on every
    server, the servers alternating within each repetition: this machine drifts by tens of
    percent over minutes, and a ratio of runs taken minutes apart measured the drift as much as
    the servers. Each run starts once both servers are idle, and records the server's CPU per
    request beside its requests per second."""
    requests = {name: _targets(t.server, t.status_id, t.body) for name, t in targets.items()}
    out: dict[str, dict[str, Any]] = {name: {} for name in targets}
    pids = [target.server.pid for target in targets.values()]
    names = list(targets)
    wanted = points or [(e, c) for e in ("status", "create") for c in CONCURRENCIES]
    for endpoint, concurrency in wanted:
        if duration >= 1.0:
            # Warm-up at the point's own load (Prism's JIT, the simulator's caches), not
            # recorded; not in the smoke. With 1 s at 50 clients per endpoint only, Prism's
            # first run of a point was often its slowest (966 and 1,002 status polls/s at
            # 1 client, against 1,077 to 1,673 in the runs after).
            for name in names:
                url, method, payload = requests[name][endpoint]
                key = targets[name].key
                run_load(url, method, payload, concurrency, WARM_UP_S, key, generator)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
        for rep in range(reps):
            # Who goes first alternates, so neither server always runs right after the other.
            for name in names if rep % 2 == 0 else names[::-1]:
                target = targets[name]
                url, method, payload = requests[name][endpoint]
                wait_idle(pids)
                used = cpu_seconds(target.server.pid)
                run = run_load(url, method, payload, concurrency, duration, target.key, generator)
                used = cpu_seconds(target.server.pid) - used
                run["cpu_us_per_request"] = used / max(run["requests"], 1) * 1e6
                runs[name].append(run)
        for name in targets:
            out[name][f"{endpoint}_c{concurrency}"] = _summarise(runs[name])
    return out


def _prepare_simulator(server: Server, wait: bool = True) -> tuple[str, dict[str, str]]:
    client: SellerPic = _client(server.url, Counter())
    keys = upload_inputs(client)
    task = client.create("try_on_accessories", **keys)
    if wait:
        task.wait(poll_interval=0.05)
    client.close()
    body = {
        "modelImageKey": keys["model_image"],
        "modelMaskKey": keys["model_mask"],
        "productImageKey": keys["product_image"],
    }
    return task.id, body


def measure(duration: float, reps: int, generator: str = "python") -> dict[str, Any]:
    results: dict[str, Any] = {
        "duration_s": duration,
        "repetitions": reps,
        "generator": generator,
    }
    with canned_server() as server:
        # The generator's own ceiling: it must be well above what the servers reach.
        results["generator_ceiling"] = _summarise(
            [
                run_load(
                    f"{server.url}/v1/api/generate?id=1",
                    "GET",
                    None,
                    50,
                    duration,
                    DEMO_KEY,
                    generator,
                )
                for _ in range(reps)
            ]
        )
    with (
        simulator("--created-seconds", "0", "--running-seconds", "0") as sim_server,
        prism() as prism_server,
    ):
        status_id, body = _prepare_simulator(sim_server)
        targets = {
            "simulator": Target(sim_server, status_id, body, DEMO_KEY),
            "prism": Target(prism_server, "1956366543768004069", PRISM_BODY, "x"),
        }
        results.update(_measure_side_by_side(targets, duration, reps, generator))
    with (
        tempfile.TemporaryDirectory(prefix="sellerpic-bench-") as data_dir,
        simulator(
            "--created-seconds", "0", "--running-seconds", "0", data_dir=Path(data_dir)
        ) as server,
    ):
        # The same creates on a persistent data dir: answers wait for the group commit, and
        # SQLite flushes to disk at each WAL checkpoint (--ephemeral keeps it in memory).
        _, body = _prepare_simulator(server)
        url = f"{server.url}/v1/api/generate/tryOnAccessories"
        results["simulator_persistent"] = {
            f"create_c{concurrency}": _summarise(
                [
                    run_load(
                        url, "POST", json.dumps(body), concurrency, duration, DEMO_KEY, generator
                    )
                    for _ in range(reps)
                ]
            )
            for concurrency in CONCURRENCIES
        }
    with simulator("--created-seconds", "3600", "--running-seconds", "0") as server:
        # Long tasks: after 10 creates every further create is refused with 30003.
        _, body = _prepare_simulator(server, wait=False)
        url = f"{server.url}/v1/api/generate/tryOnAccessories"
        runs = [
            run_load(url, "POST", json.dumps(body), 50, duration, DEMO_KEY) for _ in range(reps)
        ]
        results["simulator_rejected_create_c50"] = _summarise(runs)
    results["simulator_over_prism_rps"] = paired_ratios(results["simulator"], results["prism"])
    return results


def paired_ratios(
    sim: dict[str, Any], prism: dict[str, Any], figure: str = "rps"
) -> dict[str, float]:
    """Per point, the median over repetitions of simulator / Prism (or any two servers) in
    that repetition, of `figure` in each run: the two runs of a pair were taken seconds apart,
    so the machine's drift cancels out of each ratio, which a ratio of the two medians does not
    ensure."""
    ratios: dict[str, float] = {}
    for name in sim:
        pairs = zip(sim[name]["runs"], prism[name]["runs"], strict=True)
        ratios[name] = median([a[figure] / b[figure] for a, b in pairs])
    return ratios


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.mockspeed`: this benchmark alone (the full run's settings by default),
    printing each point's simulator / Prism ratio and both servers' requests per second."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.mockspeed", description=__doc__)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per run")
    parser.add_argument("--reps", type=int, default=5, help="runs per server and point")
    args = parser.parse_args(argv)
    found = measure(args.duration, args.reps, pick_generator(smoke=False))
    for point, ratio in found["simulator_over_prism_rps"].items():
        sim, other = found["simulator"][point]["rps"], found["prism"][point]["rps"]
        print(f"{point:10s} {ratio:5.2f} x Prism  ({sim:,.0f} vs {other:,.0f}/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
