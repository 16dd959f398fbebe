"""The request journal's cost when served: the simulator with the journal on (the default) and
off (`--journal-size 0`), and Prism, side by side with bench.mockspeed's loads and alternation.

    python -m bench.journal [SECONDS_PER_RUN] [REPETITIONS]     # default 2 s x 3

Prints, per point, each server's req/s per run and the medians of the paired ratios
(journal on / Prism, journal off / Prism, journal on / off). The Python load generator is
used, as in the smoke: read the ratios, not the req/s. Take at least 2 repetitions: who runs
first alternates by repetition, and below 1 s per run there is no warm-up, so with one
repetition the journal-on server always ran cold first (0.3 s x 1 read on/off 0.36 to 0.53;
0.5 s x 2 read 0.81 to 1.19 on the same code).
"""

from __future__ import annotations

import sys

from .common import DEMO_KEY, median, prism, simulator
from .mockspeed import PRISM_BODY, Target, _measure_side_by_side, _prepare_simulator

INSTANT = ("--created-seconds", "0", "--running-seconds", "0")


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv else 2.0
    reps = int(argv[1]) if len(argv) > 1 else 3
    with (
        simulator(*INSTANT) as on,
        simulator(*INSTANT, "--journal-size", "0") as off,
        prism() as mocked,
    ):
        on_id, on_body = _prepare_simulator(on)
        off_id, off_body = _prepare_simulator(off)
        targets = {
            "journal_on": Target(on, on_id, on_body, DEMO_KEY),
            "journal_off": Target(off, off_id, off_body, DEMO_KEY),
            "prism": Target(mocked, "1956366543768004069", PRISM_BODY, "x"),
        }
        results = _measure_side_by_side(targets, seconds, reps, "python")
    for point in results["prism"]:
        runs = {name: [r["rps"] for r in results[name][point]["runs"]] for name in results}

        def ratio(a: str, b: str, runs: dict[str, list[float]] = runs) -> float:
            return median([x / y for x, y in zip(runs[a], runs[b], strict=True)])

        shown = {name: [round(rps) for rps in values] for name, values in runs.items()}
        print(
            f"{point} {shown} on/prism {ratio('journal_on', 'prism'):.2f} "
            f"off/prism {ratio('journal_off', 'prism'):.2f} "
            f"on/off {ratio('journal_on', 'journal_off'):.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
