from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SegmentImageRequest")


@_attrs_define
class SegmentImageRequest:
    image_key: str
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    type_: str | Unset = UNSET
    """ Segmentation type; the accepted values were not captured. """
    expand_pixels: int | Unset = UNSET
    """ Presumably grows the mask by this many pixels. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        image_key = self.image_key

        type_ = self.type_

        expand_pixels = self.expand_pixels

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "imageKey": image_key,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if expand_pixels is not UNSET:
            field_dict["expandPixels"] = expand_pixels

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        image_key = d.pop("imageKey")

        type_ = d.pop("type", UNSET)

        expand_pixels = d.pop("expandPixels", UNSET)

        segment_image_request = cls(
            image_key=image_key,
            type_=type_,
            expand_pixels=expand_pixels,
        )

        segment_image_request.additional_properties = d
        return segment_image_request

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
