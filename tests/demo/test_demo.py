"""`make demo` works: the try-on job runs against the simulator and leaves real results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image

from sellerpic_spec.images import inspect_image

DEMO = Path(__file__).resolve().parents[2] / "tools" / "demo.py"


def test_the_demo_writes_two_try_on_results_and_stops_the_simulator(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = sorted((tmp_path / "demo-output" / "results").rglob("*.png"))
    assert len(results) == 2, done.stdout
    model = Image.open(tmp_path / "demo-output" / "inputs" / "model.png")
    for path in results:
        info = inspect_image(path.read_bytes())
        assert (info.format, info.width, info.height) == ("png", *model.size)
        with Image.open(path) as result:
            # the accessory changed the masked region and nothing else
            assert result.convert("RGB").getpixel((560, 660)) != model.getpixel((560, 660))
            assert result.convert("RGB").getpixel((40, 40)) == model.getpixel((40, 40))
    assert "the simulator has stopped" in done.stdout
