"""Glue between the workflow steps, httpx and the generated client: where each piece lives.

The workflow (upload, create, wait, download, batch) is written once as generator "steps" that
yield *effects* (call an API operation, PUT bytes to a URL, stream a URL to a file, sleep) and
receive their outcome. `SyncDriver` performs effects with `httpx.Client`, `AsyncDriver` with
`httpx.AsyncClient`; nothing else differs between `SellerPic` and `AsyncSellerPic`. Transport
exceptions are thrown back into the step, which decides (via `_retry`) whether to try again.

- `_effects`: the effects, `Steps`, and `api_call` (the one use of the generated `_get_kwargs`)
- `_drivers`: `SyncDriver` and `AsyncDriver`, the whole-request deadline, the request log line
- `_envelope`: the JSON envelope, its errors and its typed fields
- `_request`: `call_api`, the retrying request step, and transport errors in the layer's words
- `_auth`: the API key, checked, sent and redacted
- `_redaction`: secrets kept out of texts and logs (installs the httpx log filters)
- `_logging`: the `sellerpic` logger, `SELLERPIC_LOG` and `--log-level`

The layer imports from those modules; the names stay importable from here too.
"""

from __future__ import annotations

from ._auth import BearerAuth, check_api_key, redact_key
from ._drivers import CHUNK_SIZE, MAX_ERROR_BODY, AsyncDriver, SyncDriver, whole_request_seconds
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
    api_call,
)
from ._envelope import envelope_data, envelope_error, int_field
from ._logging import LOG_LEVELS, configure_logging, configure_logging_from_environment, log
from ._redaction import (
    REDACTED,
    SECRET_QUERY_PARAMS,
    RedactingFilter,
    install_log_redaction,
    loggable_url,
    scrub_secrets,
)
from ._request import RequestKind, RetryState, call_api, transport_failure

__all__ = [
    "CHUNK_SIZE",
    "LOG_LEVELS",
    "MAX_ERROR_BODY",
    "REDACTED",
    "SECRET_QUERY_PARAMS",
    "ApiCall",
    "AsyncDriver",
    "BearerAuth",
    "DownloadTo",
    "Effect",
    "ProgressCallback",
    "PutBytes",
    "RawResponse",
    "RedactingFilter",
    "RequestKind",
    "RetryState",
    "Sleep",
    "Steps",
    "SyncDriver",
    "T",
    "api_call",
    "call_api",
    "check_api_key",
    "configure_logging",
    "configure_logging_from_environment",
    "envelope_data",
    "envelope_error",
    "install_log_redaction",
    "int_field",
    "log",
    "loggable_url",
    "redact_key",
    "scrub_secrets",
    "transport_failure",
    "whole_request_seconds",
]
