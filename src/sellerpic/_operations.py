"""The create-task operations: their inputs, request models, limits and local rules.

One table drives the typed client methods, the CLI sub-commands and the batch runner, so an
operation is described in exactly one place. The concurrency limits and results-per-task counts
mirror the spec's `x-concurrency-limit` / `x-results-per-task` (a test checks them against
`openapi/sellerpic.yaml`); they live in code because the package must work from a wheel.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import images
from .errors import InvalidInputError

# Not `typing.TYPE_CHECKING`: importing typing costs the CLI's start-up more than all of
# its own code (`sellerpic --help` must not wait for it); type checkers honour the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal


class _Lazy:
    """A generated module or model, imported on first use: the table is read by the CLI to
    build its parser, and `sellerpic --help` must not pay for httpx and the generated client."""

    def __init__(self, module: str, attribute: str | None = None) -> None:
        self._module = module
        self._attribute = attribute

    def _target(self) -> Any:
        module = importlib.import_module(self._module)
        return module if self._attribute is None else getattr(module, self._attribute)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)


def _api(name: str) -> Any:
    return _Lazy(f"sellerpic_client.api.create_task.{name}")


def _model(name: str) -> Any:
    return _Lazy("sellerpic_client.models", name)


image_to_video = _api("image_to_video")
instruct_edit = _api("instruct_edit")
lifestyle_scene = _api("lifestyle_scene")
prompt_segmentation = _api("prompt_segmentation")
remove_background = _api("remove_background")
replace_background = _api("replace_background")
segment_image = _api("segment_image")
swap_model = _api("swap_model")
try_on_accessories = _api("try_on_accessories")
try_on_apparel = _api("try_on_apparel")
GarmentImage = _model("GarmentImage")
ImageToVideoRequest = _model("ImageToVideoRequest")
InstructEditRequest = _model("InstructEditRequest")
LifestyleSceneRequest = _model("LifestyleSceneRequest")
PromptSegmentationRequest = _model("PromptSegmentationRequest")
RemoveBackgroundRequest = _model("RemoveBackgroundRequest")
ReplaceBackgroundRequest = _model("ReplaceBackgroundRequest")
ReplaceType = _model("ReplaceType")
SegmentImageRequest = _model("SegmentImageRequest")
SwapModelRequest = _model("SwapModelRequest")
TryOnAccessoriesRequest = _model("TryOnAccessoriesRequest")
TryOnApparelRequest = _model("TryOnApparelRequest")

#: The spec's `DownloadFormat`, split as its description says: "images jpg, png, webp; videos
#: mp4, gif, webp" (a test checks both against openapi/sellerpic.yaml).
IMAGE_FORMATS = ("png", "jpg", "webp")
VIDEO_FORMATS = ("mp4", "gif", "webp")
#: The spec's `PresetType`.
PRESET_TYPES = ("SWAP_MODEL", "SWAP_MODEL_SCENE", "AI_BACKGROUND", "BACKGROUND")

if TYPE_CHECKING:
    ParamKind = Literal["image", "mask", "str", "int", "float", "bool"]


@dataclass(frozen=True)
class Param:
    """One input of an operation. Images and masks accept a local file or a file key."""

    name: str
    kind: ParamKind
    required: bool
    help: str
    #: attribute of the generated request model (None: the builder handles it)
    field: str | None = None
    #: for a mask: the image parameter it must match in size
    mask_of: str | None = None
    choices: tuple[str, ...] = ()
    #: the spec's `minimum` / `maximum` for numbers
    minimum: float | None = None
    maximum: float | None = None

    def check(self, value: Any) -> Any:
        """The value if the spec allows it (a choice in any spelling becomes the spec's);
        otherwise InvalidInputError naming the input and what is allowed."""
        if self.choices and isinstance(value, str):
            return match_choice(value, self.choices, self.name)
        if self.kind in ("int", "float") and not isinstance(value, bool):
            number = value
            low, high = self.minimum, self.maximum
            if isinstance(number, (int, float)) and (
                (low is not None and number < low) or (high is not None and number > high)
            ):
                allowed = " and ".join(
                    text
                    for text in (
                        f"at least {low:g}" if low is not None else "",
                        f"at most {high:g}" if high is not None else "",
                    )
                    if text
                )
                raise InvalidInputError(
                    f"{self.name} must be {allowed} (got {number:g})", field=self.name
                )
        return value


@dataclass(frozen=True)
class ImageRules:
    max_bytes: int = images.MAX_FILE_BYTES
    max_side: int = images.MAX_SIDE
    #: extra per-operation rule on the image's dimensions (None when there is none)
    shape_check: Callable[[images.ImageInfo], None] | None = None


@dataclass(frozen=True)
class Operation:
    name: str  # python name, e.g. try_on_accessories
    operation_id: str  # spec operationId, e.g. tryOnAccessories
    module: Any  # the generated operation module
    params: tuple[Param, ...]
    build: Callable[[Mapping[str, Any]], Any]
    concurrency_limit: int
    results_per_task: int
    default_format: str
    summary: str
    rules: ImageRules = ImageRules()

    @property
    def cli_name(self) -> str:
        return self.name.replace("_", "-")

    @property
    def video(self) -> bool:
        return self.default_format in VIDEO_FORMATS and self.default_format not in IMAGE_FORMATS

    @property
    def formats(self) -> tuple[str, ...]:
        """The download formats this operation's results come in."""
        return VIDEO_FORMATS if self.video else IMAGE_FORMATS

    def check_output(self, fmt: str | None, uhd: bool) -> str | None:
        """Refuse, before anything is created, a download that could never work: a format
        this operation's results do not come in, `uhd` on a video. Returns the format in the
        spec's spelling."""
        chosen = match_choice(fmt, self.formats, "format") if fmt else None
        if uhd and self.video:
            raise InvalidInputError(
                f"{self.cli_name} makes a video: uhd applies to images only", field="uhd"
            )
        return chosen

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


def _model_builder(model: Any, params: tuple[Param, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """Build the generated request model from already-resolved inputs (file keys, not paths)."""

    def build(values: Mapping[str, Any]) -> Any:
        kwargs = {
            p.field: values[p.name] for p in params if p.field and values.get(p.name) is not None
        }
        return model(**kwargs)

    return build


def _check_video_shape(info: images.ImageInfo) -> None:
    short, long_ = sorted((info.width, info.height))
    if short < 300:
        raise images.ImageRuleError("resolution", f"short edge is {short} px; at least 300 px")
    if long_ * 2 > short * 5:
        raise images.ImageRuleError(
            "aspect", f"aspect ratio {info.width}:{info.height} is outside 2:5 to 5:2"
        )


def _canonical(value: str) -> str:
    return value.strip().lower().replace("-", "").replace("_", "")


def match_choice(value: str, choices: tuple[str, ...], field: str) -> str:
    """`swap-model`, `swap_model`, `SWAP_MODEL` and `swapModel` all name `SWAP_MODEL`."""
    for choice in choices:
        if _canonical(choice) == _canonical(value):
            return choice
    raise InvalidInputError(
        f"{field} {value!r} is not one of {', '.join(choices)}", field=field.replace("-", "_")
    )


def _build_apparel(values: Mapping[str, Any]) -> Any:
    garments = {g: values.get(g) for g in ("top", "bottom", "one_piece")}
    given = [g for g, key in garments.items() if key is not None]
    if len(given) != 1:
        raise InvalidInputError(
            "try_on_apparel needs exactly one of top, bottom or one_piece", field="top"
        )
    garment = {given[0]: GarmentImage(image_key=str(garments[given[0]]))}
    return TryOnApparelRequest(model_image_key=values["model_image"], **garment)


#: Which field each replaceType needs (the spec's x-required-by-replace-type).
REPLACE_TYPE_NEEDS = {
    "AI_BACKGROUND": "preset_background_id",
    "TEXT_TO_BACKGROUND": "custom_background_prompt",
    "PRESET_BACKGROUND_IMAGE": "preset_background_id",
    "CUSTOM_BACKGROUND_IMAGE": "background_image",
    "SOLID_COLOR_BACKGROUND": "background_color",
}


def infer_replace_type(values: Mapping[str, Any]) -> str:
    """Pick `replaceType` from the one background field given, unless it was set explicitly."""
    explicit = values.get("replace_type")
    if explicit:
        return str(explicit).upper()
    if values.get("background_color"):
        return "SOLID_COLOR_BACKGROUND"
    if values.get("background_image"):
        return "CUSTOM_BACKGROUND_IMAGE"
    if values.get("custom_background_prompt"):
        return "TEXT_TO_BACKGROUND"
    if values.get("preset_background_id"):
        return "AI_BACKGROUND"
    raise InvalidInputError(
        "replace_background needs a background: background_color, background_image, "
        "custom_background_prompt or preset_background_id",
        field="replace_type",
    )


def _build_replace_background(values: Mapping[str, Any]) -> Any:
    replace_type = infer_replace_type(values)
    if replace_type not in REPLACE_TYPE_NEEDS:
        raise InvalidInputError(f"unknown replace_type {replace_type!r}", field="replace_type")
    needed = REPLACE_TYPE_NEEDS[replace_type]
    if not values.get(needed):
        raise InvalidInputError(f"replace_type {replace_type} needs {needed}", field=needed)
    request = _model_builder(ReplaceBackgroundRequest, _REPLACE_PARAMS)(
        {**values, "replace_type": ReplaceType(replace_type)}
    )
    return request


def _image(name: str, field: str | None, help: str, required: bool = True) -> Param:
    return Param(name, "image", required, help, field)


def _mask(name: str, field: str, of: str, required: bool = False) -> Param:
    return Param(name, "mask", required, f"black-and-white mask, same size as {of}", field, of)


_REPLACE_PARAMS = (
    _image("product_image", "product_image_key", "the product photo"),
    _mask("product_mask", "product_mask_key", "product_image"),
    Param(
        "replace_type",
        "str",
        False,
        "inferred from the background field given when omitted",
        "replace_type",
        choices=tuple(REPLACE_TYPE_NEEDS),
    ),
    Param(
        "preset_background_id",
        "str",
        False,
        "preset id (AI_BACKGROUND, PRESET_BACKGROUND_IMAGE)",
        "preset_background_id",
    ),
    Param(
        "custom_background_prompt",
        "str",
        False,
        "background description (TEXT_TO_BACKGROUND)",
        "custom_background_prompt",
    ),
    Param(
        "background_color",
        "str",
        False,
        "HEX colour such as #80c699 (SOLID_COLOR_BACKGROUND)",
        "background_color",
    ),
    _image(
        "background_image",
        "background_image_key",
        "custom background (CUSTOM_BACKGROUND_IMAGE)",
        required=False,
    ),
    Param(
        "product_image_scale",
        "float",
        False,
        "scale of the product (undocumented range)",
        "product_image_scale",
    ),
)


def _op(
    name: str,
    operation_id: str,
    module: Any,
    model: Any,
    params: tuple[Param, ...],
    *,
    limit: int,
    results: int,
    summary: str,
    default_format: str = "png",
    build: Callable[[Mapping[str, Any]], Any] | None = None,
    rules: ImageRules = ImageRules(),
) -> Operation:
    builder = build or _model_builder(model, params)
    return Operation(
        name, operation_id, module, params, builder, limit, results, default_format, summary, rules
    )


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        _op(
            "try_on_accessories",
            "tryOnAccessories",
            try_on_accessories,
            TryOnAccessoriesRequest,
            (
                _image("model_image", "model_image_key", "photo of the model"),
                _mask("model_mask", "model_mask_key", "model_image", required=True),
                _image("product_image", "product_image_key", "the accessory"),
            ),
            limit=10,
            results=2,
            summary="place an accessory on a model inside the mask",
        ),
        _op(
            "try_on_apparel",
            "tryOnApparel",
            try_on_apparel,
            None,
            (
                _image("model_image", None, "photo of the model"),
                _image("top", None, "garment worn on top", required=False),
                _image("bottom", None, "garment worn below", required=False),
                _image("one_piece", None, "one-piece garment", required=False),
            ),
            limit=10,
            results=4,
            summary="dress a model in a garment (exactly one of top, bottom, one-piece)",
            build=_build_apparel,
        ),
        _op(
            "swap_model",
            "swapModel",
            swap_model,
            SwapModelRequest,
            (
                _image("model_image", "model_image_key", "photo with the garment to keep"),
                _mask("model_mask", "model_mask_key", "model_image"),
                Param("model_id", "str", False, "preset id (presets SWAP_MODEL)", "model_id"),
                Param("scene_id", "str", False, "preset id (presets SWAP_MODEL_SCENE)", "scene_id"),
                Param(
                    "expression",
                    "str",
                    False,
                    "facial expression (field name inferred)",
                    "expression",
                ),
            ),
            limit=10,
            results=4,
            summary="replace the fashion model, keep the garment",
        ),
        _op(
            "replace_background",
            "replaceBackground",
            replace_background,
            None,
            _REPLACE_PARAMS,
            limit=10,
            results=4,
            summary="replace the background behind a product",
            build=_build_replace_background,
        ),
        _op(
            "instruct_edit",
            "instructEdit",
            instruct_edit,
            InstructEditRequest,
            (
                _image("image", "image_key", "image to edit"),
                Param("prompt", "str", True, "the edit instruction", "prompt"),
                _image("ref_image", "ref_image_key", "reference image", required=False),
            ),
            limit=5,
            results=1,
            summary="edit an image following a text instruction",
        ),
        _op(
            "segment_by_prompt",
            "promptSegmentation",
            prompt_segmentation,
            PromptSegmentationRequest,
            (
                _image("image", "image_key", "image to segment"),
                Param("prompt", "str", True, "what to segment, e.g. cup", "prompt"),
            ),
            limit=5,
            results=1,
            summary="mask the part of an image named by a prompt",
        ),
        _op(
            "segment_by_type",
            "segmentImage",
            segment_image,
            SegmentImageRequest,
            (
                _image("image", "image_key", "image to segment"),
                Param(
                    "segment_type", "str", False, "segmentation type (values undocumented)", "type_"
                ),
                Param(
                    "expand_pixels",
                    "int",
                    False,
                    "grow the mask by this many pixels",
                    "expand_pixels",
                    minimum=0,
                    maximum=512,
                ),
            ),
            limit=5,
            results=1,
            summary="mask the subject of a segmentation type",
            rules=ImageRules(max_side=2000),
        ),
        _op(
            "image_to_video",
            "imageToVideo",
            image_to_video,
            ImageToVideoRequest,
            (
                _image("image", "image_key", "the still image"),
                Param("prompt", "str", False, "what happens in the video", "prompt"),
                Param("audio_prompt", "str", False, "description of the audio", "audio_prompt"),
                Param("auto_audio", "bool", False, "generate audio automatically", "auto_audio"),
                Param("model", "str", False, "video model (values undocumented)", "model"),
                Param(
                    "video_duration",
                    "int",
                    False,
                    "seconds (5 and 10 are priced)",
                    "video_duration",
                    minimum=0,
                    maximum=60,
                ),
            ),
            limit=10,
            results=1,
            summary="turn an image into a short video",
            default_format="mp4",
            rules=ImageRules(shape_check=_check_video_shape),
        ),
        _op(
            "lifestyle_scene",
            "lifestyleScene",
            lifestyle_scene,
            LifestyleSceneRequest,
            (
                _image("product_image", "product_image_key", "the product photo"),
                _mask("product_mask", "product_mask_key", "product_image"),
                Param("prompt", "str", False, "description of the scene", "prompt"),
            ),
            limit=10,
            results=4,
            summary="place a product in a generated lifestyle scene",
        ),
        _op(
            "remove_background",
            "removeBackground",
            remove_background,
            RemoveBackgroundRequest,
            (_image("image", "image_key", "image to cut out"),),
            limit=10,
            results=1,
            summary="remove the background of an image",
        ),
    )
}


def find_operation(name: str) -> Operation:
    """Accept `try_on_accessories`, `try-on-accessories` or the spec's `tryOnAccessories`."""
    key = name.strip().replace("-", "_")
    if key in OPERATIONS:
        return OPERATIONS[key]
    for op in OPERATIONS.values():
        if op.operation_id.lower() == name.strip().lower():
            return op
    known = ", ".join(op.cli_name for op in OPERATIONS.values())
    raise InvalidInputError(f"unknown operation {name!r}; known: {known}", field="operation")
