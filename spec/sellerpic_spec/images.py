"""The API's rules for input images and masks, checked from the bytes.

The client runs them before spending a request or a credit; the offline simulator runs the same
rules on what it receives, so a file the client accepts is a file the simulator accepts. The
rules themselves (limits, formats, mask tolerances) come from the spec, through `catalog()`.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from ._catalog import ImageRules, MaskRules, catalog

_HEADER_BYTES = 32


class ImageRuleError(ValueError):
    """An input image breaks one of the API's rules; `rule` names it (format, size, ...)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    """What the rules need to know about an image, read from its bytes."""

    format: str  # "jpeg", "png" or "webp" (or another sniffed name for a refused file)
    width: int
    height: int
    animated: bool
    size: int

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "jpeg" else self.format


def sniff_format(head: bytes) -> str | None:
    """Name the container of a file from its first bytes, whatever its extension says."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp":
        return "heif-or-mp4"
    return None


def normalise_format(name: str) -> str:
    """`jpg` and `jpeg` name the same format."""
    name = name.lower().lstrip(".")
    return "jpeg" if name == "jpg" else name


def read_source(source: bytes | str | Path | BinaryIO) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    data = source.read()
    if not isinstance(data, bytes):
        raise TypeError("file objects must be opened in binary mode")
    return data


def inspect_image(data: bytes) -> ImageInfo:
    """Read format, dimensions and animation from the header, without decoding the pixels."""
    return _inspect(data[:_HEADER_BYTES], io.BytesIO(data), len(data))


def inspect_image_file(path: str | Path) -> ImageInfo:
    """`inspect_image` reading only what the header needs from a file, not the whole file."""
    with open(path, "rb") as handle:
        head = handle.read(_HEADER_BYTES)
        handle.seek(0)
        return _inspect(head, handle, os.fstat(handle.fileno()).st_size)


def _inspect(head: bytes, stream: BinaryIO, size: int) -> ImageInfo:
    kind = sniff_format(head)
    if kind not in {normalise_format(name) for name in catalog().upload_formats}:
        found = kind or "not a recognised image"
        allowed = ", ".join(catalog().upload_formats)
        raise ImageRuleError("format", f"file content is {found}; allowed: {allowed}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as img:
                width, height = img.size
                animated = bool(getattr(img, "is_animated", False))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageRuleError("resolution", f"image is too large to decode safely ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRuleError("corrupt", f"the {kind} data cannot be read ({exc})") from exc
    return ImageInfo(format=kind, width=width, height=height, animated=animated, size=size)


def check_image(
    info: ImageInfo,
    rules: ImageRules | None = None,
    *,
    expected_format: str | None = None,
) -> None:
    """Raise `ImageRuleError` for the first rule the image breaks (`rules`: the common ones
    unless given, e.g. an operation's `image_rules` or an upload flow's `upload_rules`)."""
    rules = rules or catalog().image_rules
    if expected_format is not None and normalise_format(expected_format) != info.format:
        raise ImageRuleError(
            "format",
            f"file content is {info.format} but the upload was declared as {expected_format}",
        )
    if info.animated and not rules.animated:
        raise ImageRuleError("animation", "animated images are not accepted")
    if info.size > rules.max_bytes:
        raise ImageRuleError(
            "size", f"file is {info.size} bytes; the limit is {rules.max_bytes} bytes"
        )
    if info.width > rules.max_side or info.height > rules.max_side:
        raise ImageRuleError(
            "resolution",
            f"image is {info.width}x{info.height} px; the limit is {rules.max_side} px per side",
        )
    check_shape(info, rules)


def check_shape(info: ImageInfo, rules: ImageRules) -> None:
    """The rules on an image's proportions (image-to-video: short edge and aspect ratio)."""
    short = min(info.width, info.height)
    if short < rules.min_short_side:
        raise ImageRuleError(
            "resolution", f"short edge is {short} px; at least {rules.min_short_side} px"
        )
    low, high = rules.aspect_min, rules.aspect_max
    # width / height < a / b, multiplied out: exact, and no division by a zero height.
    narrow = low is not None and info.width * low[1] < low[0] * info.height
    wide = high is not None and info.width * high[1] > high[0] * info.height
    if narrow or wide:
        raise ImageRuleError(
            "aspect",
            f"aspect ratio {info.width}:{info.height} is outside {_ratio(low)} to {_ratio(high)}",
        )


def _ratio(value: tuple[int, int] | None) -> str:
    return "any" if value is None else f"{value[0]}:{value[1]}"


def check_mask(mask_data: bytes, image: ImageInfo, rules: MaskRules | None = None) -> None:
    """A mask must be black and white and have the same dimensions as its image."""
    rules = rules or catalog().mask_rules
    mask = inspect_image(mask_data)
    check_image(mask)
    if rules.same_size and (mask.width, mask.height) != (image.width, image.height):
        raise ImageRuleError(
            "mask",
            f"mask is {mask.width}x{mask.height} px but its image is "
            f"{image.width}x{image.height} px; they must match",
        )
    with Image.open(io.BytesIO(mask_data)) as img:
        histogram = img.convert("L").histogram()
    total = sum(histogram)
    grey = sum(histogram[rules.tolerance : 256 - rules.tolerance])
    if total and grey / total > rules.max_grey_share:
        raise ImageRuleError(
            "mask",
            f"mask must be black and white; {grey / total:.0%} of its pixels are grey",
        )
