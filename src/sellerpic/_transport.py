"""Glue between the workflow steps, httpx and the generated client.

The workflow (upload, create, wait, download, batch) is written once as generator "steps" that
yield *effects* (call an API operation, PUT bytes to a URL, stream a URL to a file, sleep) and
receive their outcome. `SyncDriver` performs effects with `httpx.Client`, `AsyncDriver` with
`httpx.AsyncClient`; nothing else differs between `SellerPic` and `AsyncSellerPic`. Transport
exceptions are thrown back into the step, which decides (via `_retry`) whether to try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import math
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from sellerpic_client.client import AuthenticatedClient

from . import _retry
from ._clock import SYSTEM_CLOCK, Clock
from ._results import BadResultError, PartialFile
from .errors import (
    BASE_URL_HINT,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConcurrencyLimitError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SellerPicError,
    ServerError,
    error_from_envelope,
)

log = logging.getLogger("sellerpic")

T = TypeVar("T")
ProgressCallback = Callable[[int, int | None], None]

CHUNK_SIZE = 64 * 1024
#: How much of an error answer to a file download is read (decoded): enough for any envelope,
#: and a compressed error page cannot fill the memory.
MAX_ERROR_BODY = 1024 * 1024


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
    #: retries before this one (set by `call_api`, shown in the request log)
    attempt: int = 0


@dataclass(frozen=True)
class PutBytes:
    """PUT a body to a presigned URL, without the API key."""

    url: str
    #: The body, or a file streamed from disk in chunks (never read whole into memory).
    data: bytes | Path
    content_type: str
    on_progress: ProgressCallback | None = None
    attempt: int = 0


@dataclass(frozen=True)
class DownloadTo:
    """Stream a URL into `dest` (temp file + rename); the response content stays empty on 2xx.
    `check` sees the complete temp file before the rename and raises to refuse it."""

    url: str
    dest: Path
    on_progress: ProgressCallback | None = None
    check: Callable[[Path], None] | None = None
    attempt: int = 0


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


def check_api_key(api_key: str) -> str:
    """The key as sent: surrounding whitespace (a `.env` saved with CRLF, a pasted newline) is
    dropped; any other character outside printable ASCII is refused. The message says where,
    never what: the key must not reach an error text."""
    key = api_key.strip()
    for position, char in enumerate(key, start=1):
        if not " " < char < "\x7f":
            raise ValueError(
                f"the API key has a {_char_kind(char)} at position {position} of {len(key)}; "
                "keys are printable ASCII: check where it was copied from"
            )
    return key


def _char_kind(char: str) -> str:
    if char == " ":
        return "space"
    return "non-ASCII character" if ord(char) > 0x7F else "control character"


#: Query parameters whose values authorise a request: presigned S3/GCS/Azure URLs, tokens.
SECRET_QUERY_PARAMS = frozenset(
    {
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
        "signature",
        "sig",
        "token",
        "access_token",
        "awsaccesskeyid",
        "policy",
        "key-pair-id",
    }
)
#: A path segment that carries a token: long, made of token characters, letters and digits
#: mixed (token routes such as `/presigned/<token>`, S3 object hashes). Task
#: and result ids (digits) and result file names stay readable.
_TOKEN_SEGMENT = re.compile(r"(?=[^/]*[A-Za-z])(?=[^/]*\d)[A-Za-z0-9_\-.=~%+]{24,}")
_READABLE_SEGMENT = re.compile(r"\d+(_\d+)?(\.[A-Za-z0-9]+)?")
REDACTED = "REDACTED"


def loggable_url(url: str | httpx.URL) -> str:
    """The URL without its secret parts: signature and token query values and token path
    segments are replaced by REDACTED; everything else (host, ids, formats) stays for
    debugging."""
    parts = urlsplit(str(url))
    segments = [
        REDACTED if _TOKEN_SEGMENT.fullmatch(seg) and not _READABLE_SEGMENT.fullmatch(seg) else seg
        for seg in parts.path.split("/")
    ]
    query = [
        (name, REDACTED if name.lower() in SECRET_QUERY_PARAMS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    netloc = parts.netloc.rpartition("@")[2]  # user:password@host
    text = f"{parts.scheme}://{netloc}{'/'.join(segments)}"
    return f"{text}?{urlencode(query, safe='/')}" if query else text


_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+")
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s'\"]+")
_HEADER_VALUE = re.compile(r"(?i)(header value)\b.*")


def scrub_secrets(text: str) -> str:
    """Remove what may authorise a request from a text meant for people: bearer tokens,
    header values quoted by httpx/h11 ("Illegal header value b'Bearer ...'"), the secret
    parts of URLs."""
    text = _HEADER_VALUE.sub(r"\1 <redacted>", text)
    text = _BEARER.sub("Bearer <redacted>", text)
    return _URL_IN_TEXT.sub(lambda m: loggable_url(m.group(0)), text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message without secrets. Installed on the `httpx` logger, which
    logs every request URL at INFO, presigned upload and download URLs included."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error report
            return True
        cleaned = scrub_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


#: httpx logs each request URL at INFO; httpcore's DEBUG trace shows response headers, where a
#: redirect's Location may carry a signed URL. A filter acts on its own logger's records only,
#: so each httpcore logger gets one.
_THIRD_PARTY_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def install_log_redaction(logger_names: Iterable[str] = _THIRD_PARTY_LOGGERS) -> None:
    """Idempotent: one `RedactingFilter` per logger."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


install_log_redaction()

LOG_LEVELS = ("debug", "info", "warning", "error")


