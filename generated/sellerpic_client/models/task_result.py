from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.result_item import ResultItem


T = TypeVar("T", bound="TaskResult")


@_attrs_define
class TaskResult:
    result_list: list[ResultItem]
    """ One item per output (2 or 4 for multi-image tasks). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result_list = []
        for result_list_item_data in self.result_list:
            result_list_item = result_list_item_data.to_dict()
            result_list.append(result_list_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "resultList": result_list,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.result_item import ResultItem

        d = dict(src_dict)
        result_list = []
        _result_list = d.pop("resultList")
        for result_list_item_data in _result_list:
            result_list_item = ResultItem.from_dict(result_list_item_data)

            result_list.append(result_list_item)

        task_result = cls(
            result_list=result_list,
        )

        task_result.additional_properties = d
        return task_result

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
