"""The drivers: perform the steps' effects with httpx.

`SyncDriver` performs effects with `httpx.Client`, `AsyncDriver` with `httpx.AsyncClient`;
nothing else differs between `SellerPic` and `AsyncSellerPic`. Transport exceptions are thrown
back into the step, which decides (via `_retry`) whether to try again. Each attempt of each
request is bounded as a whole (`whole_request_seconds`), and logged in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx

from sellerpic_client.client import AuthenticatedClient

from ._clock import SYSTEM_CLOCK, Clock
from ._effects import (
    ApiCall,
    DownloadTo,
    Effect,
    ProgressCallback,
    PutBytes,
    RawResponse,
    Sleep,
    Steps,
    T,
)
from ._logging import log
from ._redaction import loggable_url, scrub_secrets
from ._results import BadResultError, PartialFile
from .errors import ClientClosedError

_HttpT = TypeVar("_HttpT", httpx.Client, httpx.AsyncClient)

CHUNK_SIZE = 64 * 1024
#: How much of an error answer to a file download is read (decoded): enough for any envelope,
#: and a compressed error page cannot fill the memory.
MAX_ERROR_BODY = 1024 * 1024


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


def _undecodable(exc: httpx.DecodingError) -> BadResultError:
    """A body whose Content-Encoding does not decode is a wrong result, refused like one."""
    return BadResultError(f"the download cannot be decoded ({exc})")


def _download_failure(effect: Effect, exc: Exception) -> Exception:
    """A file whose Content-Encoding does not decode is a wrong file (refused, fetched once
    more), not a transport error; wherever httpx noticed it, in the send or in the stream."""
    if isinstance(exc, httpx.DecodingError) and isinstance(effect, DownloadTo):
        return _undecodable(exc)
    return exc


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    return int(value) if value and value.isdigit() else None


def whole_request_seconds(timeout: httpx.Timeout) -> float | None:
    """The deadline of one attempt of one request, connect to last byte. httpx's timeouts
    bound each phase and each read, so a server trickling a byte a second never trips them;
    the drivers enforce this one on top. It is the longest of the phase timeouts: a plain
    `timeout=5` bounds the whole request to 5 s."""
    phases = [t for t in (timeout.connect, timeout.read, timeout.write) if t is not None]
    return max(phases) if phases else None


class _Deadline:
    """When an attempt must be over; checked between the chunks of every body."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def check(self, request: httpx.Request | None, writing: bool = False) -> None:
        if self.at is not None and time.monotonic() > self.at:
            cls = httpx.WriteTimeout if writing else httpx.ReadTimeout
            raise cls(f"no complete answer within {self.seconds:g} s", request=request)


def _bounded_chunks(chunks: Iterator[bytes], deadline: _Deadline) -> Iterator[bytes]:
    for chunk in chunks:
        deadline.check(None, writing=True)
        yield chunk


def _effect_label(effect: ApiCall | PutBytes | DownloadTo) -> str:
    if isinstance(effect, ApiCall):
        return effect.name
    return "uploadFile" if isinstance(effect, PutBytes) else "download"


def _log_exchange(
    effect: ApiCall | PutBytes | DownloadTo,
    request: httpx.Request,
    started: float,
    outcome: int | BaseException,
) -> None:
    """One INFO line per request: operation, method, URL without secrets, status, time, and
    which retry it was. `SELLERPIC_LOG=info` (or the CLI's `--log-level info`) shows them."""
    if not log.isEnabledFor(logging.INFO):
        return
    elapsed = (time.monotonic() - started) * 1000
    retry = f" (retry {effect.attempt})" if effect.attempt else ""
    result = (
        f"HTTP {outcome}"
        if isinstance(outcome, int)
        else f"failed: {type(outcome).__name__}: {scrub_secrets(str(outcome))}"
    )
    log.info(
        "%s %s %s -> %s in %.0f ms%s",
        _effect_label(effect),
        request.method,
        loggable_url(request.url),
        result,
        elapsed,
        retry,
    )


def _closed_error() -> ClientClosedError:
    return ClientClosedError(
        "the client is closed: call this before leaving its `with` block (or before "
        "close()), or open a new client and get the task again with client.task(id)"
    )


