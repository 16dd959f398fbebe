"""One renderer per create operation: a visible, deterministic stand-in for the real model."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter, ImageOps

from .common import colour_for, gradient, hex_colour, open_mask, open_rgb, subject_mask

#: Largest mask growth honoured for segmentImage.expandPixels; beyond it the blur gets slow.
MAX_EXPAND = 64


@dataclass(frozen=True)
class RenderJob:
    operation: str
    body: dict[str, Any]
    #: Body field path (e.g. `top.imageKey`) -> stored file of that key.
    inputs: dict[str, Path]
    #: Body field (e.g. `presetBackgroundId`) -> PNG bytes of the chosen preset.
    presets: dict[str, bytes] = field(default_factory=dict)
    index: int = 0


def _preset(job: RenderJob, name: str, size: tuple[int, int]) -> Image.Image | None:
    data = job.presets.get(name)
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as img:
        return ImageOps.fit(img.convert("RGB"), size, Image.Resampling.BILINEAR)


def _paste_fitted(
    base: Image.Image, piece: Image.Image, box: tuple[int, int, int, int], scale: float = 1.0
) -> None:
    """Paste the subject of `piece` into `box` of `base`, kept in proportion and centred."""
    alpha = subject_mask(piece)
    bbox = alpha.getbbox() or (0, 0, *piece.size)
    piece, alpha = piece.crop(bbox), alpha.crop(bbox)
    box_w, box_h = max(1, box[2] - box[0]), max(1, box[3] - box[1])
    ratio = min(box_w / piece.width, box_h / piece.height) * scale
    size = (max(1, round(piece.width * ratio)), max(1, round(piece.height * ratio)))
    piece = piece.resize(size, Image.Resampling.BILINEAR)
    alpha = alpha.resize(size, Image.Resampling.BILINEAR)
    x = box[0] + (box_w - size[0]) // 2
    y = box[1] + (box_h - size[1]) // 2
    base.paste(piece, (x, y), alpha)


def _tint(img: Image.Image, colour: tuple[int, int, int], amount: float) -> Image.Image:
    return Image.blend(img.convert("RGB"), Image.new("RGB", img.size, colour), amount)


def try_on_accessories(job: RenderJob) -> Image.Image:
    model = open_rgb(job.inputs["modelImageKey"])
    mask = open_mask(job.inputs["modelMaskKey"], model.size)
    box = mask.getbbox() or (
        model.width // 4,
        model.height // 4,
        model.width * 3 // 4,
        model.height * 3 // 4,
    )
    layer = model.copy()
    _paste_fitted(layer, open_rgb(job.inputs["productImageKey"]), box, 1.0 - 0.1 * job.index)
    # Only the masked region changes, as with the real try-on.
    return Image.composite(layer, model, mask)


def try_on_apparel(job: RenderJob) -> Image.Image:
    model = open_rgb(job.inputs["modelImageKey"])
    x0, y0, x1, y1 = subject_mask(model).getbbox() or (0, 0, *model.size)
    height = y1 - y0
    regions = {"top": (0.2, 0.6), "bottom": (0.5, 0.95), "onePiece": (0.2, 0.95)}
    result = model.copy()
    for garment, (start, end) in regions.items():
        path = job.inputs.get(f"{garment}.imageKey")
        if path is not None:
            box = (x0, y0 + round(height * start), x1, y0 + round(height * end))
            _paste_fitted(result, open_rgb(path), box, 1.0 - 0.05 * job.index)
    return _tint(result, colour_for(f"apparel:{job.index}"), 0.06 * job.index)


def swap_model(job: RenderJob) -> Image.Image:
    original = open_rgb(job.inputs["modelImageKey"])
    mirrored = ImageOps.mirror(original)
    tone = colour_for(f"model:{job.body.get('modelId', '')}:{job.body.get('expression', '')}")
    result = _tint(mirrored, tone, 0.3 + 0.05 * job.index)
    scene = _preset(job, "sceneId", original.size)
    if scene is not None:
        result = Image.composite(result, scene, ImageOps.mirror(subject_mask(original)))
    mask_path = job.inputs.get("modelMaskKey")
    if mask_path is not None:
        # The garment (white in the mask) is kept as it was; only the model around it changes.
        garment = ImageOps.mirror(open_mask(mask_path, original.size))
        result = Image.composite(mirrored, result, garment)
    return result


def _background(job: RenderJob, size: tuple[int, int]) -> Image.Image:
    kind = job.body["replaceType"]
    if kind == "SOLID_COLOR_BACKGROUND":
        return Image.new("RGB", size, hex_colour(str(job.body["backgroundColor"])))
    if kind == "CUSTOM_BACKGROUND_IMAGE":
        with Image.open(job.inputs["backgroundImageKey"]) as img:
            return ImageOps.fit(img.convert("RGB"), size, Image.Resampling.BILINEAR)
    if kind in ("AI_BACKGROUND", "PRESET_BACKGROUND_IMAGE"):
        preset = _preset(job, "presetBackgroundId", size)
        if preset is not None:
            return _tint(preset, colour_for(f"variant:{job.index}"), 0.12 * job.index)
    prompt = str(job.body.get("customBackgroundPrompt", ""))
    return gradient(
        size, colour_for(f"{prompt}:{job.index}:a"), colour_for(f"{prompt}:{job.index}:b")
    )


def _cutout(job: RenderJob, key: str, mask_key: str) -> tuple[Image.Image, Image.Image]:
    product = open_rgb(job.inputs[key])
    mask_path = job.inputs.get(mask_key)
    alpha = open_mask(mask_path, product.size) if mask_path else subject_mask(product)
    return product, alpha


def _place(
    background: Image.Image, product: Image.Image, alpha: Image.Image, scale: float
) -> Image.Image:
    scale = min(max(scale, 0.1), 2.0)
    if scale != 1.0:
        size = (max(1, round(product.width * scale)), max(1, round(product.height * scale)))
        product = product.resize(size, Image.Resampling.BILINEAR)
        alpha = alpha.resize(size, Image.Resampling.BILINEAR)
    x = (background.width - product.width) // 2
    y = (background.height - product.height) // 2
    background.paste(product, (x, y), alpha)
    return background


def replace_background(job: RenderJob) -> Image.Image:
    product, alpha = _cutout(job, "productImageKey", "productMaskKey")
    scale = float(job.body.get("productImageScale") or 1.0)
    return _place(_background(job, product.size), product, alpha, scale)


def lifestyle_scene(job: RenderJob) -> Image.Image:
    product, alpha = _cutout(job, "productImageKey", "productMaskKey")
    prompt = str(job.body.get("prompt", "lifestyle"))
    scene = gradient(
        product.size, colour_for(f"{prompt}:{job.index}:sky"), colour_for(f"{prompt}:wall")
    )
    floor = Image.new(
        "RGB", (product.width, product.height // 3), colour_for(f"{prompt}:{job.index}:floor")
    )
    scene.paste(floor, (0, product.height - floor.height))
    return _place(scene, product, alpha, 0.7)


def instruct_edit(job: RenderJob) -> Image.Image:
    image = open_rgb(job.inputs["imageKey"])
    tone = colour_for(str(job.body.get("prompt", "")))
    toned = ImageOps.colorize(ImageOps.grayscale(image), (0, 0, 0), tone, (255, 255, 255))
    result = Image.blend(image, toned, 0.5)
    ref = job.inputs.get("refImageKey")
    if ref is not None:
        result = Image.blend(result, ImageOps.fit(open_rgb(ref), image.size), 0.2)
    return result


def segment(job: RenderJob) -> Image.Image:
    mask = subject_mask(open_rgb(job.inputs["imageKey"]))
    grow = min(int(job.body.get("expandPixels") or 0), MAX_EXPAND)
    if grow > 0:
        mask = mask.filter(ImageFilter.BoxBlur(grow)).point(lambda v: 255 if v > 0 else 0)
    return mask.convert("RGB")


def remove_background(job: RenderJob) -> Image.Image:
    image = open_rgb(job.inputs["imageKey"])
    cut = image.convert("RGBA")
    cut.putalpha(subject_mask(image))
    return cut


RENDERERS: dict[str, Callable[[RenderJob], Image.Image]] = {
    "tryOnAccessories": try_on_accessories,
    "tryOnApparel": try_on_apparel,
    "swapModel": swap_model,
    "replaceBackground": replace_background,
    "lifestyleScene": lifestyle_scene,
    "instructEdit": instruct_edit,
    "promptSegmentation": segment,
    "segmentImage": segment,
    "removeBackground": remove_background,
}


def render_image(job: RenderJob) -> Image.Image:
    return RENDERERS[job.operation](job)
