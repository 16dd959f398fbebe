"""A client-side fault injector: an httpx transport that asks the simulator for a fault on a
seeded share of requests (header `X-Sellerpic-Mock-Fault`), picking kinds that fit the request,
and counts every fault it injected or saw (the simulator's own --error-rate/--drop-rate too)."""

from __future__ import annotations

import random
import threading
from collections import Counter

import httpx

FAULT_HEADER = "X-Sellerpic-Mock-Fault"
INJECTED_MARK = b"injected fault"

#: Fault kinds per kind of request, with weights. Creates get the kinds that make a create
#: ambiguous (drop / server-error before the route: not created; the `-after` kinds: created,
#: answer lost) and 30003 bursts; URLs get expired-url.
KINDS: dict[str, list[tuple[str, int]]] = {
    "create": [
        ("concurrency-limit", 3),
        ("slow", 2),
        ("server-error", 1),
        ("drop", 1),
        ("drop-after", 1),
        ("server-error-after", 1),
    ],
    "upload-url": [("expired-url", 2), ("server-error", 1), ("drop", 1), ("slow", 1)],
    "put": [("expired-url", 1), ("server-error", 1), ("drop", 1), ("slow", 1)],
    "status": [("server-error", 2), ("drop", 2), ("slow", 1)],
    "download-url": [("expired-url", 2), ("server-error", 1), ("drop", 1), ("slow", 1)],
    "file": [("expired-url", 2), ("server-error", 1), ("drop", 1), ("slow", 1)],
    "other": [("server-error", 1), ("drop", 1), ("slow", 1)],
}


def request_kind(request: httpx.Request) -> str:
    path = request.url.path
    if request.method == "POST" and path.startswith("/v1/api/generate/"):
        return "create"
    if path == "/v1/api/generate":
        return "status"
    if path == "/v1/api/upload/url":
        return "upload-url"
    if path.startswith("/UPLOAD/"):
        return "put"
    if path == "/v1/api/download":
        return "download-url"
    if path.startswith("/RESULT/"):
        return "file"
    return "other"


class FaultInjector(httpx.BaseTransport):
    """Wraps a transport; thread-safe counters of what was injected and what was observed.

    Two rules keep the run about the client, not about luck: an expired URL is never injected
    twice in a row (the client renews an expired URL once; the real URLs live 30 min to 12 h),
    and a 30003 starts a burst that refuses the next 1-3 creates as well.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        rate: float,
        seed: int,
        slow_ms: int = 150,
    ) -> None:
        self._inner = inner
        self._rate = rate
        self._rng = random.Random(seed)
        self._slow = f"slow={slow_ms}"
        self._lock = threading.Lock()
        self._burst = 0
        self._last_expired = False
        self.enabled = True
        self.requests = 0
        self.injected: Counter[str] = Counter()
        #: Faults the server injected by itself (its rate flags), seen from this side.
        self.server_injected: Counter[str] = Counter()
        self.transport_errors: Counter[str] = Counter()

    def _choose(self, kind: str) -> str | None:
        with self._lock:
            self.requests += 1
            if not self.enabled:
                return None
            if kind == "create" and self._burst > 0:
                self._burst -= 1
                return "concurrency-limit"
            if self._rng.random() >= self._rate:
                self._last_expired = False
                return None
            names, weights = zip(*KINDS[kind], strict=True)
            choice = self._rng.choices(names, weights)[0]
            if choice == "expired-url" and self._last_expired:
                choice = "slow"
            self._last_expired = choice == "expired-url"
            if choice == "concurrency-limit":
                self._burst = self._rng.randint(1, 3)
            return self._slow if choice == "slow" else choice

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._choose(request_kind(request))
        if fault is not None:
            request.headers[FAULT_HEADER] = fault
            with self._lock:
                self.injected[fault.partition("=")[0]] += 1
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as exc:
            with self._lock:
                self.transport_errors[type(exc).__name__] += 1
                if fault is None and not isinstance(exc, httpx.ConnectError):
                    # A refused connection is the restart's outage, counted by the driver.
                    self.server_injected["drop"] += 1
            raise
        if response.status_code == 500 and fault is None:
            body = response.read()
            response.close()
            if INJECTED_MARK in body:
                with self._lock:
                    self.server_injected["server-error"] += 1
            return httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )
        return response

    @property
    def total_injected(self) -> int:
        return sum(self.injected.values()) + sum(self.server_injected.values())

    def close(self) -> None:
        self._inner.close()