class _Driver(Generic[_HttpT]):
    """What both drivers hold: the httpx client, the generated client over it, the
    whole-request deadline (seconds, real time) and the clock pauses are taken on."""

    def __init__(
        self,
        http: _HttpT,
        api: AuthenticatedClient,
        deadline: float | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.http: _HttpT = http
        self.api = api
        self.deadline = deadline
        self.clock = clock


class SyncDriver(_Driver[httpx.Client]):
    """Performs effects with blocking httpx calls. Every request is streamed and its body
    read chunk by chunk, so the whole-request deadline is checked as the bytes arrive."""

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
        if self.http.is_closed:
            raise _closed_error()
        deadline = _Deadline(self.deadline)
        request = self._request(effect, deadline)
        started = time.monotonic()
        try:
            raw = self._exchange(effect, request, deadline)
        except Exception as exc:
            failure = _download_failure(effect, exc)
            _log_exchange(effect, request, started, failure)
            if failure is exc:
                raise
            raise failure from None
        _log_exchange(effect, request, started, raw.status_code)
        return raw

    def _request(
        self, effect: ApiCall | PutBytes | DownloadTo, deadline: _Deadline
    ) -> httpx.Request:
        if isinstance(effect, ApiCall):
            return self.http.build_request(**effect.build(**effect.kwargs))
        if isinstance(effect, PutBytes):
            chunks = _bounded_chunks(_chunks(effect.data, effect.on_progress), deadline)
            return _put_request(self.http, effect, chunks)
        return _plain_request(self.http, "GET", effect.url)

    def _exchange(
        self, effect: ApiCall | PutBytes | DownloadTo, request: httpx.Request, deadline: _Deadline
    ) -> RawResponse:
        # API calls carry the key (the client's auth); presigned and file URLs do not.
        auth: Any = httpx.USE_CLIENT_DEFAULT if isinstance(effect, ApiCall) else None
        response = self.http.send(request, auth=auth, stream=True)
        try:
            deadline.check(request)
            # Chunks as they arrive (no chunk size: httpx would buffer up to it), so a server
            # trickling bytes meets the deadline.
            if isinstance(effect, DownloadTo) and response.status_code < 300:
                self._save(effect, response, deadline)
                return RawResponse(response.status_code, response.headers)
            body = bytearray()
            # A file URL's error page is read only so far: the status is what matters.
            with contextlib.suppress(httpx.DecodingError):
                for chunk in response.iter_bytes():
                    body += chunk
                    deadline.check(request)
                    if isinstance(effect, DownloadTo) and len(body) >= MAX_ERROR_BODY:
                        break
            return RawResponse(response.status_code, response.headers, bytes(body))
        finally:
            response.close()

    @staticmethod
    def _save(effect: DownloadTo, response: httpx.Response, deadline: _Deadline) -> None:
        target = PartialFile(effect.dest, _content_length(response), effect.on_progress)
        try:
            for chunk in response.iter_bytes():
                deadline.check(response.request)
                target.write(chunk)
            target.commit(effect.check)
        except BaseException:
            target.abort()
            raise


class AsyncDriver(_Driver[httpx.AsyncClient]):
    """Performs effects with httpx.AsyncClient; the steps are the same as for `SyncDriver`.
    The whole-request deadline is a timeout around each attempt."""

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
        if self.http.is_closed:
            raise _closed_error()
        request = self._request(effect)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.deadline):
                raw = await self._exchange(effect, request)
        except TimeoutError:
            exc: Exception = httpx.ReadTimeout(
                f"no complete answer within {self.deadline:g} s", request=request
            )
            _log_exchange(effect, request, started, exc)
            raise exc from None
        except Exception as exc:
            failure = _download_failure(effect, exc)
            _log_exchange(effect, request, started, failure)
            if failure is exc:
                raise
            raise failure from None
        _log_exchange(effect, request, started, raw.status_code)
        return raw

    def _request(self, effect: ApiCall | PutBytes | DownloadTo) -> httpx.Request:
        if isinstance(effect, ApiCall):
            return self.http.build_request(**effect.build(**effect.kwargs))
        if isinstance(effect, PutBytes):
            return _put_request(self.http, effect, _achunks(effect.data, effect.on_progress))
        return _plain_request(self.http, "GET", effect.url)

    async def _exchange(
        self, effect: ApiCall | PutBytes | DownloadTo, request: httpx.Request
    ) -> RawResponse:
        auth: Any = httpx.USE_CLIENT_DEFAULT if isinstance(effect, ApiCall) else None
        response = await self.http.send(request, auth=auth, stream=True)
        try:
            if isinstance(effect, DownloadTo) and response.status_code < 300:
                # Local disk writes are short and bounded by CHUNK_SIZE; not worth a thread hop.
                target = PartialFile(effect.dest, _content_length(response), effect.on_progress)
                try:
                    async for chunk in response.aiter_bytes(CHUNK_SIZE):
                        target.write(chunk)
                    target.commit(effect.check)
                except BaseException:
                    target.abort()
                    raise
                return RawResponse(response.status_code, response.headers)
            if not isinstance(effect, DownloadTo):
                return RawResponse(response.status_code, response.headers, await response.aread())
            body = b""
            with contextlib.suppress(httpx.DecodingError):  # the status is what matters
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    body += chunk
                    if len(body) >= MAX_ERROR_BODY:
                        break
            return RawResponse(response.status_code, response.headers, body[:MAX_ERROR_BODY])
        finally:
            await response.aclose()
