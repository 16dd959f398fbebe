"""The envelope every JSON answer is wrapped in: {code, data?, msg, success, traceId}; and the
XML error document presigned URLs answer with instead, as object storage does."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import orjson
from starlette.responses import Response

from .domain.errors import ApiError
from .domain.ids import new_trace_id
from .signing import PresignedRefused


class JSONAnswer(Response):
    """A JSON body with its two headers, set directly: Starlette's generic header logic cost
    more than writing them."""

    media_type = "application/json"

    def __init__(self, body: bytes, status_code: int) -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        self.raw_headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]


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
    return orjson.dumps(body)


def ok(data: Any, extra: dict[str, Any] | None = None) -> Response:
    return JSONAnswer(envelope_bytes(0, "SUCCESS", True, data, extra), 200)


def error(err: ApiError) -> Response:
    return JSONAnswer(envelope_bytes(err.code, err.msg, False), err.http_status)


def storage_error(refused: PresignedRefused) -> Response:
    """S3's error document: `<Error><Code>…</Code><Message>…</Message>…</Error>`."""
    fields = {"Code": refused.code, "Message": refused.message, **refused.details}
    fields["RequestId"] = new_trace_id()
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'
    return Response(body, status_code=refused.status, media_type="application/xml")
