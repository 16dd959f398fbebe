"""The create-task operations: their inputs, request models and local rules.

One table drives the typed client methods, the CLI sub-commands and the batch runner. What it
holds is code: the Python names and help of each input and the generated request builder. The
API's facts (concurrency limits, results per task, image rules, masks, replaceType rules) are
not copied here: each `Operation` asks `sellerpic_spec` for them, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from sellerpic_client.api.create_task import (
    image_to_video,
    instruct_edit,
    lifestyle_scene,
    prompt_segmentation,
    remove_background,
    replace_background,
    segment_image,
    swap_model,
    try_on_accessories,
    try_on_apparel,
)
from sellerpic_client.models import (
    GarmentImage,
    ImageToVideoRequest,
    InstructEditRequest,
    LifestyleSceneRequest,
    PromptSegmentationRequest,
    RemoveBackgroundRequest,
    ReplaceBackgroundRequest,
    ReplaceType,
    SegmentImageRequest,
    SwapModelRequest,
    TryOnAccessoriesRequest,
    TryOnApparelRequest,
)
from sellerpic_spec import ImageRules, OperationFacts, catalog

from .errors import InvalidInputError

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
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    name: str  # python name, e.g. try_on_accessories
    operation_id: str  # spec operationId, e.g. tryOnAccessories
    module: ModuleType
    params: tuple[Param, ...]
    build: Callable[[Mapping[str, Any]], Any]
    summary: str

    @property
    def cli_name(self) -> str:
        return self.name.replace("_", "-")

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def facts(self) -> OperationFacts:
        """What the spec says about this operation."""
        return catalog().operation(self.operation_id)

    @property
    def concurrency_limit(self) -> int:
        limit = self.facts.concurrency_limit
        if limit is None:
            raise LookupError(f"the spec gives {self.operation_id} no x-concurrency-limit")
        return limit

    @property
    def results_per_task(self) -> int:
        return self.facts.results_per_task

    @property
    def default_format(self) -> str:
        return self.facts.default_format

    @property
    def image_rules(self) -> ImageRules:
        """The rules every input image of this operation must pass."""
        return self.facts.image_rules or catalog().image_rules

    def param_for_field(self, spec_field: str) -> Param:
        """The input behind a body field of the spec (`backgroundImageKey`)."""
        attribute = _snake(spec_field)
        for p in self.params:
            if p.field is not None and p.field.rstrip("_") == attribute:
                return p
        raise KeyError(f"{self.name} has no input for the body field {spec_field}")

    def mask_image_of(self, mask: str) -> str | None:
        """The image input a mask input must match in size (the spec's `x-masks`)."""
        field = self.param(mask).field
        for mask_field, image_field in self.facts.masks.items():
            if field == _snake(mask_field):
                return self.param_for_field(image_field).name
        return None


def _snake(name: str) -> str:
    """A body field as the generated model names its attribute: `modelImageKey` ->
    `model_image_key`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _model_builder(
    model: type[Any], params: tuple[Param, ...]
) -> Callable[[Mapping[str, Any]], Any]:
    """Build the generated request model from already-resolved inputs (file keys, not paths)."""

    def build(values: Mapping[str, Any]) -> Any:
        kwargs = {
            p.field: values[p.name] for p in params if p.field and values.get(p.name) is not None
        }
        return model(**kwargs)

    return build


def _build_apparel(values: Mapping[str, Any]) -> TryOnApparelRequest:
    garments = {g: values.get(g) for g in ("top", "bottom", "one_piece")}
    given = [g for g, key in garments.items() if key is not None]
    if len(given) != 1:
        raise InvalidInputError(
            "try_on_apparel needs exactly one of top, bottom or one_piece", field="top"
        )
    garment = {given[0]: GarmentImage(image_key=str(garments[given[0]]))}
    return TryOnApparelRequest(model_image_key=values["model_image"], **garment)


def replace_type_needs() -> dict[str, str]:
    """replaceType -> the input it needs (the spec's `x-required-by-replace-type`)."""
    op = OPERATIONS["replace_background"]
    return {
        replace_type: op.param_for_field(field).name
        for replace_type, field in op.facts.required_by_replace_type.items()
    }


#: When `replace_type` is omitted, the first of these inputs given picks it: the replaceType
#: that needs it (the first such in the spec: a preset id means AI_BACKGROUND). A choice of
#: this client, not an API rule.
BACKGROUND_PRECEDENCE = (
    "background_color",
    "background_image",
    "custom_background_prompt",
    "preset_background_id",
)


def infer_replace_type(values: Mapping[str, Any]) -> str:
    """Pick `replaceType` from the one background field given, unless it was set explicitly."""
    explicit = values.get("replace_type")
    if explicit:
        return str(explicit).upper()
    needs = replace_type_needs()
    for name in BACKGROUND_PRECEDENCE:
        if values.get(name):
            return next(kind for kind, needed in needs.items() if needed == name)
    raise InvalidInputError(
        "replace_background needs a background: "
        + ", ".join(BACKGROUND_PRECEDENCE[:-1])
        + " or "
        + BACKGROUND_PRECEDENCE[-1],
        field="replace_type",
    )


def _build_replace_background(values: Mapping[str, Any]) -> ReplaceBackgroundRequest:
    replace_type = infer_replace_type(values)
    needs = replace_type_needs()
    if replace_type not in needs:
        raise InvalidInputError(f"unknown replace_type {replace_type!r}", field="replace_type")
    needed = needs[replace_type]
    if not values.get(needed):
        raise InvalidInputError(f"replace_type {replace_type} needs {needed}", field=needed)
    request = _model_builder(ReplaceBackgroundRequest, _REPLACE_PARAMS)(
        {**values, "replace_type": ReplaceType(replace_type)}
    )
    assert isinstance(request, ReplaceBackgroundRequest)
    return request


def _image(name: str, field: str | None, help: str, required: bool = True) -> Param:
    return Param(name, "image", required, help, field)


def _mask(name: str, field: str, of: str, required: bool = False) -> Param:
    # `of` only words the help; which image a mask must match is the spec's `x-masks`.
    return Param(name, "mask", required, f"black-and-white mask, same size as {of}", field)


_REPLACE_PARAMS = (
    _image("product_image", "product_image_key", "the product photo"),
    _mask("product_mask", "product_mask_key", "product_image"),
    Param(
        "replace_type",
        "str",
        False,
        "inferred from the background field given when omitted",
        "replace_type",
        choices=tuple(kind.value for kind in ReplaceType),
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
    module: ModuleType,
    model: type[Any] | None,
    params: tuple[Param, ...],
    *,
    summary: str,
    build: Callable[[Mapping[str, Any]], Any] | None = None,
) -> Operation:
    builder = build or _model_builder(model, params)  # type: ignore[arg-type]
    return Operation(name, operation_id, module, params, builder, summary)


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
            summary="replace the fashion model, keep the garment",
        ),
        _op(
            "replace_background",
            "replaceBackground",
            replace_background,
            None,
            _REPLACE_PARAMS,
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
                ),
            ),
            summary="mask the subject of a segmentation type",
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
                ),
            ),
            summary="turn an image into a short video",
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
            summary="place a product in a generated lifestyle scene",
        ),
        _op(
            "remove_background",
            "removeBackground",
            remove_background,
            RemoveBackgroundRequest,
            (_image("image", "image_key", "image to cut out"),),
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
