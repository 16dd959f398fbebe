"""Opt-in recordings of the client's HTTP exchanges: one JSON line each, secrets redacted.

`SELLERPIC_RECORD=DIR` (or `record_dir=` on `SellerPic` / `AsyncSellerPic`) writes every exchange
of the client's httpx client (API calls, presigned PUTs, downloads) to
`DIR/exchanges-<time>-<pid>-<random>.jsonl`: request method, URL, headers and body; response
status, headers and body. JSON and text bodies are kept; binary ones are summarised by size,
content type and sha256. `make verify-recordings DIR=...` checks them against the spec.

Redaction happens before a line is written: credential headers, query values and JSON fields
whose names say token, signature, secret or key, the token segment of presigned and file URLs,
and, as a last net, every occurrence of the API key anywhere in the line.

Hooked in through httpx event hooks: the response hook swaps the body stream for one that tees
what the caller reads, so streamed downloads stay streamed and the record is written when the
body is closed. An exchange that ends in a transport error (no response) is not recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

ENV = "SELLERPIC_RECORD"
REDACTED = "REDACTED"
#: Textual bodies up to this size are kept; larger ones are summarised like binary ones.
MAX_KEPT = 1 << 20
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
# Names of query parameters, headers and JSON fields whose values are credentials. File keys
# (`imageKey`, `fileKey`) name stored files and are kept: the spec checks them.
SECRET_NAME = re.compile(
    r"(?i)(token|signature|secret|password|credential|api[-_]?key|access[-_]?key|^sig$"
    r"|^key-pair-id$|^policy$"
    r"|^x-amz-|^auth)"
)
#: Path segments after these carry the signed token (the spec's and the simulator's URL shapes).
TOKEN_AFTER = frozenset({"presigned", "files"})
# Any other segment this long made of token characters is taken for a token too.
LONG_TOKEN = re.compile(r"^[A-Za-z0-9_\-.~%=]{48,}$")
TEXTUAL = re.compile(r"(?i)^(application/([\w.+-]*\+)?json|text/|application/(x-www-form|xml))")


def recorder_for(record_dir: str | Path | None, secrets_: Iterable[str]) -> Recorder | None:
    """The recorder `record_dir` or `SELLERPIC_RECORD` asks for, or None when neither does."""
    directory = record_dir or os.environ.get(ENV)
    if not directory:
        return None
    return Recorder(Path(directory), secrets_)


def install(
    http: httpx.Client | httpx.AsyncClient,
    record_dir: str | Path | None,
    secrets_: Iterable[str],
) -> Recorder | None:
    """Add the recording hooks to `http` when recording is asked for."""
    recorder = recorder_for(record_dir, secrets_)
    if recorder is None:
        return None
    hooks = http.event_hooks
    if isinstance(http, httpx.AsyncClient):
        request_hook: Callable[..., Any] = recorder.async_on_request
        response_hook: Callable[..., Any] = recorder.async_on_response
    else:
        request_hook, response_hook = recorder.on_request, recorder.on_response
    http.event_hooks = {
        "request": [*hooks.get("request", []), request_hook],
        "response": [*hooks.get("response", []), response_hook],
    }
    return recorder


# --- redaction -----------------------------------------------------------------------------------
def redact_url(url: str) -> str:
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        after_marker = index > 0 and segments[index - 1] in TOKEN_AFTER
        if segment and (after_marker or LONG_TOKEN.match(segment)):
            segments[index] = REDACTED
    query = [
        (name, REDACTED if SECRET_NAME.search(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(
        (parts.scheme, parts.netloc, "/".join(segments), urlencode(query), parts.fragment)
    )


def redact_headers(headers: httpx.Headers) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in headers.multi_items():
        name = name.lower()
        if name in SECRET_HEADERS or SECRET_NAME.search(name):
            value = REDACTED
        elif name in ("location", "content-location"):
            value = redact_url(value)
        kept[name] = f"{kept[name]}, {value}" if name in kept else value
    return kept


def redact_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if SECRET_NAME.search(str(key)) else redact_json(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return redact_url(value)
    return value


# --- bodies --------------------------------------------------------------------------------------
class _Tee:
    """Counts, hashes and (for textual bodies, up to MAX_KEPT) keeps the bytes passing through."""

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        self.size = 0
        self._hash = hashlib.sha256()
        self._kept: bytearray | None = bytearray() if TEXTUAL.match(content_type) else None

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._hash.update(chunk)
        if self._kept is not None:
            if len(self._kept) + len(chunk) > MAX_KEPT:
                self._kept = None
            else:
                self._kept += chunk

    def body(self, encoding: str | None = None) -> dict[str, Any] | None:
        if self.size == 0:
            return None
        if self._kept is None:
            return self.summary()
        return body_of(bytes(self._kept), self.content_type, encoding) or self.summary()

    def summary(self) -> dict[str, Any]:
        return {
            "binary": {
                "size": self.size,
                "content_type": self.content_type,
                "sha256": self._hash.hexdigest(),
            }
        }


def body_of(
    content: bytes, content_type: str, encoding: str | None = None
) -> dict[str, Any] | None:
    """A kept body as `{"json": ...}` or `{"text": ...}`; None for bytes that are not text."""
    if encoding and encoding.lower() != "identity":
        # The tee sees the bytes as sent; decode them the way httpx would for the caller.
        response = httpx.Response(200, headers={"content-encoding": encoding}, content=content)
        content = response.read()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "json" in content_type.lower():
        try:
            return {"json": redact_json(json.loads(text))}
        except ValueError:
            pass
    return {"text": text}


class _TeeStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body stream that feeds a `_Tee` and calls `done` once closed."""

    def __init__(self, inner: Any, tee: _Tee, done: Callable[[], None] | None = None) -> None:
        self._inner = inner
        self.tee = tee
        self._done = done

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self.tee.feed(chunk)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self.tee.feed(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self._inner, "close"):
                self._inner.close()
        finally:
            self._finish()

    async def aclose(self) -> None:
        try:
            if hasattr(self._inner, "aclose"):
                await self._inner.aclose()
        finally:
            self._finish()

    def _finish(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            done()


def _request_body(request: httpx.Request) -> dict[str, Any] | None:
    stream = request.stream
    if isinstance(stream, _TeeStream):
        return stream.tee.body()
    try:
        content = request.content
    except httpx.RequestNotRead:
        return None
    tee = _Tee(request.headers.get("content-type", ""))
    tee.feed(content)
    return tee.body()


# --- the recorder --------------------------------------------------------------------------------
class Recorder:
    """Writes one redacted JSON line per exchange to a file of its own in `directory`."""

    def __init__(self, directory: Path, secrets_: Iterable[str]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.path = directory / f"exchanges-{stamp}-{os.getpid()}-{secrets.token_hex(3)}.jsonl"
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({s for s in secrets_ if s}, key=len, reverse=True)
        self._lock = threading.Lock()

    def on_request(self, request: httpx.Request) -> None:
        request.extensions = {**request.extensions, "sellerpic_recorded_at": time.time()}
        try:
            request.content  # noqa: B018 - a readable body is recorded as it is
        except httpx.RequestNotRead:
            tee = _Tee(request.headers.get("content-type", ""))
            request.stream = _TeeStream(request.stream, tee)

    async def async_on_request(self, request: httpx.Request) -> None:
        self.on_request(request)

    def on_response(self, response: httpx.Response) -> None:
        tee = _Tee(response.headers.get("content-type", ""))
        response.stream = _TeeStream(response.stream, tee, lambda: self._write(response, tee))

    async def async_on_response(self, response: httpx.Response) -> None:
        self.on_response(response)

    def _write(self, response: httpx.Response, tee: _Tee) -> None:
        request = response.request
        started = request.extensions.get("sellerpic_recorded_at", time.time())
        record = {
            "recorded_at": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds"),
            "duration_ms": round((time.time() - started) * 1000, 1),
            "request": {
                "method": request.method,
                "url": redact_url(str(request.url)),
                "headers": redact_headers(request.headers),
                "body": _request_body(request),
            },
            "response": {
                "status": response.status_code,
                "headers": redact_headers(response.headers),
                "body": tee.body(response.headers.get("content-encoding")),
            },
        }
        self.write(record)

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
            escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
            line = line.replace(escaped, REDACTED)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
