"""One-command demo: a try-on-accessories job against the offline simulator.

Draws its own sample inputs (a model, the mask of where the accessory goes, a handbag), starts
`sellerpic-mock` on a free port with an ephemeral data folder, runs the `sellerpic` CLI exactly as
a user would, and stops the simulator whatever happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw

from sellerpic_mock.testing import serve_in_subprocess

OUTPUT = Path("demo-output")
DEMO_KEY = "sk-sellerpic-demo"
SIZE = (768, 1024)
#: Where the handbag goes: the model's right hand.
BAG_BOX = (470, 560, 650, 760)


def draw_model() -> Image.Image:
    img = Image.new("RGB", SIZE, (232, 226, 218))
    draw = ImageDraw.Draw(img)
    for y in range(SIZE[1]):
        shade = 232 - y // 16
        draw.line([(0, y), (SIZE[0], y)], fill=(shade, shade - 6, shade - 14))
    skin, dress = (224, 182, 150), (40, 62, 110)
    draw.ellipse((324, 120, 444, 250), fill=skin)
    draw.rectangle((366, 240, 402, 280), fill=skin)
    draw.polygon([(300, 280), (468, 280), (540, 820), (228, 820)], fill=dress)
    draw.line([(300, 290), (230, 560)], fill=skin, width=34)
    draw.line([(468, 290), (540, 560)], fill=skin, width=34)
    draw.rectangle((310, 820, 350, 990), fill=skin)
    draw.rectangle((418, 820, 458, 990), fill=skin)
    return img


def draw_mask() -> Image.Image:
    img = Image.new("L", SIZE, 0)
    ImageDraw.Draw(img).rectangle(BAG_BOX, fill=255)
    return img


def draw_handbag() -> Image.Image:
    img = Image.new("RGB", (400, 400), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.arc((110, 30, 290, 220), start=180, end=360, fill=(90, 50, 20), width=18)
    draw.rounded_rectangle((60, 120, 340, 360), radius=36, fill=(178, 102, 44))
    for x in range(80, 330, 34):
        for y in range(140, 350, 30):
            draw.ellipse((x, y, x + 14, y + 10), fill=(70, 40, 16))
    draw.rectangle((180, 150, 220, 180), fill=(218, 180, 60))
    return img


def write_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "model": folder / "model.png",
        "mask": folder / "model-mask.png",
        "product": folder / "handbag.png",
    }
    draw_model().save(paths["model"])
    draw_mask().save(paths["mask"])
    draw_handbag().save(paths["product"])
    return paths


def main() -> int:
    bindir = Path(sys.executable).parent
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    inputs = write_inputs(OUTPUT / "inputs")
    with serve_in_subprocess("--ephemeral", "--speed", "4") as (url, _):
        print(f"simulator running at {url} (demo key {DEMO_KEY})", flush=True)
        env = dict(os.environ, SELLERPIC_BASE_URL=url, SELLERPIC_API_KEY=DEMO_KEY)
        command = [
            str(bindir / "sellerpic"),
            "try-on-accessories",
            "--model-image", str(inputs["model"]),
            "--model-mask", str(inputs["mask"]),
            "--product-image", str(inputs["product"]),
            "--output", str(OUTPUT / "results"),
            "--format", "png",
        ]  # fmt: skip
        print("$ " + " ".join(command[1:]), flush=True)
        done = subprocess.run(command, env=env)
    if done.returncode != 0:
        print(f"the try-on job failed (exit {done.returncode})", file=sys.stderr)
        return done.returncode
    results = sorted((OUTPUT / "results").rglob("*.png"))
    print(f"\n{len(results)} results written:")
    for path in results:
        print(f"  {path}")
    print(f"inputs in {OUTPUT / 'inputs'}; the simulator has stopped.")
    return 0 if results else 1


if __name__ == "__main__":
    raise SystemExit(main())
