"""The create-task operations: their inputs, request models and local rules.

One table drives the typed client methods, the CLI sub-commands and the batch runner. What it
holds is code: the Python names and help of each input and the generated request builder. The
API's facts (concurrency limits, results per task, image rules, masks, replaceType rules) are
not copied here: each `Operation` asks `sellerpic_spec` for them, on first use.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from .errors import InvalidInputError

# Not `typing.TYPE_CHECKING`: importing typing costs the CLI's start-up more than all of
# its own code (`sellerpic --help` must not wait for it); type checkers honour the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from sellerpic_spec import Catalog, ImageRules, OperationFacts


def catalog() -> Catalog:
    """The spec's facts, imported on first use: `sellerpic --help` reads the table and never
    asks for them."""
    from sellerpic_spec import catalog as bundled

    return bundled()


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
    #: the catalogue's list of the values this input takes (`replace_types`), if it has one
    choices_of: str | None = None
    #: the operation whose body field this is (set when the table is built)
    operation_id: str = ""

    @property
    def choices(self) -> tuple[str, ...]:
        """The values the spec allows, read when first needed (not when the table is built:
        `sellerpic --help` reads the table and must not parse the spec)."""
        if self.choices_of is None:
            return ()
        found: tuple[str, ...] = getattr(catalog(), self.choices_of)
        return found

    def _bound(self, name: str) -> float | None:
        if self.field is None or self.kind not in ("int", "float"):
            return None
        facts = catalog().operation(self.operation_id)
        value: float | None = getattr(facts.field(_camel(self.field)), name)
        return value

    @property
    def minimum(self) -> float | None:
        """The spec's `minimum` of this input's body field."""
        return self._bound("minimum")

    @property
    def maximum(self) -> float | None:
        """The spec's `maximum` of this input's body field."""
        return self._bound("maximum")

    def check(self, value: Any) -> Any:
        """The value if the spec allows it (a choice in any spelling becomes the spec's);
        otherwise InvalidInputError naming the input and what is allowed."""
        if self.choices and isinstance(value, str):
            return match_choice(value, self.choices, self.name)
        if self.kind in ("int", "float") and isinstance(value, int | float):
            if isinstance(value, bool):
                return value
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                allowed = " and ".join(
                    text
                    for text in (
                        f"at least {low:g}" if low is not None else "",
                        f"at most {high:g}" if high is not None else "",
                    )
                    if text
                )
                raise InvalidInputError(
                    f"{self.name} must be {allowed} (got {value:g})", field=self.name
                )
        return value


@dataclass(frozen=True)
class Operation:
    name: str  # python name, e.g. try_on_accessories
    operation_id: str  # spec operationId, e.g. tryOnAccessories
    module: Any  # the generated operation module
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
        return self.facts.limit

    @property
    def results_per_task(self) -> int:
        return self.facts.results_per_task

    @property
    def default_format(self) -> str:
        return self.facts.default_format

    @property
    def video(self) -> bool:
        return self.facts.result_kind == "video"

    @property
    def formats(self) -> tuple[str, ...]:
        """The download formats this operation's results come in (the first is the default)."""
        return self.facts.result_formats

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


def _camel(attribute: str) -> str:
    """A generated model's attribute as the spec names the body field: `expand_pixels` ->
    `expandPixels` (a trailing `_`, as in `type_`, is the generator's)."""
    head, *rest = attribute.rstrip("_").split("_")
    return head + "".join(word.title() for word in rest)


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


def _model_builder(model: Any, params: tuple[Param, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """Build the generated request model from already-resolved inputs (file keys, not paths)."""

    def build(values: Mapping[str, Any]) -> Any:
        kwargs = {
            p.field: values[p.name] for p in params if p.field and values.get(p.name) is not None
        }
        return model(**kwargs)

    return build


def _build_apparel(values: Mapping[str, Any]) -> Any:
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


def _build_replace_background(values: Mapping[str, Any]) -> Any:
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
        choices_of="replace_types",
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
    summary: str,
    build: Callable[[Mapping[str, Any]], Any] | None = None,
) -> Operation:
    params = tuple(replace(p, operation_id=operation_id) for p in params)
    builder = build or _model_builder(model, params)
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
