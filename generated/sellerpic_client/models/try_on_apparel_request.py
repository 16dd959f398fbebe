from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.garment_image import GarmentImage


T = TypeVar("T", bound="TryOnApparelRequest")


@_attrs_define
class TryOnApparelRequest:
    """The model image and exactly one of `top`, `bottom` or `onePiece`."""

    model_image_key: str
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    top: GarmentImage | Unset = UNSET
    bottom: GarmentImage | Unset = UNSET
    one_piece: GarmentImage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model_image_key = self.model_image_key

        top: dict[str, Any] | Unset = UNSET
        if not isinstance(self.top, Unset):
            top = self.top.to_dict()

        bottom: dict[str, Any] | Unset = UNSET
        if not isinstance(self.bottom, Unset):
            bottom = self.bottom.to_dict()

        one_piece: dict[str, Any] | Unset = UNSET
        if not isinstance(self.one_piece, Unset):
            one_piece = self.one_piece.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "modelImageKey": model_image_key,
            }
        )
        if top is not UNSET:
            field_dict["top"] = top
        if bottom is not UNSET:
            field_dict["bottom"] = bottom
        if one_piece is not UNSET:
            field_dict["onePiece"] = one_piece

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.garment_image import GarmentImage

        d = dict(src_dict)
        model_image_key = d.pop("modelImageKey")

        _top = d.pop("top", UNSET)
        top: GarmentImage | Unset
        if isinstance(_top, Unset):
            top = UNSET
        else:
            top = GarmentImage.from_dict(_top)

        _bottom = d.pop("bottom", UNSET)
        bottom: GarmentImage | Unset
        if isinstance(_bottom, Unset):
            bottom = UNSET
        else:
            bottom = GarmentImage.from_dict(_bottom)

        _one_piece = d.pop("onePiece", UNSET)
        one_piece: GarmentImage | Unset
        if isinstance(_one_piece, Unset):
            one_piece = UNSET
        else:
            one_piece = GarmentImage.from_dict(_one_piece)

        try_on_apparel_request = cls(
            model_image_key=model_image_key,
            top=top,
            bottom=bottom,
            one_piece=one_piece,
        )

        try_on_apparel_request.additional_properties = d
        return try_on_apparel_request

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
