from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SwapModelRequest")


@_attrs_define
class SwapModelRequest:
    model_image_key: str
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    model_mask_key: str | Unset = UNSET
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    model_id: str | Unset = UNSET
    """ Preset id from `listPresets` with `type=SWAP_MODEL`. """
    scene_id: str | Unset = UNSET
    """ Preset id from `listPresets` with `type=SWAP_MODEL_SCENE`. """
    expression: str | Unset = UNSET
    """ Not part of the documented contract: an inferred extra. The docs' example is cut off
    after a fifth field whose name starts with `expres`; `expression` (a facial expression of
    the new model) is a guess at its name and meaning. The simulator accepts it; leave it out
    for a real deployment unless its name is confirmed.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model_image_key = self.model_image_key

        model_mask_key = self.model_mask_key

        model_id = self.model_id

        scene_id = self.scene_id

        expression = self.expression

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "modelImageKey": model_image_key,
            }
        )
        if model_mask_key is not UNSET:
            field_dict["modelMaskKey"] = model_mask_key
        if model_id is not UNSET:
            field_dict["modelId"] = model_id
        if scene_id is not UNSET:
            field_dict["sceneId"] = scene_id
        if expression is not UNSET:
            field_dict["expression"] = expression

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        model_image_key = d.pop("modelImageKey")

        model_mask_key = d.pop("modelMaskKey", UNSET)

        model_id = d.pop("modelId", UNSET)

        scene_id = d.pop("sceneId", UNSET)

        expression = d.pop("expression", UNSET)

        swap_model_request = cls(
            model_image_key=model_image_key,
            model_mask_key=model_mask_key,
            model_id=model_id,
            scene_id=scene_id,
            expression=expression,
        )

        swap_model_request.additional_properties = d
        return swap_model_request

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
