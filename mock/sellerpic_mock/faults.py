"""Fault injection: configured rates and the per-request `X-Sellerpic-Mock-Fault` header.

Faults that stand in for a failing server (server-error, drop) act before the request reaches
a route, so they never change state. The `-after` variants run the request for real first and
then lose the answer, to test that a client does not repeat a create it cannot see.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import MockConfig
from .routes.envelope import JSONAnswer, envelope_bytes

FAULT_HEADER = b"x-sellerpic-mock-fault"
SCOPE_KEY = "sellerpic_mock.fault"
#: Where the control plane puts the operation id of a request, for one-shot rules to match.
OPERATION_KEY = "sellerpic_mock.operation"
KINDS = (
    "expired-url",
    "concurrency-limit",
    "server-error",
    "server-error-after",
    "slow",
    "drop",
    "drop-after",
)
DEFAULT_SLOW_MS = 2000.0


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised to abandon a request without an answer.

    It subclasses httpx's own error so that an in-process client (httpx.ASGITransport) sees
    the same exception type as a client whose TCP connection was cut.
    """


@dataclass(frozen=True)
class Fault:
    kind: str
    delay_ms: float = 0.0


@dataclass
class FaultRule:
    """A one-shot rule: the next `times` requests of `operation` (any when None) get `fault`."""

    fault: Fault
    operation: str | None = None
    times: int = 1


@dataclass
class FaultSettings:
    """What the middleware injects; starts from the MockConfig, changed by the control API."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    rules: list[FaultRule] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: MockConfig) -> FaultSettings:
        return cls(config.latency_ms, config.error_rate, config.drop_rate)

    def take_rule(self, operation: str | None) -> Fault | None:
        """The fault of the first rule matching `operation`, used up by one request."""
        for index, rule in enumerate(self.rules):
            if rule.operation is None or rule.operation == operation:
                rule.times -= 1
                if rule.times <= 0:
                    del self.rules[index]
                return rule.fault
        return None


def parse_fault(value: str) -> Fault | None:
    name, _, arg = value.strip().lower().partition("=")
    if name not in KINDS:
        return None
    if name == "slow":
        try:
            return Fault(name, float(arg) if arg else DEFAULT_SLOW_MS)
        except ValueError:
            return Fault(name, DEFAULT_SLOW_MS)
    return Fault(name)


def fault_of(scope: Scope) -> Fault | None:
    fault = scope.get(SCOPE_KEY)
    return fault if isinstance(fault, Fault) else None


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def silence_drop_tracebacks() -> None:
    """Uvicorn logs every aborted request with a traceback; injected drops are expected."""
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class FaultMiddleware:
    def __init__(self, app: ASGIApp, config: MockConfig) -> None:
        self._app = app
        self._config = config
        self._rng = random.Random(config.fault_seed)
        self.settings = FaultSettings.from_config(config)

    def reset(self) -> None:
        """Back to the configured rates, no one-shot rules."""
        self.settings = FaultSettings.from_config(self._config)

    def _pick(self, scope: Scope) -> Fault | None:
        for name, value in scope.get("headers", []):
            if name == FAULT_HEADER:
                fault = parse_fault(value.decode("latin-1"))
                if fault is not None:
                    return fault
        settings = self.settings
        if settings.rules:
            fault = settings.take_rule(scope.get(OPERATION_KEY))
            if fault is not None:
                return fault
        if settings.drop_rate and self._rng.random() < settings.drop_rate:
            return Fault("drop")
        if settings.error_rate and self._rng.random() < settings.error_rate:
            return Fault("server-error")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        fault = self._pick(scope)
        delay = self.settings.latency_ms + (fault.delay_ms if fault else 0.0)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if fault is None:
            await self._app(scope, receive, send)
            return
        # Recorded for every fault, slow included, so the request journal can name it.
        scope[SCOPE_KEY] = fault
        if fault.kind == "slow":
            await self._app(scope, receive, send)
            return
        if fault.kind == "drop":
            await _drop(send)
        elif fault.kind == "server-error":
            await _server_error(scope, receive, send)
        elif fault.kind in ("drop-after", "server-error-after"):

            async def swallow(message: Message) -> None:
                return None

            await self._app(scope, receive, swallow)
            if fault.kind == "drop-after":
                await _drop(send)
            await _server_error(scope, receive, send)
        else:
            await self._app(scope, receive, send)


async def _server_error(scope: Scope, receive: Receive, send: Send) -> None:
    body = envelope_bytes(500, "Internal Server Error (injected fault)", False)
    await JSONAnswer(body, 500)(scope, receive, send)


async def _drop(send: Send) -> None:
    # Uvicorn answers a bare exception with a 500; once the head is out it can only close the
    # connection, which is what a client must experience: no usable answer at all.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", b"1048576")],
        }
    )
    raise ConnectionDropped("connection dropped by the simulator (injected fault)")
