from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LifestyleSceneRequest")


@_attrs_define
class LifestyleSceneRequest:
    product_image_key: str
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    product_mask_key: str | Unset = UNSET
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    prompt: str | Unset = UNSET
    """ Description of the scene. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product_image_key = self.product_image_key

        product_mask_key = self.product_mask_key

        prompt = self.prompt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "productImageKey": product_image_key,
            }
        )
        if product_mask_key is not UNSET:
            field_dict["productMaskKey"] = product_mask_key
        if prompt is not UNSET:
            field_dict["prompt"] = prompt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        product_image_key = d.pop("productImageKey")

        product_mask_key = d.pop("productMaskKey", UNSET)

        prompt = d.pop("prompt", UNSET)

        lifestyle_scene_request = cls(
            product_image_key=product_image_key,
            product_mask_key=product_mask_key,
            prompt=prompt,
        )

        lifestyle_scene_request.additional_properties = d
        return lifestyle_scene_request

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
