"""Encoding a rendered image into the format (and size) a download asks for."""

from __future__ import annotations

import io

from PIL import Image

UHD_SIDE = 4096
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
}


def upscale(img: Image.Image) -> Image.Image:
    """Longest side 4096 px; larger originals stay as they are (the documented uhd rule)."""
    longest = max(img.size)
    if longest >= UHD_SIDE:
        return img
    ratio = UHD_SIDE / longest
    size = (max(1, round(img.width * ratio)), max(1, round(img.height * ratio)))
    return img.resize(size, Image.Resampling.BICUBIC)


def encode_image(img: Image.Image, fmt: str, uhd: bool = False) -> bytes:
    if uhd:
        img = upscale(img)
    buffer = io.BytesIO()
    if fmt == "jpg":
        if img.mode == "RGBA":
            flat = Image.new("RGB", img.size, (255, 255, 255))
            flat.paste(img, mask=img.getchannel("A"))
            img = flat
        img.convert("RGB").save(buffer, format="JPEG", quality=90)
    elif fmt == "png":
        # Fast compression: UHD images are 16 megapixels and speed matters more than size here.
        img.save(buffer, format="PNG", compress_level=1 if uhd else 6)
    elif fmt == "webp":
        img.save(buffer, format="WEBP", quality=85, method=0 if uhd else 4)
    else:
        raise ValueError(f"not an image format: {fmt}")
    return buffer.getvalue()
