"""Glue between the workflow steps, httpx and the generated client.

The workflow (upload, create, wait, download, batch) is written once as generator "steps" that
yield *effects* (call an API operation, PUT bytes to a URL, stream a URL to a file, sleep) and
receive their outcome. `SyncDriver` performs effects with `httpx.Client`, `AsyncDriver` with
`httpx.AsyncClient`; nothing else differs between `SellerPic` and `AsyncSellerPic`. Transport
exceptions are thrown back into the step, which decides (via `_retry`) whether to try again.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from sellerpic_client.client import AuthenticatedClient

from . import _retry
from ._clock import SYSTEM_CLOCK, Clock
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ConcurrencyLimitError,
    SellerPicError,
    ServerError,
    error_from_envelope,
)

log = logging.getLogger("sellerpic")

T = TypeVar("T")
ProgressCallback = Callable[[int, int | None], None]

CHUNK_SIZE = 64 * 1024


# --- effects -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RawResponse:
    """What the steps see of an answer: status, headers and body (empty for streamed files)."""

    status_code: int
    headers: httpx.Headers
    content: bytes = b""

    @cached_property
    def body(self) -> Any:
        """The decoded JSON body (None when empty or not JSON), decoded once: checking the
        envelope and reading its `data` used to parse the same bytes twice per call."""
        if not self.content:
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            return None


@dataclass(frozen=True)
class ApiCall:
    """Call one generated operation: the request its module builds (`module._get_kwargs`,
    what `sync_detailed` / `asyncio_detailed` send), sent through the generated client's httpx
    client. The answer is not parsed into the generated models: the steps read the envelope
    themselves, and that parse cost about as much again as the rest of the layer's work."""

    name: str
    build: Callable[..., dict[str, Any]]
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class PutBytes:
    """PUT a body to a presigned URL, without the API key."""

    url: str
    #: The body, or a file streamed from disk in chunks (never read whole into memory).
    data: bytes | Path
    content_type: str
    on_progress: ProgressCallback | None = None


@dataclass(frozen=True)
class DownloadTo:
    """Stream a URL into `dest` (temp file + rename); the response content stays empty on 2xx."""

    url: str
    dest: Path
    on_progress: ProgressCallback | None = None


@dataclass(frozen=True)
class Sleep:
    seconds: float


Effect = ApiCall | PutBytes | DownloadTo | Sleep
Steps = Generator[Effect, Any, T]


def api_call(name: str, module: Any, **kwargs: Any) -> ApiCall:
    """Describe a call to a generated operation module."""
    return ApiCall(name, module._get_kwargs, kwargs)


# --- authentication and redaction --------------------------------------------------------------
class BearerAuth(httpx.Auth):
    """Adds the API key to API requests (the drivers switch it off for presigned and file
    URLs). The drivers read every answer raw, so a non-JSON error body (a proxy's HTML page)
    or a non-standard status (520) still reaches the step with its real status."""

    def __init__(self, api_key: str) -> None:
        self._header = f"Bearer {api_key}"

    def __repr__(self) -> str:
        return "BearerAuth(api_key=<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def redact_key(api_key: str | None) -> str:
    """A form of the key safe to show: its last four characters at most."""
    if not api_key:
        return "<none>"
    return f"<redacted …{api_key[-4:]}>" if len(api_key) > 12 else "<redacted>"


def loggable_url(url: str) -> str:
    """Presigned URLs carry credentials in their query: log scheme, host and path only."""
    parts = urlsplit(url)
    path = parts.path if len(parts.path) <= 60 else parts.path[:57] + "..."
    return f"{parts.scheme}://{parts.netloc}{path}"


# --- drivers -----------------------------------------------------------------------------------
def _plain_request(
    client: httpx.Client | httpx.AsyncClient, method: str, url: str, **kw: Any
) -> httpx.Request:
    request = client.build_request(method, url, **kw)
    # Presigned URLs authorise themselves; the API key must never travel to storage hosts.
    request.headers.pop("Authorization", None)
    return request


def _put_request(
    client: httpx.Client | httpx.AsyncClient,
    effect: PutBytes,
    content: Iterator[bytes] | AsyncIterator[bytes],
) -> httpx.Request:
    """The PUT to a presigned URL, streamed with an explicit length and without the API key."""
    size = len(effect.data) if isinstance(effect.data, bytes) else effect.data.stat().st_size
    headers = {"Content-Type": effect.content_type, "Content-Length": str(size)}
    return _plain_request(client, "PUT", effect.url, content=content, headers=headers)


