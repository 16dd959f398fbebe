"""The ten create-task methods, written once (`_Operations`) for both clients."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Generic, TypeVar

from ._effects import ProgressCallback
from ._operations import find_operation
from .uploads import FileKey

ImageInput = str | Path | bytes | FileKey


_TaskT = TypeVar("_TaskT")


class _Operations(Generic[_TaskT]):
    """The create-task methods, written once for both clients.

    Image inputs accept a path, bytes, or a file key (a `str` starting with `UPLOAD/`, or any
    `FileKey`). Local files are checked against the documented rules, masks against their image,
    and only then uploaded; any failure raises `InvalidInputError` before the first request.
    """

    def _create(
        self,
        operation: str,
        values: dict[str, Any],
        on_upload: ProgressCallback | None = None,
    ) -> _TaskT:
        raise NotImplementedError

    def try_on_accessories(
        self, *, model_image: ImageInput, model_mask: ImageInput, product_image: ImageInput
    ) -> _TaskT:
        """Place an accessory on a model inside the mask (2 results)."""
        return self._create(
            "try_on_accessories",
            {"model_image": model_image, "model_mask": model_mask, "product_image": product_image},
        )

    def try_on_apparel(
        self,
        *,
        model_image: ImageInput,
        top: ImageInput | None = None,
        bottom: ImageInput | None = None,
        one_piece: ImageInput | None = None,
    ) -> _TaskT:
        """Dress a model in exactly one garment (4 results)."""
        return self._create(
            "try_on_apparel",
            {"model_image": model_image, "top": top, "bottom": bottom, "one_piece": one_piece},
        )

    def swap_model(
        self,
        *,
        model_image: ImageInput,
        model_mask: ImageInput | None = None,
        model_id: str | None = None,
        scene_id: str | None = None,
        expression: str | None = None,
    ) -> _TaskT:
        """Replace the fashion model, keep the garment (4 results)."""
        return self._create(
            "swap_model",
            {
                "model_image": model_image,
                "model_mask": model_mask,
                "model_id": model_id,
                "scene_id": scene_id,
                "expression": expression,
            },
        )

    def replace_background(
        self,
        *,
        product_image: ImageInput,
        product_mask: ImageInput | None = None,
        replace_type: str | None = None,
        preset_background_id: str | None = None,
        custom_background_prompt: str | None = None,
        background_color: str | None = None,
        background_image: ImageInput | None = None,
        product_image_scale: float | None = None,
    ) -> _TaskT:
        """Replace the background; `replace_type` is inferred from the one background field
        given (a preset id alone means AI_BACKGROUND)."""
        return self._create(
            "replace_background",
            {
                "product_image": product_image,
                "product_mask": product_mask,
                "replace_type": replace_type,
                "preset_background_id": preset_background_id,
                "custom_background_prompt": custom_background_prompt,
                "background_color": background_color,
                "background_image": background_image,
                "product_image_scale": product_image_scale,
            },
        )

    def instruct_edit(
        self, *, image: ImageInput, prompt: str, ref_image: ImageInput | None = None
    ) -> _TaskT:
        """Edit an image following a text instruction (1 result)."""
        return self._create(
            "instruct_edit", {"image": image, "prompt": prompt, "ref_image": ref_image}
        )

    def segment_by_prompt(self, *, image: ImageInput, prompt: str) -> _TaskT:
        """Mask what the prompt names (1 result, free)."""
        return self._create("segment_by_prompt", {"image": image, "prompt": prompt})

    def segment_by_type(
        self,
        *,
        image: ImageInput,
        segment_type: str | None = None,
        expand_pixels: int | None = None,
    ) -> _TaskT:
        """Mask the subject of a segmentation type (1 result, free; images up to 2000 px)."""
        return self._create(
            "segment_by_type",
            {"image": image, "segment_type": segment_type, "expand_pixels": expand_pixels},
        )

    def image_to_video(
        self,
        *,
        image: ImageInput,
        prompt: str | None = None,
        audio_prompt: str | None = None,
        auto_audio: bool | None = None,
        model: str | None = None,
        video_duration: int | None = None,
    ) -> _TaskT:
        """Turn an image into a short video (1 result; download format mp4 by default)."""
        return self._create(
            "image_to_video",
            {
                "image": image,
                "prompt": prompt,
                "audio_prompt": audio_prompt,
                "auto_audio": auto_audio,
                "model": model,
                "video_duration": video_duration,
            },
        )

    def lifestyle_scene(
        self,
        *,
        product_image: ImageInput,
        product_mask: ImageInput | None = None,
        prompt: str | None = None,
    ) -> _TaskT:
        """Place a product in a generated scene (path and body inferred by the spec)."""
        return self._create(
            "lifestyle_scene",
            {"product_image": product_image, "product_mask": product_mask, "prompt": prompt},
        )

    def remove_background(self, *, image: ImageInput) -> _TaskT:
        """Cut out the subject of an image (1 result)."""
        return self._create("remove_background", {"image": image})

    def create(
        self, operation: str, /, *, on_upload: ProgressCallback | None = None, **inputs: Any
    ) -> _TaskT:
        """Create a task by operation name (`try_on_accessories`, `try-on-accessories` or
        `tryOnAccessories`), with the same inputs as the typed method. `on_upload(done, total)`
        reports the upload of each local file."""
        return self._create(find_operation(operation).name, inputs, on_upload)
