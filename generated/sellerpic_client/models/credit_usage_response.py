from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.credit_usage import CreditUsage


T = TypeVar("T", bound="CreditUsageResponse")


@_attrs_define
class CreditUsageResponse:
    code: int
    """ Result code; 0 is success, anything else an error. """
    success: bool
    """ Whether the call succeeded. """
    trace_id: str
    """ Trace id of the request across the vendor's systems; quote it to support. """
    msg: str | Unset = UNSET
    """ Description of the outcome. """
    data: CreditUsage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        success = self.success

        trace_id = self.trace_id

        msg = self.msg

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "success": success,
                "traceId": trace_id,
            }
        )
        if msg is not UNSET:
            field_dict["msg"] = msg
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.credit_usage import CreditUsage

        d = dict(src_dict)
        code = d.pop("code")

        success = d.pop("success")

        trace_id = d.pop("traceId")

        msg = d.pop("msg", UNSET)

        _data = d.pop("data", UNSET)
        data: CreditUsage | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = CreditUsage.from_dict(_data)

        credit_usage_response = cls(
            code=code,
            success=success,
            trace_id=trace_id,
            msg=msg,
            data=data,
        )

        credit_usage_response.additional_properties = d
        return credit_usage_response

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
