"""A client's settings from its arguments and the environment: the API key, the base URL,
the retry policy, the upload mode and the poll interval; and the httpx client pointed at them."""

from __future__ import annotations

import os
from typing import Any

import httpx

from ._auth import BearerAuth, check_api_key
from ._clock import SYSTEM_CLOCK, Clock
from ._retry import RetryPolicy
from .errors import AuthenticationError, InvalidInputError
from .tasks import Settings, default_poll_interval
from .uploads import UPLOAD_MODES, UploadMode

DEFAULT_BASE_URL = "https://api.sellerpic.ai"
#: A finite default: the generated client alone would wait forever.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def resolve_settings(
    api_key: str | None,
    base_url: str | None,
    max_retries: int | None,
    retry_policy: RetryPolicy | None,
    upload_mode: UploadMode,
    poll_interval: float | None,
    clock: Clock | None = None,
) -> tuple[str, Settings]:
    key = (api_key or os.environ.get("SELLERPIC_API_KEY") or "").strip()
    if not key:
        raise AuthenticationError("no API key: pass api_key= or set SELLERPIC_API_KEY")
    try:
        key = check_api_key(key)
    except ValueError as exc:
        raise AuthenticationError(str(exc)) from None
    url = check_base_url(base_url or os.environ.get("SELLERPIC_BASE_URL") or DEFAULT_BASE_URL)
    if upload_mode not in UPLOAD_MODES:
        raise InvalidInputError(f"upload_mode must be one of {', '.join(UPLOAD_MODES)}")
    policy = retry_policy or RetryPolicy()
    if max_retries is not None:
        policy = RetryPolicy(
            max_retries=max_retries,
            base_delay=policy.base_delay,
            max_delay=policy.max_delay,
            busy_base_delay=policy.busy_base_delay,
            busy_max_delay=policy.busy_max_delay,
        )
    interval = default_poll_interval(url) if poll_interval is None else poll_interval
    return key, Settings(url, policy, upload_mode, interval, clock or SYSTEM_CLOCK)


#: Paths the base URL must not end with: the operations' paths already start with them.
_API_PREFIXES = ("/v1/api", "/v1")


def check_base_url(base_url: str) -> str:
    """The server's root URL, checked before any request: a scheme is required (httpx would
    refuse `127.0.0.1:8080` only after the retries), and a trailing `/v1` or `/v1/api` would
    double the operations' paths (every call a 404)."""
    url = base_url.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise InvalidInputError(
            f"base URL {base_url!r} has no scheme: write http://{url} (the simulator) or "
            f"https://{url}",
            field="base_url",
        )
    if scheme.lower() not in ("http", "https"):
        raise InvalidInputError(
            f"base URL {base_url!r}: the scheme must be http or https, not {scheme!r}",
            field="base_url",
        )
    for prefix in _API_PREFIXES:
        if url.lower().endswith(prefix):
            root = url[: -len(prefix)]
            raise InvalidInputError(
                f"base URL {base_url!r} ends with {prefix}: give the server's root, "
                f"{root} (the paths of the operations start with /v1/api)",
                field="base_url",
            )
    return url


def attach(http: httpx.Client | httpx.AsyncClient, base_url: str, key: str, timeout: Any) -> None:
    """Point the httpx client at the API. The key travels through `auth`, which the drivers
    switch off for presigned and file URLs."""
    http.base_url = httpx.URL(base_url)
    http.auth = BearerAuth(key)
    if timeout is not None:
        http.timeout = httpx.Timeout(timeout)
