from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.known_task_status import KnownTaskStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="ResultItem")


@_attrs_define
class ResultItem:
    """One output of a task."""

    id: str | Unset = UNSET
    """ A task or result id. Ids are 19-digit numbers, sent as strings because they exceed 2^53. """
    status: KnownTaskStatus | str | Unset = UNSET
    """ Status of one result item. Known values: `CREATED`, `RUNNING` (in progress, counted against
    the concurrency limit), `SUCCESS`, `FAILED` (final). The set is open: treat an unknown value
    as in progress. The known values are offered to code generators as `KnownTaskStatus`, in an
    `anyOf` with a plain string, so an unknown status still parses (as the string).
     """
    file_url: str | Unset = UNSET
    """ Presigned URL of the output once `SUCCESS`; empty before. Prefer getDownloadUrl. """
    file_key: str | Unset = UNSET
    """ Storage key of the output once `SUCCESS`; empty before. """
    error_code: int | Unset = UNSET
    """ 0 unless the item failed. """
    error_msg: str | Unset = UNSET
    """ Empty unless the item failed. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, KnownTaskStatus):
            status = self.status.value
        else:
            status = self.status

        file_url = self.file_url

        file_key = self.file_key

        error_code = self.error_code

        error_msg = self.error_msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if status is not UNSET:
            field_dict["status"] = status
        if file_url is not UNSET:
            field_dict["fileUrl"] = file_url
        if file_key is not UNSET:
            field_dict["fileKey"] = file_key
        if error_code is not UNSET:
            field_dict["errorCode"] = error_code
        if error_msg is not UNSET:
            field_dict["errorMsg"] = error_msg

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        def _parse_status(data: object) -> KnownTaskStatus | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_task_status_type_0 = KnownTaskStatus(data)

                return componentsschemas_task_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KnownTaskStatus | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        file_url = d.pop("fileUrl", UNSET)

        file_key = d.pop("fileKey", UNSET)

        error_code = d.pop("errorCode", UNSET)

        error_msg = d.pop("errorMsg", UNSET)

        result_item = cls(
            id=id,
            status=status,
            file_url=file_url,
            file_key=file_key,
            error_code=error_code,
            error_msg=error_msg,
        )

        result_item.additional_properties = d
        return result_item

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
