"""Two checkouts of the simulator served side by side: does a change make it faster?

    git worktree add /tmp/before HEAD~1
    python -m bench.trees /tmp/before .  [--points status:1,create:50] [--reps 7]

Each tree's simulator runs from its own sources (PYTHONPATH at its mock/, spec/, src/ and
generated/) under this interpreter and its installed packages, started and loaded as
`bench.mockspeed` does (`--ephemeral`, tasks that finish at once, plenty of credits; its
side-by-side runs, who goes first alternating); printed per point: B / A requests per second and
B / A server CPU per request, each the median over the pairs.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from .common import DEMO_KEY, simulator
from .mockspeed import (
    Target,
    _measure_side_by_side,
    _prepare_simulator,
    paired_ratios,
    pick_generator,
)

POINTS = ("status:1", "status:50", "create:1", "create:50")
INSTANT = ("--created-seconds", "0", "--running-seconds", "0")


def sources(tree: Path) -> dict[str, str]:
    """The environment that runs a checkout's simulator from its own sources."""
    parts = ("mock", "spec", "src", "generated")
    return dict(os.environ, PYTHONPATH=os.pathsep.join(str(tree / part) for part in parts))


def compare(
    before: Path, after: Path, points: list[str], reps: int, duration: float
) -> dict[str, dict[str, float]]:
    wanted = [(endpoint, int(clients)) for endpoint, clients in (p.split(":") for p in points)]
    with (
        simulator(*INSTANT, env=sources(before)) as a,
        simulator(*INSTANT, env=sources(after)) as b,
    ):
        targets = {
            name: Target(server, *_prepare_simulator(server), DEMO_KEY)
            for name, server in (("before", a), ("after", b))
        }
        runs = _measure_side_by_side(targets, duration, reps, pick_generator(smoke=False), wanted)
    rps = paired_ratios(runs["after"], runs["before"])
    cpu = paired_ratios(runs["after"], runs["before"], "cpu_us_per_request")
    return {
        f"{endpoint}:{clients}": {
            "after_over_before_rps": rps[f"{endpoint}_c{clients}"],
            "after_over_before_cpu_per_request": cpu[f"{endpoint}_c{clients}"],
            "before_rps": runs["before"][f"{endpoint}_c{clients}"]["rps"],
            "after_rps": runs["after"][f"{endpoint}_c{clients}"]["rps"],
        }
        for endpoint, clients in wanted
    }


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
