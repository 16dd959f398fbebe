"""The Python example of mock/README.md's "Control API" section runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "mock" / "README.md"


def test_the_python_example_runs() -> None:
    section = README.read_text(encoding="utf-8").split("### From Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    # Its own interpreter: the example calls asyncio.run, which pytest's loop would refuse.
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