def _chunks(data: bytes | Path, on_progress: ProgressCallback | None) -> Iterator[bytes]:
    if isinstance(data, Path):
        yield from _file_chunks(data, on_progress)
        return
    total = len(data)
    for start in range(0, total, CHUNK_SIZE):
        chunk = data[start : start + CHUNK_SIZE]
        yield chunk
        if on_progress:
            on_progress(min(start + CHUNK_SIZE, total), total)
    if total == 0 and on_progress:
        on_progress(0, 0)


def _file_chunks(path: Path, on_progress: ProgressCallback | None) -> Iterator[bytes]:
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            done += len(chunk)
            yield chunk
            if on_progress:
                on_progress(done, total)
    if total == 0 and on_progress:
        on_progress(0, 0)


async def _achunks(
    data: bytes | Path, on_progress: ProgressCallback | None
) -> AsyncIterator[bytes]:
    for chunk in _chunks(data, on_progress):
        yield chunk


class _PartialFile:
    """A temp file next to the destination, renamed into place only once complete."""

    def __init__(self, dest: Path, total: int | None, on_progress: ProgressCallback | None):
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        self._file = os.fdopen(fd, "wb")
        self._tmp = Path(name)
        self._dest = dest
        self._done = 0
        self._total = total
        self._on_progress = on_progress

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._done += len(chunk)
        if self._on_progress:
            self._on_progress(self._done, self._total)

    def commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self._dest)
        # A process killed mid-download (SIGKILL, power loss) cannot run abort(): its partial
        # file stays behind. Once the file is complete, no partial copy of it is worth keeping.
        for stale in self._dest.parent.glob(f".{glob.escape(self._dest.name)}.*.part"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def abort(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    return int(value) if value and value.isdigit() else None


class SyncDriver:
    """Performs effects with blocking httpx calls."""

    def __init__(
        self, http: httpx.Client, api: AuthenticatedClient, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.http = http
        self.api = api
        self.clock = clock

    def run(self, steps: Steps[T]) -> T:
        outcome: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = steps.throw(error) if error is not None else steps.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                outcome, error = self.perform(effect), None
            except Exception as exc:
                # Handed to the step: it decides whether a transport error may be retried,
                # and anything else unwinds through it so its cleanup runs.
                outcome, error = None, exc

    def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Sleep):
            self.clock.sleep(effect.seconds)
            return None
        if isinstance(effect, ApiCall):
            response = self.api.get_httpx_client().request(**effect.build(**effect.kwargs))
            return RawResponse(response.status_code, response.headers, response.content)
        if isinstance(effect, PutBytes):
            request = _put_request(self.http, effect, _chunks(effect.data, effect.on_progress))
            response = self.http.send(request, auth=None)
            return RawResponse(response.status_code, response.headers, response.content)
        return self._download(effect)

    def _download(self, effect: DownloadTo) -> RawResponse:
        request = _plain_request(self.http, "GET", effect.url)
        response = self.http.send(request, auth=None, stream=True)
        try:
            if response.status_code >= 300:
                return RawResponse(response.status_code, response.headers, response.read())
            target = _PartialFile(effect.dest, _content_length(response), effect.on_progress)
            try:
                for chunk in response.iter_bytes(CHUNK_SIZE):
                    target.write(chunk)
                target.commit()
            except BaseException:
                target.abort()
                raise
            return RawResponse(response.status_code, response.headers)
        finally:
            response.close()


class AsyncDriver:
    """Performs effects with httpx.AsyncClient; the steps are the same as for `SyncDriver`."""

    def __init__(
        self, http: httpx.AsyncClient, api: AuthenticatedClient, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.http = http
        self.api = api
        self.clock = clock

    async def run(self, steps: Steps[T]) -> T:
        outcome: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = steps.throw(error) if error is not None else steps.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                outcome, error = await self.perform(effect), None
            except Exception as exc:
                outcome, error = None, exc

    async def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Sleep):
            await self.clock.asleep(effect.seconds)
            return None
        if isinstance(effect, ApiCall):
            built = effect.build(**effect.kwargs)
            response = await self.api.get_async_httpx_client().request(**built)
            return RawResponse(response.status_code, response.headers, response.content)
        if isinstance(effect, PutBytes):
            request = _put_request(self.http, effect, _achunks(effect.data, effect.on_progress))
            response = await self.http.send(request, auth=None)
            return RawResponse(response.status_code, response.headers, response.content)
        return await self._download(effect)

    async def _download(self, effect: DownloadTo) -> RawResponse:
        request = _plain_request(self.http, "GET", effect.url)
        response = await self.http.send(request, auth=None, stream=True)
        try:
            if response.status_code >= 300:
                return RawResponse(response.status_code, response.headers, await response.aread())
            # Local disk writes are short and bounded by CHUNK_SIZE; not worth a thread hop.
            target = _PartialFile(effect.dest, _content_length(response), effect.on_progress)
            try:
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    target.write(chunk)
                target.commit()
            except BaseException:
                target.abort()
                raise
            return RawResponse(response.status_code, response.headers)
        finally:
            await response.aclose()


# --- envelope decoding -------------------------------------------------------------------------
def envelope_error(raw: RawResponse) -> SellerPicError | None:
    """The error an answer stands for, or None when it is a successful envelope."""
    body = raw.body
    if not isinstance(body, dict):
        if raw.status_code >= 400:
            reason = httpx.codes.get_reason_phrase(raw.status_code) or "error"
            return error_from_envelope(raw.status_code, None, f"{reason} (no JSON body)", None)
        return ServerError(
            "the answer is not the documented JSON envelope", status_code=raw.status_code
        )
    code = body.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    trace_id = body.get("traceId") if isinstance(body.get("traceId"), str) else None
    failed = raw.status_code >= 400 or code != 0 or body.get("success") is False
    if not failed:
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


# --- the retrying request step -----------------------------------------------------------------
RequestKind = Literal["read", "create"]


@dataclass
class RetryState:
    """Counts attempts for one logical request."""

    policy: _retry.RetryPolicy
    attempt: int = 0
    busy_attempt: int = 0
    history: list[str] = field(default_factory=list)


def transport_failure(exc: httpx.TransportError, what: str, kind: RequestKind) -> SellerPicError:
    """Translate an httpx error; a create that may have arrived says so."""
    maybe = kind == "create" and not _retry.may_retry_create_error(exc)
    hint = (
        " The task may have been created: it was not sent again, to avoid a second charge."
        if maybe
        else ""
    )
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    return cls(f"{what} failed: {type(exc).__name__}: {exc}.{hint}", maybe_processed=maybe)


def call_api(
    call: Callable[[], Effect],
    what: str,
    policy: _retry.RetryPolicy,
    *,
    kind: RequestKind = "read",
    retry_busy: bool = True,
    plain: bool = False,
) -> Steps[RawResponse]:
    """Perform `call()` (rebuilt on each attempt) with the retry rules of `_retry`.

    Returns the successful answer; raises the typed error otherwise. The factory matters:
    file bodies are rebuilt so a retry never re-sends a consumed stream. `plain` marks
    presigned URLs, which answer any 2xx without an envelope.
    """
    state = RetryState(policy)
    while True:
        try:
            raw: RawResponse = yield call()
        except httpx.TransportError as exc:
            retryable = (
                _retry.may_retry_create_error(exc)
                if kind == "create"
                else _retry.may_retry_read_error(exc)
            )
            if not retryable or state.attempt >= policy.max_retries:
                raise transport_failure(exc, what, kind) from None
            delay = policy.delay(state.attempt)
            log.info("%s: %s, retrying in %.2fs", what, type(exc).__name__, delay)
            state.attempt += 1
            yield Sleep(delay)
            continue
        if plain and raw.status_code < 300:
            return raw
        error = envelope_error(raw)
        if error is None:
            return raw
        if isinstance(error, ConcurrencyLimitError) and kind == "create" and retry_busy:
            if state.busy_attempt < policy.max_retries:
                delay = policy.busy_delay(state.busy_attempt)
                log.info("%s: concurrency limit (30003), retrying in %.2fs", what, delay)
                state.busy_attempt += 1
                yield Sleep(delay)
                continue
        elif (
            kind == "read"
            and _retry.may_retry_read_status(raw.status_code)
            and state.attempt < policy.max_retries
        ):
            delay = policy.delay(state.attempt, _retry.retry_after_seconds(raw.headers))
            log.info("%s: HTTP %s, retrying in %.2fs", what, raw.status_code, delay)
            state.attempt += 1
            yield Sleep(delay)
            continue
        raise error
