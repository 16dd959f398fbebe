"""Print the tables of BENCHMARKS.md from a results file: `python -m bench.report [FILE]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .run import DEFAULT_OUT


def _f(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def render(result: dict[str, Any]) -> str:
    raw = result["raw"]
    lines = [f"Run of {result['date']}, {result['elapsed_s']} s, machine: {result['machine']}", ""]
    batch_runs = raw["batch"]["runs"]
    first = batch_runs[0]
    lines += [
        "| batch | N | D (s) | bound (s) | wall (s), each run | wall / bound (median) "
        "| polls per task |",
        "|---|---|---|---|---|---|---|",
        f"| `client.batch` (poll {first['poll_interval_s']} s) | {first['n']} "
        f"| {_f(first['duration_s'], 1)} | {_f(first['bound_s'], 1)} "
        f"| {', '.join(_f(r['wall_s'], 1) for r in batch_runs)} "
        f"| {_f(result['batch_wall_over_bound'], 3)} | {_f(result['batch_polls_per_task'])} |",
    ]
    run_async = raw.get("batch_async")
    if run_async:
        lines.append(
            f"| `AsyncSellerPic.batch` (poll {run_async['poll_interval_s']} s) | {run_async['n']} "
            f"| {_f(run_async['duration_s'], 1)} | {_f(run_async['bound_s'], 1)} "
            f"| {_f(run_async['wall_s'], 1)} | {_f(run_async['wall_over_bound'], 3)} "
            f"| {_f(run_async['polls_per_task'])} |"
        )
    mis = raw.get("batch_misaligned")
    if mis:
        lines.append(
            f"| `client.batch`, D not a multiple of the poll | {mis['n']} "
            f"| {_f(mis['duration_s'], 2)} | {_f(mis['bound_s'], 1)} | {_f(mis['wall_s'], 1)} "
            f"| {_f(mis['wall_over_bound'], 3)} | {_f(mis['polls_per_task'])} |"
        )
    naive = raw["naive"]
    lines.append(
        f"| one at a time (poll {naive['poll_interval_s']} s) | {naive['n']} "
        f"| {_f(naive['duration_s'], 1)} | {_f(naive['bound_s'], 1)} | {_f(naive['wall_s'], 1)} "
        f"| {_f(naive['wall_over_bound'], 3)} | {_f(naive['polls_per_task'])} |"
    )
    lines += ["", "| client overhead | server | raw httpx µs/call | generated | layer "
              "| generated / raw | layer / raw | CPU: generated / raw | CPU: layer / raw |",
              "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for server in ("canned_server", "simulator"):
        o = raw["overhead"][server]
        us = o["us_per_call"]
        lines.append(
            f"| {o['calls']} getTaskStatus x {o['repetitions']} | {server} "
            f"| {_f(us['raw_httpx'], 0)} | {_f(us['generated'], 0)} | {_f(us['layer'], 0)} "
            f"| {_f(o['generated_over_raw'], 3)} | {_f(o['layer_over_raw'], 3)} "
            f"| {_f(o['generated_over_raw_cpu'], 3)} | {_f(o['layer_over_raw_cpu'], 3)} |"
        )
    speed = raw["mock_speed"]
    lines += ["", f"Load generator: {speed.get('generator', 'python')}.", ""]
    lines += ["| mock speed | simulator req/s | p50 ms | p99 ms | Prism req/s | p50 ms "
              "| p99 ms | simulator / Prism, median of paired runs |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for point in ("status_c1", "status_c50", "create_c1", "create_c50"):
        s, p = speed["simulator"][point], speed["prism"][point]
        lines.append(
            f"| {point} | {_f(s['rps'], 0)} | {_f(s['p50_ms'])} | {_f(s['p99_ms'])} "
            f"| {_f(p['rps'], 0)} | {_f(p['p50_ms'])} | {_f(p['p99_ms'])} "
            f"| {_f(speed['simulator_over_prism_rps'][point])} |"
        )
    for point, row in speed.get("simulator_persistent", {}).items():
        lines.append(
            f"| {point}, persistent data dir | {_f(row['rps'], 0)} | {_f(row['p50_ms'])} "
            f"| {_f(row['p99_ms'])} | | | | |"
        )
    rej, ceiling = speed["simulator_rejected_create_c50"], speed["generator_ceiling"]
    lines.append(
        f"| create_c50 refused (30003) | {_f(rej['rps'], 0)} | {_f(rej['p50_ms'])} "
        f"| {_f(rej['p99_ms'])} | | | | |"
    )
    lines.append(
        f"| generator ceiling (canned server, 50 conns) | {_f(ceiling['rps'], 0)} "
        f"| {_f(ceiling['p50_ms'])} | {_f(ceiling['p99_ms'])} | | | | |"
    )
    cold, cli, inproc = raw.get("cold_start"), raw.get("cli_start"), raw.get("inprocess")
    if cold and cli and inproc:
        lines += [
            "",
            "| start-up | median ms | against | median ms | ratio, median of paired runs |",
            "|---|---|---|---|---|",
            f"| `sellerpic-mock serve`, launch to first answer | {_f(cold['ms']['simulator'], 0)} "
            f"| Prism | {_f(cold['ms']['prism'], 0)} "
            f"| {_f(result['simulator_cold_start_over_prism'], 3)} ({cold['pairs']} pairs) |",
            f"| `sellerpic --help` | {_f(cli['ms']['sellerpic_help'], 0)} | `python -c pass` "
            f"| {_f(cli['ms']['python_pass'], 0)} "
            f"| {_f(result['cli_help_over_python_start'], 2)} ({cli['pairs']} pairs) |",
            "",
            f"Bare in-process simulator per test (`create_app`, one request through "
            f"`asgi_client`, `close_app`), median of {inproc['tests']}: "
            f"{_f(result['inprocess_bare_app_ms_per_test'])} ms; the first one "
            f"{_f(inproc['first_ms'], 0)} ms after {_f(inproc['import_ms'], 0)} ms of imports; "
            "with a threaded `run_server` instead: "
            f"{_f(inproc['threaded_server_ms_per_test'])} ms.",
        ]
    fix = raw.get("fixtures")
    if fix:
        lines += [
            "",
            "A test through the pytest plugin's `sellerpic_client` (fresh simulator, upload, "
            "create, wait in simulated time, download, tear-down): "
            f"{_f(result['inprocess_simulator_ms_per_test'])} ms, of which the fresh simulator "
            f"is {_f(result['inprocess_isolation_ms_per_test'])} ms. {fix['suite_tests']} such "
            f"tests run by pytest: {_f(fix['suite_fixtures_s'])} s through the fixtures, "
            f"{_f(fix['suite_served_s'])} s against one served simulator with real sleeps "
            f"({_f(result['suite_served_over_fixtures'])} x).",
        ]
    mem = raw["memory"]
    lines += [
        "",
        f"Upload of a {_f(mem['file_mb'])} MiB PNG ({mem['side_px']} px noise), "
        f"peak RSS above idle, median of {mem['repetitions']}: client "
        f"{_f(result['upload_client_rss_mb_over_idle'])} MiB, simulator "
        f"{_f(result['upload_simulator_rss_mb_over_idle'])} MiB.",
        "",
        "| scaling N | D (s) | poll (s) | bound (s) | wall (s) | wall / bound | polls per task "
        "| simulator RSS before (MiB) | after | growth |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in raw["scaling"]["rows"]:
        lines.append(
            f"| {row['n']} | {_f(row['duration_s'])} | {row.get('poll_interval_s')} "
            f"| {_f(row['bound_s'], 1)} "
            f"| {_f(row['wall_s'], 1)} | {_f(row['wall_over_bound'], 3)} "
            f"| {_f(row['polls_per_task'])} | {_f(row['simulator_rss_mb_before'], 1)} "
            f"| {_f(row['simulator_rss_mb_after'], 1)} | {_f(row['simulator_rss_mb_growth'], 1)} |"
        )
    return "\n".join(lines)


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    print(render(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
