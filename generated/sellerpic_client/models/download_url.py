from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DownloadUrl")


@_attrs_define
class DownloadUrl:
    name: str | Unset = UNSET
    """ File name of the output. """
    status: str | Unset = UNSET
    """ Status of the result. """
    file_url: str | Unset = UNSET
    """ Temporary download URL, valid 12 hours; identical requests within that window return the same URL. """
    error_msg: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        status = self.status

        file_url = self.file_url

        error_msg = self.error_msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if status is not UNSET:
            field_dict["status"] = status
        if file_url is not UNSET:
            field_dict["fileUrl"] = file_url
        if error_msg is not UNSET:
            field_dict["errorMsg"] = error_msg

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        status = d.pop("status", UNSET)

        file_url = d.pop("fileUrl", UNSET)

        error_msg = d.pop("errorMsg", UNSET)

        download_url = cls(
            name=name,
            status=status,
            file_url=file_url,
            error_msg=error_msg,
        )

        download_url.additional_properties = d
        return download_url

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
