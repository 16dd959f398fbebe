"""Small image helpers shared by the renderers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

#: Longest side results are rendered at; larger inputs are reduced first to bound the work.
WORK_SIDE = 2048
_FOREGROUND_DISTANCE = 40


def colour_for(text: str) -> tuple[int, int, int]:
    """A stable, fairly saturated colour derived from any text (prompt, preset id...)."""
    digest = hashlib.sha256(text.encode()).digest()
    return (64 + digest[0] % 160, 64 + digest[1] % 160, 64 + digest[2] % 160)


def open_rgb(path: Path, max_side: int = WORK_SIDE) -> Image.Image:
    with Image.open(path) as img:
        rgb = (ImageOps.exif_transpose(img) or img).convert("RGB")
    if max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return rgb


def open_mask(path: Path, size: tuple[int, int]) -> Image.Image:
    with Image.open(path) as img:
        mask = img.convert("L")
    if mask.size != size:
        mask = mask.resize(size, Image.Resampling.NEAREST)
    return mask.point(lambda v: 255 if v >= 128 else 0)


def subject_mask(img: Image.Image) -> Image.Image:
    """White where the pixel differs from the border colour: a cheap stand-in for segmentation."""
    rgb = img.convert("RGB")
    width, height = rgb.size
    border = [
        rgb.getpixel((x, y))
        for x, y in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1))
    ]
    channels = [sorted(int(p[i]) for p in border if isinstance(p, tuple))[1] for i in range(3)]
    background = Image.new("RGB", rgb.size, (channels[0], channels[1], channels[2]))
    distance = ImageChops.difference(rgb, background).convert("L")
    mask = distance.point(lambda v: 255 if v > _FOREGROUND_DISTANCE else 0)
    if mask.getbbox() is None:
        # A uniform picture has no detectable subject: keep all of it rather than nothing.
        return Image.new("L", rgb.size, 255)
    return mask


def gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    width, height = size
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel(
            (0, y),
            (
                round(top[0] + (bottom[0] - top[0]) * t),
                round(top[1] + (bottom[1] - top[1]) * t),
                round(top[2] + (bottom[2] - top[2]) * t),
            ),
        )
    return column.resize((width, height), Image.Resampling.BILINEAR)


def hex_colour(value: str) -> tuple[int, int, int]:
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
