"""A small in-memory emulation of the API for `httpx.MockTransport`, with scripted faults.

It follows the spec's shapes (envelope, presigned PUT, status items) closely enough to test the
client's transport and retry rules deterministically, without the simulator.
"""

from __future__ import annotations

import functools
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image

KEY = "sk-test-0123456789abcdef"
BASE = "https://api.example.test"
STORAGE = "https://storage.example.test"


def envelope(
    data: Any = None, code: int = 0, msg: str = "SUCCESS", status: int = 200
) -> httpx.Response:
    body = {"code": code, "msg": msg, "success": code == 0, "traceId": "trace-1"}
    if data is not None:
        body["data"] = data
    return httpx.Response(status, json=body)


Fault = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class FakeApi:
    """Answers like the API; `faults[path]` is a list of one-shot behaviours consumed in order."""

    results_per_task: int = 2
    polls_before_done: int = 1
    final_status: str = "SUCCESS"
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[httpx.Request] = field(default_factory=list)
    created: int = 0
    uploads: dict[str, bytes] = field(default_factory=dict)
    polls: Counter[str] = field(default_factory=Counter)
    #: Presigned upload URLs handed out, by path: storage accepts a PUT to exactly this URL only.
    upload_urls: dict[str, str] = field(default_factory=dict)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def async_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def fault(self, path: str, *behaviours: Fault) -> None:
        self.faults.setdefault(path, []).extend(behaviours)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls[path] += 1
        self.requests.append(request)
        queue = self.faults.get(path)
        if queue:
            answer = queue.pop(0)(request)
            if answer is not None:
                return answer
        if request.url.host == "storage.example.test":
            return self.storage(request)
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return envelope(code=401, msg="Unauthorized", status=401)
        if path.startswith("/v1/api/generate/"):
            self.created += 1
            return envelope({"id": f"{1000000000000000000 + self.created}"})
        if path == "/v1/api/generate":
            return self.status(request.url.params["id"])
        if path == "/v1/api/upload/url":
            n = len(self.upload_urls) + 1
            fmt = request.url.params["format"]
            key = f"UPLOAD/1/2025/01/01/{n:032x}.{fmt}"
            url = f"{STORAGE}/{key}?{presigned_query(n)}"
            self.upload_urls["/" + key] = url
            return envelope({"fileKey": key, "imageUrl": url})
        if path == "/v1/api/upload":
            n = len(self.uploads) + 1
            self.uploads[f"multipart-{n}"] = request.read()
            return envelope({"fileKey": f"UPLOAD/1/2025/01/01/{n:032x}.png"})
        if path == "/v1/api/download":
            rid = request.url.params["id"]
            fmt = request.url.params["downloadFormat"]
            return envelope(
                {
                    "fileUrl": f"{STORAGE}/files/{rid}.{fmt}?sig=s",
                    "status": "SUCCESS",
                }
            )
        if path == "/v1/api/usage":
            return envelope({"total": 10, "usage": 3, "remaining": 7})
        return envelope(code=404, msg="Record Not Found", status=404)

    def status(self, task_id: str) -> httpx.Response:
        self.polls[task_id] += 1
        done = self.polls[task_id] > self.polls_before_done
        items = [
            {
                "id": f"{task_id}{i}",
                "status": self.final_status if done else "RUNNING",
                "fileUrl": "",
                "fileKey": "",
                "errorCode": 50001 if done and self.final_status == "FAILED" else 0,
                "errorMsg": "boom" if done and self.final_status == "FAILED" else "",
            }
            for i in range(self.results_per_task)
        ]
        return envelope({"resultList": items})

    def storage(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            # Like S3: the signature covers the query as issued, byte for byte.
            if str(request.url) != self.upload_urls.get(request.url.path):
                return s3_error(403, "SignatureDoesNotMatch")
            self.uploads[request.url.path] = request.read()
            return httpx.Response(200)
        fmt = request.url.path.rsplit(".", 1)[-1]
        return httpx.Response(
            200, content=result_bytes(fmt), headers={"content-type": f"image/{fmt}"}
        )


@functools.cache
def result_bytes(fmt: str) -> bytes:
    """A small, valid file of a download format, as the storage host would send it."""
    if fmt == "mp4":
        return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
    buffer = io.BytesIO()
    pillow = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}[fmt]
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, format=pillow)
    return buffer.getvalue()


def presigned_query(n: int) -> str:
    """The query of an S3 SigV4 presigned URL, percent-encoded as S3 writes it."""
    return (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=1800&X-Amz-SignedHeaders=host"
        f"&X-Amz-Signature={n:064x}"
    )


def s3_error(status_code: int, code: str, message: str = "refused") -> httpx.Response:
    body = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return httpx.Response(
        status_code, content=body.encode(), headers={"content-type": "application/xml"}
    )


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("read timed out", request=request)


def connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def connect_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("connect timed out", request=request)


def dropped(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("server disconnected", request=request)


def status(code: int, headers: dict[str, str] | None = None, body: bytes | None = None) -> Fault:
    def answer(request: httpx.Request) -> httpx.Response:
        if body is not None:
            return httpx.Response(code, content=body, headers=headers)
        return httpx.Response(
            code,
            headers=headers,
            content=json.dumps({"code": code, "msg": f"HTTP {code}", "success": False}).encode(),
        )

    return answer


def business(code: int, msg: str = "refused") -> Fault:
    return lambda request: envelope(code=code, msg=msg)
