from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.preset import Preset


T = TypeVar("T", bound="PresetPage")


@_attrs_define
class PresetPage:
    has_more: bool | Unset = UNSET
    """ Whether more pages follow. """
    list_: list[Preset] | Unset = UNSET
    total: int | Unset = UNSET
    """ Total number of presets of this type. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        has_more = self.has_more

        list_: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.list_, Unset):
            list_ = []
            for list_item_data in self.list_:
                list_item = list_item_data.to_dict()
                list_.append(list_item)

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if has_more is not UNSET:
            field_dict["hasMore"] = has_more
        if list_ is not UNSET:
            field_dict["list"] = list_
        if total is not UNSET:
            field_dict["total"] = total

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.preset import Preset

        d = dict(src_dict)
        has_more = d.pop("hasMore", UNSET)

        _list_ = d.pop("list", UNSET)
        list_: list[Preset] | Unset = UNSET
        if _list_ is not UNSET:
            list_ = []
            for list_item_data in _list_:
                list_item = Preset.from_dict(list_item_data)

                list_.append(list_item)

        total = d.pop("total", UNSET)

        preset_page = cls(
            has_more=has_more,
            list_=list_,
            total=total,
        )

        preset_page.additional_properties = d
        return preset_page

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
