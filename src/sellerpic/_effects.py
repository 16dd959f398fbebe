"""The effects the workflow steps yield, and the shape of the steps.

The workflow (upload, create, wait, download, batch) is written once as generator "steps" that
yield *effects* (call an API operation, PUT bytes to a URL, stream a URL to a file, sleep) and
receive their outcome; a driver (`_drivers`) performs them. `api_call` is the one place that
reaches into the generated operation modules (`_get_kwargs`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
ProgressCallback = Callable[[int, int | None], None]


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
