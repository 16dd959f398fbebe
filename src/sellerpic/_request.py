"""The retrying request step, `call_api`: one logical request, sent again by the rules of
`_retry`, its transport errors translated into the layer's errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx

from . import _retry
from ._effects import Effect, RawResponse, Sleep, Steps
from ._envelope import envelope_error
from ._logging import log
from ._redaction import scrub_secrets
from .errors import (
    BASE_URL_HINT,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SellerPicError,
)

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
