"""Scaling: batch wall time over its bound, polls per task and simulator RSS from 100 to 1,000
tasks, with a short task duration so the largest run stays bounded."""

from __future__ import annotations

from typing import Any

from .batch import measure_batch


def measure(
    sizes: list[int], created: float, running: float, poll_interval: float | None = None
) -> dict[str, Any]:
    rows = []
    for n in sizes:
        r = measure_batch(n, created, running, poll_interval)
        rows.append(
            {
                "n": n,
                "duration_s": r["duration_s"],
                "bound_s": r["bound_s"],
                "wall_s": r["wall_s"],
                "wall_over_bound": r["wall_over_bound"],
                "polls_per_task": r["polls_per_task"],
                "poll_interval_s": r["poll_interval_s"],
                "simulator_rss_mb_before": r["simulator_rss_mb_before"],
                "simulator_rss_mb_after": r["simulator_rss_mb_after"],
                "simulator_rss_mb_growth": r["simulator_rss_mb_growth"],
            }
        )
    return {"created_s": created, "running_s": running, "rows": rows}
