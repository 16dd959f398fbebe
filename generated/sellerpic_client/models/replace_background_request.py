from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.replace_type import ReplaceType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ReplaceBackgroundRequest")


@_attrs_define
class ReplaceBackgroundRequest:
    """`replaceType` decides which of the background fields is required (see the operation)."""

    replace_type: ReplaceType
    """ Source of the new background. """
    product_image_key: str
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    product_mask_key: str | Unset = UNSET
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    preset_background_id: str | Unset = UNSET
    """ Preset id, for `AI_BACKGROUND` and `PRESET_BACKGROUND_IMAGE`. """
    custom_background_prompt: str | Unset = UNSET
    """ Background description, for `TEXT_TO_BACKGROUND`. """
    background_color: str | Unset = UNSET
    """ HEX colour, for `SOLID_COLOR_BACKGROUND`. """
    background_image_key: str | Unset = UNSET
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    product_image_scale: float | Unset = UNSET
    """ Scale of the product in the output; range and meaning not documented. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        replace_type = self.replace_type.value

        product_image_key = self.product_image_key

        product_mask_key = self.product_mask_key

        preset_background_id = self.preset_background_id

        custom_background_prompt = self.custom_background_prompt

        background_color = self.background_color

        background_image_key = self.background_image_key

        product_image_scale = self.product_image_scale

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "replaceType": replace_type,
                "productImageKey": product_image_key,
            }
        )
        if product_mask_key is not UNSET:
            field_dict["productMaskKey"] = product_mask_key
        if preset_background_id is not UNSET:
            field_dict["presetBackgroundId"] = preset_background_id
        if custom_background_prompt is not UNSET:
            field_dict["customBackgroundPrompt"] = custom_background_prompt
        if background_color is not UNSET:
            field_dict["backgroundColor"] = background_color
        if background_image_key is not UNSET:
            field_dict["backgroundImageKey"] = background_image_key
        if product_image_scale is not UNSET:
            field_dict["productImageScale"] = product_image_scale

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        replace_type = ReplaceType(d.pop("replaceType"))

        product_image_key = d.pop("productImageKey")

        product_mask_key = d.pop("productMaskKey", UNSET)

        preset_background_id = d.pop("presetBackgroundId", UNSET)

        custom_background_prompt = d.pop("customBackgroundPrompt", UNSET)

        background_color = d.pop("backgroundColor", UNSET)

        background_image_key = d.pop("backgroundImageKey", UNSET)

        product_image_scale = d.pop("productImageScale", UNSET)

        replace_background_request = cls(
            replace_type=replace_type,
            product_image_key=product_image_key,
            product_mask_key=product_mask_key,
            preset_background_id=preset_background_id,
            custom_background_prompt=custom_background_prompt,
            background_color=background_color,
            background_image_key=background_image_key,
            product_image_scale=product_image_scale,
        )

        replace_background_request.additional_properties = d
        return replace_background_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
