"""Pictures for the preset catalogue and the docs' sample files, drawn from scratch."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw

from .common import colour_for, gradient

PRESET_SIDE = 512
THUMB_SIDE = 128


def preset_image(kind: str, preset_id: str, thumb: bool = False) -> bytes:
    side = THUMB_SIDE if thumb else PRESET_SIDE
    top = colour_for(f"{kind}:{preset_id}:top")
    bottom = colour_for(f"{kind}:{preset_id}:bottom")
    img = gradient((side, side), top, bottom)
    draw = ImageDraw.Draw(img)
    if kind in ("SWAP_MODEL",):
        # A simple figure so a fashion model preset looks like one.
        cx = side // 2
        draw.ellipse(
            (cx - side // 10, side // 8, cx + side // 10, side // 8 + side // 5),
            fill=(236, 200, 170),
        )
        draw.rectangle(
            (cx - side // 6, side // 3, cx + side // 6, side * 7 // 8), fill=colour_for(preset_id)
        )
    elif kind == "SWAP_MODEL_SCENE":
        draw.rectangle((0, side * 2 // 3, side, side), fill=colour_for(f"floor:{preset_id}"))
    else:
        draw.ellipse(
            (side // 4, side // 4, side * 3 // 4, side * 3 // 4),
            outline=(255, 255, 255),
            width=max(2, side // 64),
        )
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


@cache
def sample_product(fmt: str = "PNG") -> bytes:
    """A product shot on white: a coloured bag shape, the docs' `product/1-original.png`."""
    img = Image.new("RGB", (512, 512), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((136, 200, 376, 420), radius=24, fill=(176, 96, 48))
    draw.arc((186, 120, 326, 280), start=180, end=360, fill=(120, 60, 30), width=14)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


@cache
def sample_product_mask() -> bytes:
    img = Image.new("L", (512, 512), 0)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((136, 200, 376, 420), radius=24, fill=255)
    draw.arc((186, 120, 326, 280), start=180, end=360, fill=255, width=14)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


@cache
def sample_video_source() -> bytes:
    """A model with a handbag, the docs' `image-to-video/1-original.webp`."""
    img = gradient((640, 800), (230, 226, 220), (190, 180, 170))
    draw = ImageDraw.Draw(img)
    draw.ellipse((270, 80, 370, 200), fill=(236, 200, 170))
    draw.rectangle((240, 200, 400, 600), fill=(40, 40, 60))
    draw.rounded_rectangle((390, 380, 480, 470), radius=12, fill=(200, 160, 60))
    buffer = io.BytesIO()
    img.save(buffer, format="WEBP", quality=90)
    return buffer.getvalue()
