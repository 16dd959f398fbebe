"""The image and mask rules, as the client and the simulator both run them."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from sellerpic_spec import catalog
from sellerpic_spec.images import (
    ImageInfo,
    ImageRuleError,
    check_image,
    check_mask,
    inspect_image,
    inspect_image_file,
    sniff_format,
)


def encoded(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB", fill: int = 120) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, fill).save(buffer, format=fmt)
    return buffer.getvalue()


def mask(size: tuple[int, int], grey_rows: int = 0) -> bytes:
    img = Image.new("L", size, 0)
    for y in range(grey_rows):
        for x in range(size[0]):
            img.putpixel((x, y), 128)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def info(width: int, height: int, size: int = 1000) -> ImageInfo:
    return ImageInfo("png", width, height, False, size)


def broken(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ImageRuleError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.rule


def test_the_content_decides_the_format() -> None:
    assert sniff_format(encoded((4, 4), "JPEG")[:32]) == "jpeg"
    assert sniff_format(encoded((4, 4), "WEBP")[:32]) == "webp"
    assert sniff_format(b"GIF89a" + b"\0" * 26) == "gif"
    found = inspect_image(encoded((30, 20)))
    assert (found.format, found.width, found.height, found.extension) == ("png", 30, 20, "png")
    assert broken(inspect_image, encoded((4, 4), "GIF")) == "format"
    assert broken(inspect_image, b"\x89PNG\r\n\x1a\n" + b"\0" * 40) == "corrupt"
    assert broken(check_image, found, expected_format="jpg") == "format"
    check_image(inspect_image(encoded((4, 4), "JPEG")), expected_format="jpg")


def test_a_file_is_inspected_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "a.webp"
    path.write_bytes(encoded((40, 10), "WEBP"))
    assert inspect_image_file(path) == inspect_image(path.read_bytes())


def test_animation_size_and_resolution() -> None:
    frames = [Image.new("RGB", (8, 8), c) for c in (0, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="WEBP", save_all=True, append_images=frames[1:])
    assert broken(check_image, inspect_image(buffer.getvalue())) == "animation"
    common = catalog().image_rules
    assert broken(check_image, info(10, 10, common.max_bytes + 1)) == "size"
    check_image(info(10, 10, common.max_bytes))
    assert broken(check_image, info(common.max_side + 1, 10)) == "resolution"
    check_image(info(common.max_side, common.max_side))
    segment = catalog().operation("segmentImage").image_rules
    assert broken(check_image, info(2001, 10), segment) == "resolution"
    assert broken(check_image, info(10, 10, 500), replace(common, max_bytes=499)) == "size"


def test_image_to_video_takes_a_short_edge_of_300_and_2_5_to_5_2() -> None:
    rules = catalog().operation("imageToVideo").image_rules
    for width, height in ((300, 750), (750, 300), (300, 300), (1000, 2500)):
        check_image(info(width, height), rules)
    assert broken(check_image, info(299, 600), rules) == "resolution"
    assert broken(check_image, info(300, 751), rules) == "aspect"
    assert broken(check_image, info(2501, 1000), rules) == "aspect"
    # Other operations take the same shapes.
    check_image(info(10, 4000))


def test_masks_are_black_and_white_and_the_size_of_their_image() -> None:
    image = info(50, 40)
    check_mask(mask((50, 40)), image)
    assert broken(check_mask, mask((40, 50)), image) == "mask"
    tolerance = catalog().mask_rules
    # 1 grey row of 40 is 2.5%, over the 2% allowed; a JPEG's few grey edge pixels pass.
    assert tolerance.max_grey_share == 0.02
    assert broken(check_mask, mask((50, 40), grey_rows=1), image) == "mask"
    check_mask(mask((50, 100), grey_rows=1), info(50, 100))
