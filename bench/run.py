"""Run every benchmark and write one JSON document (default bench/results/latest.json).

`python -m bench` is the full run (`make bench`, a few minutes); `python -m bench --smoke` runs
every benchmark with tiny sizes in seconds so the scripts never rot (CI; no timing meaning).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import (
    batch,
    cli_start,
    cold_start,
    fixtures,
    inprocess,
    memory,
    mockspeed,
    overhead,
    scaling,
)
from .common import ROOT, machine_info, median

DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"


@dataclass(frozen=True)
class Plan:
    batch_n: int
    created_s: float
    running_s: float
    batch_reps: int
    naive_n: int
    overhead_calls: int
    overhead_reps: int
    load_seconds: float
    load_reps: int
    upload_side: int
    memory_reps: int
    scaling_sizes: tuple[int, ...]
    scaling_created_s: float
    scaling_running_s: float
    #: A duration that is not a multiple of the poll interval (worst phase for polling).
    misaligned_n: int = 50
    misaligned_created_s: float = 0.25
    misaligned_running_s: float = 2.25
    #: None: the layer's own default (1 s for a local base URL).
    batch_poll_interval: float | None = None
    #: `sellerpic --help` / `python -c pass` pairs.
    cli_start_pairs: int = 20
    #: Simulator / Prism launches, each to its first answered request.
    cold_start_pairs: int = 5
    #: In-process simulators created, asked once and closed.
    inprocess_tests: int = 30
    #: tests through the pytest plugin's fixtures, and the size of the two suites compared
    fixture_tests: int = 200
    suite_tests: int = 200


FULL = Plan(
    batch_n=200,
    created_s=0.2,
    running_s=1.8,
    batch_reps=3,
    naive_n=20,
    overhead_calls=2000,
    overhead_reps=3,
    load_seconds=3.0,
    load_reps=5,
    upload_side=1860,
    memory_reps=3,
    scaling_sizes=(100, 300, 1000),
    scaling_created_s=0.05,
    scaling_running_s=0.45,
)
SMOKE = Plan(
    batch_n=12,
    created_s=0.05,
    running_s=0.15,
    batch_reps=1,
    naive_n=2,
    overhead_calls=50,
    overhead_reps=1,
    load_seconds=0.3,
    load_reps=1,
    upload_side=300,
    memory_reps=1,
    scaling_sizes=(10, 20),
    scaling_created_s=0.02,
    scaling_running_s=0.08,
    misaligned_n=10,
    misaligned_created_s=0.05,
    misaligned_running_s=0.1,
    batch_poll_interval=0.1,
    cli_start_pairs=2,
    cold_start_pairs=1,
    inprocess_tests=2,
    fixture_tests=3,
    suite_tests=3,
)


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(plan: Plan, smoke: bool) -> dict[str, Any]:
    started = time.monotonic()
    raw: dict[str, Any] = {}
    _log(f"batch: {plan.batch_n} tasks x {plan.batch_reps}")
    runs = [
        batch.measure_batch(plan.batch_n, plan.created_s, plan.running_s, plan.batch_poll_interval)
        for _ in range(plan.batch_reps)
    ]
    raw["batch"] = {"runs": runs}
    _log(f"async batch: {plan.batch_n} tasks")
    raw["batch_async"] = batch.measure_batch(
        plan.batch_n, plan.created_s, plan.running_s, plan.batch_poll_interval, use_async=True
    )
    _log(f"batch with D not a multiple of the poll interval: {plan.misaligned_n} tasks")
    raw["batch_misaligned"] = batch.measure_batch(
        plan.misaligned_n,
        plan.misaligned_created_s,
        plan.misaligned_running_s,
        plan.batch_poll_interval,
    )
    interval = (plan.created_s + plan.running_s) / 2
    _log(f"naive: {plan.naive_n} tasks one at a time, poll every {interval:.2f}s")
    raw["naive"] = batch.measure_naive(plan.naive_n, plan.created_s, plan.running_s, interval)
    _log(f"client overhead: {plan.overhead_calls} calls x {plan.overhead_reps}")
    raw["overhead"] = overhead.measure(plan.overhead_calls, plan.overhead_reps)
    generator = mockspeed.pick_generator(smoke)
    _log(f"mock speed: {plan.load_seconds}s per point x {plan.load_reps}, generator {generator}")
    raw["mock_speed"] = mockspeed.measure(plan.load_seconds, plan.load_reps, generator)
    _log(f"cold start: simulator and Prism, {plan.cold_start_pairs} pairs")
    raw["cold_start"] = cold_start.measure(plan.cold_start_pairs)
    _log(f"CLI start: sellerpic --help and python -c pass, {plan.cli_start_pairs} pairs")
    raw["cli_start"] = cli_start.measure(plan.cli_start_pairs)
    _log(f"in-process simulator: {plan.inprocess_tests} tests")
    raw["inprocess"] = inprocess.measure(plan.inprocess_tests)
    _log(f"pytest fixtures: {plan.fixture_tests} workflow tests, suites of {plan.suite_tests}")
    raw["fixtures"] = fixtures.measure(plan.fixture_tests, plan.suite_tests)
    _log(f"memory: {plan.upload_side}px noise PNG x {plan.memory_reps}")
    raw["memory"] = memory.measure(plan.upload_side, plan.memory_reps)
    _log(f"scaling: {plan.scaling_sizes}")
    # Poll interval D/2 here: the default 1 s is longer than the short D of these runs.
    raw["scaling"] = scaling.measure(
        list(plan.scaling_sizes),
        plan.scaling_created_s,
        plan.scaling_running_s,
        (plan.scaling_created_s + plan.scaling_running_s) / 2,
    )
    canned = raw["overhead"]["canned_server"]
    speed = raw["mock_speed"]
    return {
        "smoke": smoke,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "plan": plan.__dict__,
        "elapsed_s": round(time.monotonic() - started, 1),
        "batch_wall_over_bound": median([r["wall_over_bound"] for r in runs]),
        "batch_polls_per_task": median([r["polls_per_task"] for r in runs]),
        "naive_wall_over_bound": raw["naive"]["wall_over_bound"],
        "naive_polls_per_task": raw["naive"]["polls_per_task"],
        "client_overhead_vs_httpx": canned["generated_over_raw"],
        "layer_overhead_vs_httpx": canned["layer_over_raw"],
        "simulator_over_prism_rps": speed["simulator_over_prism_rps"],
        "simulator_p99_ms_50_clients": {
            "status": speed["simulator"]["status_c50"]["p99_ms"],
            "create": speed["simulator"]["create_c50"]["p99_ms"],
        },
        "upload_client_rss_mb_over_idle": raw["memory"]["client_mb_over_idle"],
        "upload_simulator_rss_mb_over_idle": raw["memory"]["simulator_mb_over_idle"],
        "cli_help_over_python_start": raw["cli_start"]["cli_help_over_python_start"],
        "simulator_cold_start_over_prism": raw["cold_start"]["simulator_cold_start_over_prism"],
        # A test through the plugin's fixture: a fresh in-process simulator, one upload, create,
        # wait (simulated time) and download, tear-down.
        "inprocess_simulator_ms_per_test": raw["fixtures"]["inprocess_simulator_ms_per_test"],
        "inprocess_isolation_ms_per_test": raw["fixtures"]["isolation_ms_per_test"],
        # The bare app: create, one request, close.
        "inprocess_bare_app_ms_per_test": raw["inprocess"]["inprocess_simulator_ms_per_test"],
        "suite_served_over_fixtures": raw["fixtures"]["suite_served_over_fixtures"],
        "repetitions": {
            "batch": plan.batch_reps,
            "overhead": plan.overhead_reps,
            "mock_speed": plan.load_reps,
            "memory": plan.memory_reps,
            "cli_start": plan.cli_start_pairs,
            "cold_start": plan.cold_start_pairs,
            "inprocess": plan.inprocess_tests,
            "fixtures": plan.fixture_tests,
        },
        "raw": raw,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds, no meaning")
    parser.add_argument("--out", type=Path, help=f"JSON output (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if args.out is None and args.smoke:
        parser.error("--smoke needs --out (the smoke never overwrites bench/results/latest.json)")
    out: Path = args.out or DEFAULT_OUT
    result = run(SMOKE if args.smoke else FULL, args.smoke)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _log(f"wrote {out} in {result['elapsed_s']}s")
    return 0
