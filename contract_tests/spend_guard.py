"""The spend guard: against a host other than loopback the suite sends nothing that costs credits.

Creating a task spends credits, and uploads store files on the account. Against a target whose
host is not loopback, a request to such an operation that carries the account's key is refused,
unless `CONTRACT_ALLOW_SPEND=N` allows at most N credits: each create then reserves the most its
operation can cost (`x-results-per-task`, one credit per image) and is refused once N would be
passed, and the session reads the usage endpoint before and after and fails if more than N were
spent. Requests sent without the account's key (the negative authentication cases) cost nothing
and always pass.

What counts as loopback is decided from the URL alone, resolving nothing: `localhost`, and IP
literals in 127.0.0.0/8 or ::1. Names that happen to reach loopback (`127.1`, `localhost.`, a name
in /etc/hosts) count as remote, which is how the tests exercise the guard against a simulator.

The guard sits at the transport: an httpx request hook (the suite's clients and the generated
client) and a requests session (schemathesis). The tests also ask it up front (`refusal`) so that
an operation that may not run is skipped with the reason rather than failed.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import requests

from contract_tests.checking import load_spec, operations

ENV = "CONTRACT_ALLOW_SPEND"
#: The operations that cost nothing and store nothing: reads of presets, usage, an upload URL,
#: and the status and download URL of a task (of unknown ids, against an account with no task).
FREE_OPERATIONS = frozenset(
    {"listPresets", "getCreditUsage", "getUploadUrl", "getTaskStatus", "getDownloadUrl"}
)


class SpendRefused(Exception):
    """A request that could spend credits (or store files) on a remote target was not sent."""


def is_loopback(base_url: str) -> bool:
    host = httpx.URL(base_url).host.lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_spend(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit():
        raise pytest.UsageError(f"{ENV} must be a whole number of credits, not {text!r}")
    return int(text)


def task_cost(definition: dict[str, Any]) -> int | None:
    """The most credits one create of this operation can cost; None when it creates no task."""
    if "Create Task" not in definition.get("tags", []):
        return None
    by_type = definition.get("x-results-by-replace-type") or {}
    counts = [int(definition.get("x-results-per-task", 1)), *map(int, by_type.values())]
    return max(counts)


def path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


class SpendGuard:
    def __init__(
        self, spec: dict[str, Any], base_url: str, api_key: str, allow_spend: int | None
    ) -> None:
        self.base_url = base_url
        self.host = httpx.URL(base_url).host
        self.remote = not is_loopback(base_url)
        self.allow_spend = allow_spend
        self.reserved = 0
        self.refused: list[str] = []
        self._authorization = f"Bearer {api_key}"
        self._ops = operations(spec)
        self._routes = sorted(
            ((i.method.upper(), path_pattern(i.path), op) for op, i in self._ops.items()),
            key=lambda row: "{" in self._ops[row[2]].path,
        )

    @classmethod
    def from_env(
        cls, base_url: str, api_key: str, spec: dict[str, Any] | None = None
    ) -> SpendGuard:
        return cls(spec or load_spec(), base_url, api_key, allowed_spend(os.environ.get(ENV)))

    def cost(self, op_id: str) -> int:
        return task_cost(self._ops[op_id].definition) or 0

    def refusal(self, op_id: str) -> str | None:
        """Why `op_id` may not be sent with the account's key, or None when it may."""
        if not self.remote or op_id in FREE_OPERATIONS:
            return None
        creates = task_cost(self._ops[op_id].definition) is not None
        what = "could create a task" if creates else "stores a file"
        if self.allow_spend is None:
            return (
                f"{op_id} {what} on {self.host}, which is not loopback: not sent. "
                f"Set {ENV}=N to allow at most N credits."
            )
        if creates and self.reserved + self.cost(op_id) > self.allow_spend:
            return (
                f"{op_id} could cost {self.cost(op_id)} credits and {self.reserved} of the "
                f"{ENV}={self.allow_spend} allowed are reserved: not sent"
            )
        return None

    def operation_of(self, method: str, url: str) -> str | None:
        path = httpx.URL(url).path
        for wanted, pattern, op_id in self._routes:
            if wanted == method.upper() and pattern.search(path):
                return op_id
        return None

    def check(self, method: str, url: str, authorization: str | None) -> None:
        """Refuse (raise SpendRefused) or let through one request, reserving its cost."""
        if not self.remote:
            return
        op_id = self.operation_of(method, url)
        if op_id is None or op_id in FREE_OPERATIONS:
            return
        # Sent without the account's key, a request cannot spend the account's credits; a
        # presigned upload never carries the key, so it is judged by its operation alone.
        if authorization != self._authorization and op_id != "uploadFile":
            return
        reason = self.refusal(op_id)
        if reason is not None:
            self.refused.append(op_id)
            raise SpendRefused(reason)
        self.reserved += self.cost(op_id)

    # --- the transports --------------------------------------------------------------------------
    def httpx_hook(self, request: httpx.Request) -> None:
        self.check(request.method, str(request.url), request.headers.get("authorization"))

    async def async_httpx_hook(self, request: httpx.Request) -> None:
        self.httpx_hook(request)

    def session(self) -> requests.Session:
        """A requests session (what schemathesis sends with) that asks the guard first."""
        return _GuardedSession(self)

    def skip_if_refused(self, op_id: str) -> None:
        reason = self.refusal(op_id)
        if reason is not None:
            pytest.skip(reason)


class _GuardedSession(requests.Session):
    def __init__(self, guard: SpendGuard) -> None:
        super().__init__()
        self._guard = guard

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        authorization = request.headers.get("Authorization")
        self._guard.check(str(request.method), str(request.url), authorization)
        return super().send(request, **kwargs)


def used_credits(base_url: str, api_key: str) -> int:
    """Credits used so far, from the usage endpoint (a free read)."""
    answer = httpx.get(
        f"{base_url}/v1/api/usage", headers={"Authorization": f"Bearer {api_key}"}, timeout=10.0
    )
    answer.raise_for_status()
    return int(answer.json()["data"]["usage"])


@contextmanager
def spend_checked(guard: SpendGuard, api_key: str) -> Iterator[None]:
    """Around the session: with an allowance on a remote target, the usage endpoint must show
    at most that many credits spent."""
    if not guard.remote or guard.allow_spend is None:
        yield
        return
    before = used_credits(guard.base_url, api_key)
    yield
    spent = used_credits(guard.base_url, api_key) - before
    print(f"\ncontract: {spent} credits spent on {guard.host} ({ENV}={guard.allow_spend})")
    assert spent <= guard.allow_spend, (
        f"the session spent {spent} credits on {guard.host}, more than {ENV}={guard.allow_spend}"
    )
