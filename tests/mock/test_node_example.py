"""examples/node/ runs as written against `sellerpic-mock serve`: another language's tests of
an app, steering time and reading the journal and ledger through the control API."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sellerpic_mock.testing import serve_in_subprocess

ROOT = Path(__file__).resolve().parents[2]


def test_the_node_example_passes_against_a_served_simulator() -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed (the project's npm tools need it too)"
    with serve_in_subprocess("--ephemeral") as (url, _process):
        done = subprocess.run(
            [node, "--test", "examples/node/"],
            cwd=ROOT,
            env={**os.environ, "SELLERPIC_BASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 1" in done.stdout and "# fail 0" in done.stdout
