"""When a failed request is sent again, and how long to wait first.

Policy
------
* Reads (task status, download URL, presets, credits, upload URL, the presigned PUT, file
  downloads and the multipart upload, which only stores a file and charges nothing) are retried
  on HTTP 429 and 5xx, on connection errors and on every kind of timeout.
* Task creation costs credits, so it is retried only when the request provably never reached the
  server: a connection that could not be opened (`ConnectError`), a connect timeout or a pool
  timeout (no connection was free, nothing was sent). It is also retried when the server refused
  it with code 30003 (concurrency limit): nothing was created, so it is safe, but the wait is
  longer because a slot frees only when another task finishes.
* Task creation is never retried after a read or write timeout, a dropped connection or a 5xx:
  the server may have created the task, and a second request could charge twice. Those raise
  `APITimeoutError` / `APIConnectionError` with `maybe_processed=True`, or `ServerError`.
* Waits grow exponentially with "full jitter" (a uniform draw between 0 and the exponential
  ceiling) so that many clients do not retry in lockstep. A `Retry-After` header (seconds or an
  HTTP date) replaces the draw, capped at `max_delay`.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

#: Transport errors that happen before a single byte of the request left the machine.
NEVER_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)

RETRYABLE_READ_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how patiently to retry; see the module docstring for which errors."""

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: First wait after a 30003 refusal; slots free up only as other tasks finish.
    busy_base_delay: float = 5.0
    busy_max_delay: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        return full_jitter(attempt, self.base_delay, self.max_delay)

    def busy_delay(self, attempt: int) -> float:
        return full_jitter(attempt, self.busy_base_delay, self.busy_max_delay)


def full_jitter(attempt: int, base: float, cap: float) -> float:
    """A uniform draw in [0, min(cap, base * 2**attempt)]."""
    ceiling = min(cap, base * (2 ** min(attempt, 30)))
    return random.uniform(0.0, ceiling)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Parse `Retry-After` as delta-seconds or an HTTP date; None when absent or unreadable."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(moment.timestamp() - current, 0.0)


def may_retry_read_error(exc: httpx.TransportError) -> bool:
    """Reads are idempotent: any transport failure is worth another try."""
    return True


def may_retry_create_error(exc: httpx.TransportError) -> bool:
    """A create is retried only if the request cannot have reached the server."""
    return isinstance(exc, NEVER_SENT_ERRORS)


def may_retry_read_status(status_code: int) -> bool:
    return status_code in RETRYABLE_READ_STATUSES or 500 <= status_code < 600
