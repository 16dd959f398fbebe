"""Reading the API's JSON envelope: the error an answer stands for, its `data`, and its
integer fields, each checked against the documented types."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx

from ._effects import RawResponse
from .errors import SellerPicError, ServerError, error_from_envelope


def _wrong_type(field_name: str, expected: str, value: Any, status_code: int) -> ServerError:
    shown = json.dumps(value)[:80] if not isinstance(value, float) else repr(value)
    return ServerError(
        f"the answer's `{field_name}` is {shown}, not {expected} as documented",
        status_code=status_code,
        field=field_name,
    )


def envelope_error(raw: RawResponse) -> SellerPicError | None:
    """The error an answer stands for, or None when it is a successful envelope. Fields of
    the wrong type are an error naming the field: guessing (a `success: "false"` read as
    success) would report made-up results."""
    body = raw.body
    if not isinstance(body, dict):
        if raw.status_code >= 400:
            reason = httpx.codes.get_reason_phrase(raw.status_code) or "error"
            return error_from_envelope(raw.status_code, None, f"{reason} (no JSON body)", None)
        return ServerError(
            "the answer is not the documented JSON envelope", status_code=raw.status_code
        )
    code = body.get("code")
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        return _wrong_type("code", "an integer", code, raw.status_code)
    success = body.get("success")
    if success is not None and not isinstance(success, bool):
        return _wrong_type("success", "true or false", success, raw.status_code)
    trace_id = body.get("traceId") if isinstance(body.get("traceId"), str) else None
    failed = raw.status_code >= 400 or code != 0 or success is False
    if not failed:
        data = body.get("data")
        if data is not None and not isinstance(data, dict):
            return _wrong_type("data", "an object", data, raw.status_code)
        return None
    msg = body.get("msg") if isinstance(body.get("msg"), str) else ""
    return error_from_envelope(raw.status_code, code, msg or "request failed", trace_id)


def envelope_data(raw: RawResponse) -> dict[str, Any]:
    """The `data` object of a successful envelope ({} when absent)."""
    body = raw.body
    if body is None:
        # Not JSON: raise the decoder's error, as before.
        body = json.loads(raw.content)
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def int_field(data: dict[str, Any], name: str, where: str, status_code: int = 200) -> int:
    """An integer field of `data`, as documented: absent, a string, an object, a fraction
    or a number beyond any count (`1e999`) raises ServerError naming `where.name`."""
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if value is None:
            raise ServerError(
                f"the answer has no `{where}.{name}`", status_code=status_code, field=name
            )
        raise _wrong_type(f"{where}.{name}", "an integer", value, status_code)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or abs(value) > 2**63:
            raise _wrong_type(f"{where}.{name}", "an integer", value, status_code)
        return int(value)
    return value
