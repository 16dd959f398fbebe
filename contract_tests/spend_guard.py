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

The guard sits at the lowest level both HTTP stacks of the suite share: while a session against a
remote target runs, every request the process sends through httpx (the suite's clients, the
generated client, the workflow layer) or requests (schemathesis) passes `SpendGuard.check` first,
so no test can get round it. A test that runs into a refusal is reported as skipped, with the
reason (`pytest_runtest_makereport`), rather than failed.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import requests
import requests.adapters

from contract_tests.checking import load_spec, operations
from sellerpic_mock.cli import is_loopback as host_is_loopback

ENV = "CONTRACT_ALLOW_SPEND"
#: The operations that cost nothing and store nothing: reads of presets, usage, an upload URL,
#: and the status and download URL of a task (of unknown ids, against an account with no task).
FREE_OPERATIONS = frozenset(
    {"listPresets", "getCreditUsage", "getUploadUrl", "getTaskStatus", "getDownloadUrl"}
)


class SpendRefused(Exception):
    """A request that could spend credits (or store files) on a remote target was not sent."""


def is_loopback(base_url: str) -> bool:
    """Only a literal loopback host: the simulator's own rule for its control plane."""
    return host_is_loopback(httpx.URL(base_url).host.lower())


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

    def check_httpx(self, request: httpx.Request) -> None:
        self.check(request.method, str(request.url), request.headers.get("authorization"))

    def check_requests(self, request: requests.PreparedRequest) -> None:
        authorization = request.headers.get("Authorization")
        if isinstance(authorization, bytes):
            authorization = authorization.decode("latin-1")
        self.check(str(request.method), str(request.url), authorization)


@functools.cache
def guard_for(base_url: str, api_key: str) -> SpendGuard:
    """The one guard of a target in this process, so its reservations add up across tests."""
    return SpendGuard.from_env(base_url, api_key)


@contextmanager
def transports_guarded(guard: SpendGuard) -> Iterator[None]:
    """Every request this process sends through httpx or requests asks `guard` first."""
    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request
    requests_send = requests.adapters.HTTPAdapter.send

    def guarded_sync(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        guard.check_httpx(request)
        return sync_send(transport, request)

    async def guarded_async(
        transport: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        guard.check_httpx(request)
        return await async_send(transport, request)

    def guarded_requests(
        adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        guard.check_requests(request)
        return requests_send(adapter, request, **kwargs)

    # Patched on the classes, for the session only: every client and adapter, whoever made it.
    setattr(httpx.HTTPTransport, "handle_request", guarded_sync)  # noqa: B010
    setattr(httpx.AsyncHTTPTransport, "handle_async_request", guarded_async)  # noqa: B010
    setattr(requests.adapters.HTTPAdapter, "send", guarded_requests)  # noqa: B010
    try:
        yield
    finally:
        setattr(httpx.HTTPTransport, "handle_request", sync_send)  # noqa: B010
        setattr(httpx.AsyncHTTPTransport, "handle_async_request", async_send)  # noqa: B010
        setattr(requests.adapters.HTTPAdapter, "send", requests_send)  # noqa: B010


@contextmanager
def guarded(base_url: str, api_key: str) -> Iterator[SpendGuard]:
    """The contract session against `base_url`: guarded transports and the spend check when the
    target is remote, nothing at all when it is loopback."""
    guard = guard_for(base_url, api_key)
    if not guard.remote:
        yield guard
        return
    with transports_guarded(guard), spend_checked(guard, api_key):
        yield guard


def refusal_in(error: BaseException | None) -> SpendRefused | None:
    """The SpendRefused behind a test's error (also inside an exception group)."""
    if isinstance(error, SpendRefused):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = refusal_in(inner)
            if found is not None:
                return found
    if error is not None and error.__cause__ is not None:
        return refusal_in(error.__cause__)
    return None


@pytest.fixture(autouse=True)
def _skip_what_the_guard_refuses(request: pytest.FixtureRequest) -> None:
    """A test of one operation (an `op_id` parameter) that the guard would refuse is skipped
    before it sends anything: cheaper than refusing its first request, which Hypothesis would
    then try to shrink. Modules whose requests carry no key set `SENDS_WITHOUT_KEY = True`."""
    callspec = getattr(request.node, "callspec", None)
    op_id = callspec.params.get("op_id") if callspec is not None else None
    if not isinstance(op_id, str) or "target" not in request.fixturenames:
        return
    if getattr(request.module, "SENDS_WITHOUT_KEY", False):
        return
    target = request.getfixturevalue("target")
    reason = guard_for(target.base_url, target.api_key).refusal(op_id)
    if reason is not None:
        pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """A test stopped by the guard is skipped, with the guard's reason."""
    outcome: Any = yield
    report = outcome.get_result()
    refused = refusal_in(call.excinfo.value if call.excinfo else None)
    if refused is not None and report.failed:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {refused}")


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
