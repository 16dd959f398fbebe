"""examples/node/ runs against `sellerpic-mock serve`, as a JavaScript team would run it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sellerpic_mock.testing import serve_in_subprocess

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "node"


def test_node_example_passes() -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed (the project's npm tools need it too)"
    with serve_in_subprocess("--ephemeral", stderr=subprocess.DEVNULL) as (url, _):
        done = subprocess.run(
            [node, "--test", str(EXAMPLE)],
            env={**os.environ, "SELLERPIC_MOCK_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 1" in done.stdout and "# fail 0" in done.stdout
