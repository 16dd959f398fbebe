from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InstructEditRequest")


@_attrs_define
class InstructEditRequest:
    image_key: str
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    prompt: str
    """ The edit instruction. """
    ref_image_key: str | Unset = UNSET
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        image_key = self.image_key

        prompt = self.prompt

        ref_image_key = self.ref_image_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "imageKey": image_key,
                "prompt": prompt,
            }
        )
        if ref_image_key is not UNSET:
            field_dict["refImageKey"] = ref_image_key

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        image_key = d.pop("imageKey")

        prompt = d.pop("prompt")

        ref_image_key = d.pop("refImageKey", UNSET)

        instruct_edit_request = cls(
            image_key=image_key,
            prompt=prompt,
            ref_image_key=ref_image_key,
        )

        instruct_edit_request.additional_properties = d
        return instruct_edit_request

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
