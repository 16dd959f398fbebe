"""The envelope every JSON answer is wrapped in: {code, data?, msg, success, traceId}."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from ..domain.errors import ApiError
from ..domain.ids import new_trace_id


def envelope_bytes(
    code: int,
    msg: str,
    success: bool,
    data: Any = None,
    extra: dict[str, Any] | None = None,
) -> bytes:
    body: dict[str, Any] = {"code": code}
    if data is not None:
        body["data"] = data
    body.update(msg=msg, success=success, traceId=new_trace_id())
    if extra:
        body.update(extra)
    return json.dumps(body, separators=(",", ":")).encode()


def ok(data: Any, extra: dict[str, Any] | None = None) -> Response:
    return Response(
        envelope_bytes(0, "SUCCESS", True, data, extra), 200, media_type="application/json"
    )


def error(err: ApiError) -> Response:
    return Response(
        envelope_bytes(err.code, err.msg, False), err.http_status, media_type="application/json"
    )
