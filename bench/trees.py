"""Two checkouts of the simulator served side by side: does a change make it faster?

    git worktree add /tmp/before HEAD~1
    python -m bench.trees /tmp/before .  [--points status:1,create:50] [--reps 7]

Each tree's simulator runs from its own sources (PYTHONPATH at its mock/, spec/, src/ and
generated/) under this interpreter and its installed packages, the way `bench.mockspeed` starts
one (`--ephemeral`, tasks that finish at once, plenty of credits). The same load hits both in
turns, who goes first alternating, each run starting once both are idle; printed per point:
B / A requests per second and B / A server CPU per request, each the median over the pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sellerpic_mock.testing import announced_server, serve_command

from .common import DEMO_KEY, MANY_CREDITS, Server, cpu_seconds, median, wait_idle, wait_ready
from .mockspeed import _prepare_simulator, _targets, pick_generator, run_load

POINTS = ("status:1", "status:50", "create:1", "create:50")


@contextmanager
def tree_simulator(tree: Path) -> Iterator[Server]:
    parts = ("mock", "spec", "src", "generated")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(tree / part) for part in parts))
    command = serve_command(
        "--ephemeral", "--credits", str(MANY_CREDITS),
        "--created-seconds", "0", "--running-seconds", "0",
    )  # fmt: skip
    with announced_server(command, stderr=subprocess.DEVNULL, env=env) as (url, process):
        wait_ready(url + "/v1/api/usage", {"Authorization": f"Bearer {DEMO_KEY}"})
        yield Server(url, process.pid, process)


def compare(
    before: Path, after: Path, points: list[str], reps: int, duration: float
) -> dict[str, dict[str, float]]:
    generator = pick_generator(smoke=False)
    found: dict[str, dict[str, float]] = {}
    with tree_simulator(before) as a, tree_simulator(after) as b:
        requests = {}
        for server in (a, b):
            status_id, body = _prepare_simulator(server)
            requests[server.pid] = _targets(server, status_id, body)
        for point in points:
            endpoint, clients = point.split(":")
            rps: dict[int, list[float]] = {a.pid: [], b.pid: []}
            cpu: dict[int, list[float]] = {a.pid: [], b.pid: []}
            for server in (a, b):  # warm-up at the point's own load
                url, method, payload = requests[server.pid][endpoint]
                run_load(url, method, payload, int(clients), 1.0, DEMO_KEY, generator)
            for rep in range(reps):
                for server in (a, b) if rep % 2 == 0 else (b, a):
                    url, method, payload = requests[server.pid][endpoint]
                    wait_idle([a.pid, b.pid])
                    used = cpu_seconds(server.pid)
                    run = run_load(
                        url, method, payload, int(clients), duration, DEMO_KEY, generator
                    )
                    used = cpu_seconds(server.pid) - used
                    rps[server.pid].append(run["rps"])
                    cpu[server.pid].append(used / max(run["rps"] * duration, 1.0))
            found[point] = {
                "after_over_before_rps": median(
                    [y / x for x, y in zip(rps[a.pid], rps[b.pid], strict=True)]
                ),
                "after_over_before_cpu_per_request": median(
                    [y / x for x, y in zip(cpu[a.pid], cpu[b.pid], strict=True)]
                ),
                "before_rps": median(rps[a.pid]),
                "after_rps": median(rps[b.pid]),
            }
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trees", description=__doc__)
    parser.add_argument("before", type=Path, help="a checkout (A)")
    parser.add_argument("after", type=Path, help="another checkout (B)")
    parser.add_argument("--points", default=",".join(POINTS), help="endpoint:clients, ...")
    parser.add_argument("--reps", type=int, default=5, help="pairs of runs per point")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    for tree in (args.before, args.after):
        if not (tree / "mock" / "sellerpic_mock").is_dir():
            parser.error(f"{tree}: not a checkout of this repository (no mock/sellerpic_mock)")
    found = compare(
        args.before.resolve(), args.after.resolve(), args.points.split(","), args.reps,
        args.duration,
    )  # fmt: skip
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    for point, figures in found.items():
        print(
            f"{point:10s} B/A {figures['after_over_before_rps']:.3f} rps, "
            f"{figures['after_over_before_cpu_per_request']:.3f} CPU per request "
            f"({figures['before_rps']:,.0f} -> {figures['after_rps']:,.0f}/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