def configure_logging(level: str, stream: Any = None) -> Callable[[], None]:
    """Show the layer's log on stderr at `level` (one of LOG_LEVELS): one line per request at
    info, with httpx's own lines (redacted) at debug. Used by `SELLERPIC_LOG` and the CLI's
    `--log-level`; does nothing when the application already gave `sellerpic` a handler.
    Returns what undoes it."""
    if log.handlers:
        return lambda: None
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("sellerpic %(levelname)s %(message)s"))
    names = ("sellerpic", "httpx") if level == "debug" else ("sellerpic",)
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level.upper())
        logger.addHandler(handler)

    def undo() -> None:
        for logger, previous in zip(loggers, before, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(previous)

    return undo


def configure_logging_from_environment() -> None:
    """`SELLERPIC_LOG=info|debug|warning|error`; an unknown value is refused by name."""
    value = os.environ.get("SELLERPIC_LOG", "").strip().lower()
    if not value:
        return
    if value not in LOG_LEVELS:
        raise ValueError(f"SELLERPIC_LOG={value!r} is not one of {', '.join(LOG_LEVELS)}")
    configure_logging(value)


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


class SyncDriver:
    """Performs effects with blocking httpx calls. Every request is streamed and its body
    read chunk by chunk, so the whole-request deadline is checked as the bytes arrive."""

    def __init__(
        self,
        http: httpx.Client,
        api: AuthenticatedClient,
        deadline: float | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.http = http
        self.api = api
        self.deadline = deadline
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


class AsyncDriver:
    """Performs effects with httpx.AsyncClient; the steps are the same as for `SyncDriver`.
    The whole-request deadline is a timeout around each attempt."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api: AuthenticatedClient,
        deadline: float | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.http = http
        self.api = api
        self.deadline = deadline
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


# --- envelope decoding -------------------------------------------------------------------------
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


# --- the retrying request step -----------------------------------------------------------------
RequestKind = Literal["read", "create"]


@dataclass
class RetryState:
    """Counts attempts for one logical request."""

    policy: _retry.RetryPolicy
    attempt: int = 0
    busy_attempt: int = 0
    history: list[str] = field(default_factory=list)


def _origin(exc: httpx.TransportError) -> str | None:
    try:
        url = exc.request.url
    except RuntimeError:  # an error raised without its request
        return None
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"


def _reason(exc: httpx.TransportError) -> str:
    """What went wrong, in a user's words."""
    text = str(exc).lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return "no answer to the connection attempt (timed out)"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the answer"
    if isinstance(exc, httpx.ConnectError):
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
            return "host name not found"
        if "certificate" in text or "ssl" in text:
            return "TLS handshake failed (certificate)"
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection without a complete answer"
    return type(exc).__name__


def _is_loopback(origin: str | None) -> bool:
    host = (urlsplit(origin).hostname or "") if origin else ""
    return host in ("localhost", "::1") or host.startswith("127.")


def transport_failure(exc: httpx.TransportError, what: str, kind: RequestKind) -> SellerPicError:
    """Translate an httpx error; a create that may have arrived says so. The text says which
    server could not be reached and why; httpx's own text is scrubbed of header values."""
    maybe = kind == "create" and not _retry.may_retry_create_error(exc)
    hint = (
        " The task may have been created: it was not sent again, to avoid a second charge."
        if maybe
        else ""
    )
    origin, reason = _origin(exc), _reason(exc)
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    if isinstance(exc, httpx.ConnectError) and origin:
        where = "is the simulator running? " if _is_loopback(origin) else ""
        msg = f"cannot reach {origin}: {reason}; {where}{BASE_URL_HINT}"
    else:
        detail = scrub_secrets(str(exc))
        msg = f"{what} failed: {reason}" + (f" ({detail})" if detail else "") + "."
    return cls(msg + hint, maybe_processed=maybe, url=origin, reason=reason)


#: Answers to a create that refuse it: the server created nothing.
_REFUSALS: tuple[type[SellerPicError], ...] = (
    BadRequestError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    RateLimitError,
    ConcurrencyLimitError,
    InsufficientCreditsError,
)


def _create_may_have_happened(error: SellerPicError) -> bool:
    """After a create's answer: could a task exist although this is an error? A refusal
    created nothing; a 5xx, an unreadable answer or an unknown code may hide one."""
    return not isinstance(error, _REFUSALS)


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
        effect = call()
        if (state.attempt or state.busy_attempt) and not isinstance(effect, Sleep):
            effect = dataclasses.replace(effect, attempt=state.attempt + state.busy_attempt)
        try:
            raw: RawResponse = yield effect
        except httpx.TransportError as exc:
            retryable = (
                _retry.may_retry_create_error(exc)
                if kind == "create"
                else _retry.may_retry_read_error(exc)
            )
            if not retryable or state.attempt >= policy.max_retries:
                raise transport_failure(exc, what, kind) from None
            delay = policy.delay(state.attempt)
            log.info(
                "%s: %s, retry %d of %d in %.2fs",
                what,
                type(exc).__name__,
                state.attempt + 1,
                policy.max_retries,
                delay,
            )
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
            log.info(
                "%s: HTTP %s, retry %d of %d in %.2fs",
                what,
                raw.status_code,
                state.attempt + 1,
                policy.max_retries,
                delay,
            )
            state.attempt += 1
            yield Sleep(delay)
            continue
        if kind == "create" and _create_may_have_happened(error):
            error.maybe_processed = True
            error.msg += (
                "; the task may have been created: it was not sent again, to avoid a second charge"
            )
        raise error
