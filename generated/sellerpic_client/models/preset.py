from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Preset")


@_attrs_define
class Preset:
    id: str | Unset = UNSET
    """ Preset id, passed as `presetBackgroundId`, `modelId` or `sceneId`. """
    image_url: str | Unset = UNSET
    name: str | Unset = UNSET
    thumb_url: str | Unset = UNSET
    user_upload: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        image_url = self.image_url

        name = self.name

        thumb_url = self.thumb_url

        user_upload = self.user_upload

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if image_url is not UNSET:
            field_dict["imageUrl"] = image_url
        if name is not UNSET:
            field_dict["name"] = name
        if thumb_url is not UNSET:
            field_dict["thumbUrl"] = thumb_url
        if user_upload is not UNSET:
            field_dict["userUpload"] = user_upload

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        image_url = d.pop("imageUrl", UNSET)

        name = d.pop("name", UNSET)

        thumb_url = d.pop("thumbUrl", UNSET)

        user_upload = d.pop("userUpload", UNSET)

        preset = cls(
            id=id,
            image_url=image_url,
            name=name,
            thumb_url=thumb_url,
            user_upload=user_upload,
        )

        preset.additional_properties = d
        return preset

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
