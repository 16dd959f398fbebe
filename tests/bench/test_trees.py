"""`python -m bench.trees`: two checkouts served side by side. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tree_against_itself_gives_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.trees", str(ROOT), str(ROOT), "--points",
         "status:1,create:2", "--reps", "1", "--duration", "0.5", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    found = json.loads(done.stdout)
    assert set(found) == {"status:1", "create:2"}
    for figures in found.values():
        assert figures["before_rps"] > 0 and figures["after_rps"] > 0
        assert figures["after_over_before_rps"] > 0
        assert figures["after_over_before_cpu_per_request"] > 0


def test_a_folder_that_is_no_checkout_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.trees", str(tmp_path), str(ROOT)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"{tmp_path}: not a checkout of this repository" in done.stderr
