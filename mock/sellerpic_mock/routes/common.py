"""Helpers every route uses: the services, the caller's account, the public origin, faults."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import ClientDisconnect, Request

from ..domain.accounts import Account
from ..domain.errors import bad_request, too_large
from ..domain.services import Services
from ..scope import fault_kind

#: JSON bodies of create operations are a few file keys and a prompt.
MAX_JSON_BYTES = 1024 * 1024
#: The documented bodies are two levels deep at most. The limit keeps every accepted body
#: storable: the encoder that writes task parameters stops at 255 levels.
MAX_JSON_DEPTH = 32


def services(request: Request) -> Services:
    svc: Services = request.app.services
    return svc


#: Where the caller's account id is kept for the request journal (which never sees the key).
ACCOUNT_KEY = "sellerpic_mock.account"
#: Where a create puts the id of the task it made, for the request journal.
CREATED_KEY = "sellerpic_mock.created_task"


def account(request: Request) -> Account:
    caller = services(request).accounts.authenticate(request.headers.get("authorization"))
    request.scope[ACCOUNT_KEY] = caller.id
    return caller


def base_url(request: Request) -> str:
    configured = services(request).config.public_url
    if configured:
        return configured.rstrip("/")
    # Read from the scope directly: building request.url costs more than the rest of a poll.
    scope = request.scope
    host = request.headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


def raw_query(request: Request) -> dict[str, str]:
    """The query string, the last of repeated names winning as in Starlette's QueryParams,
    which cost a status poll more than the rest of its parsing."""
    raw = request.scope["query_string"].decode("latin-1")
    return dict(parse_qsl(raw, keep_blank_values=True))


def fault_is(request: Request, kind: str) -> bool:
    """Whether the fault middleware injects a fault of this kind into the request."""
    return fault_kind(request.scope) == kind


async def small_body(request: Request, limit: int) -> bytes:
    """The whole body of a request that must be small, refused once past `limit` bytes.
    Read from the ASGI messages directly: two async generators per create (Starlette's
    stream and `capped`) cost 6% of it."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(f"body: larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def json_body(request: Request) -> Any:
    raw = await small_body(request, MAX_JSON_BYTES)
    if not raw.strip():
        raise bad_request("body: a JSON object is required")
    try:
        # Strict: refuses NaN, invalid UTF-8 and lone surrogates, which no UTF-8 store accepts.
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"body: invalid JSON: {exc}") from None
    # A body with fewer brackets than the limit cannot be nested deeper than it.
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH and nesting(body) > MAX_JSON_DEPTH:
        raise bad_request(f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return body


def nesting(value: Any) -> int:
    """How many levels of objects and arrays `value` has (0 for a scalar); iterative, so a
    deep value cannot exhaust the stack."""
    depth, level = 0, [value]
    while True:
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            return depth
        depth += 1
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
