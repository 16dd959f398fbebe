"""CLI start-up: `sellerpic --help` against `python -c pass`, wall time, in pairs.

What a user waits for before the CLI does anything, over what any Python program costs to start
on the same interpreter. The two commands alternate within each pair (who goes first alternates
too), and the figure is the median of the per-pair ratios, so the machine's drift over the run
cancels out of each ratio.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from .common import BIN, median, rounded


def wall_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def measure(pairs: int) -> dict[str, Any]:
    commands = {
        "sellerpic_help": [str(BIN / "sellerpic"), "--help"],
        "python_pass": [sys.executable, "-c", "pass"],
    }
    # One unrecorded round: the first start reads the files from disk.
    for command in commands.values():
        wall_seconds(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for n in range(pairs):
        names = list(commands) if n % 2 == 0 else list(commands)[::-1]
        for name in names:
            times[name].append(wall_seconds(commands[name]))
    ratios = [
        cli / bare for cli, bare in zip(times["sellerpic_help"], times["python_pass"], strict=True)
    ]
    return {
        "pairs": pairs,
        "ms": {name: rounded(median(ts) * 1000, 1) for name, ts in times.items()},
        "ratio_per_pair": [rounded(r) for r in ratios],
        "cli_help_over_python_start": rounded(median(ratios)),
    }
