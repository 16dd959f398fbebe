"""The simulators the fixtures hand out: in process on a manual clock, or served on loopback.

Both are steered and inspected through the simulator's control API (`/_sellerpic/...`), the
same calls another process or language would make, so what a test asserts here is what the
control API documents. Importing this module needs the `simulator` extra.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

import httpx
import pytest

from sellerpic import AsyncSellerPic, SellerPic
from sellerpic_mock.app import create_app
from sellerpic_mock.clock import FakeClock
from sellerpic_mock.config import MockConfig
from sellerpic_mock.domain.ids import account_id_for
from sellerpic_mock.testing import run_server

from ._clock import SimulatedTime
from ._outcomes import FailNext, FailRule
from ._transport import AppLoop, AsyncASGITransport, SyncASGITransport

#: Where an in-process simulator answers; no request leaves the process.
IN_PROCESS_URL = "http://sellerpic.simulator"
CONTROL_PREFIX = "/_sellerpic"


@dataclass(frozen=True)
class Settings:
    """What `@pytest.mark.sellerpic(...)` may set."""

    credits: int = 1000
    failure_rate: float = 0.0
    created_seconds: float = 1.0
    running_seconds: float = 3.0
    speed: float = 1.0
    #: further accounts: API key -> credits
    accounts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_marker(cls, values: Mapping[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            pytest.fail(
                f"@pytest.mark.sellerpic: unknown argument {', '.join(unknown)}; "
                f"valid: {', '.join(sorted(known))}",
                pytrace=False,
            )
        return cls(**{**values, "accounts": dict(values.get("accounts") or {})})

    def config(self, api_key: str, **extra: Any) -> MockConfig:
        return MockConfig(
            api_keys={api_key: self.credits, **self.accounts},
            demo_key=False,
            failure_rate=self.failure_rate,
            created_seconds=self.created_seconds,
            running_seconds=self.running_seconds,
            speed=self.speed,
            **extra,
        )


def new_api_key() -> str:
    return f"sk-test-{secrets.token_hex(12)}"


class _Controls:
    """The control-API calls both kinds of simulator share."""

    api_key: str
    base_url: str
    _control: httpx.Client
    _asgi: FailNext

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._control.request(method, CONTROL_PREFIX + path, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(
                f"simulator control call {method} {CONTROL_PREFIX}{path} answered "
                f"{response.status_code}: {response.text}"
            )
        return response.json() if response.content else None

    def advance(self, seconds: float) -> float:
        """Move simulated time forward: tasks progress and URLs expire as if `seconds` passed.
        Returns the simulated time after the move (epoch seconds)."""
        return float(self._call("POST", "/clock/advance", json={"seconds": seconds})["now"])

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request journal, oldest first (see the control API's `/requests`)."""
        return list(self._call("GET", "/requests")["requests"])

    def tasks(self) -> list[dict[str, Any]]:
        """Every task, newest first."""
        return list(self._call("GET", "/tasks")["tasks"])

    def accounts(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/accounts")["accounts"])

    def ledger(self, api_key: str | None = None) -> list[dict[str, Any]]:
        """Every charge and refund of an account (the default one unless `api_key`)."""
        account = account_id_for(api_key or self.api_key)
        return list(self._call("GET", f"/accounts/{account}/ledger")["entries"])

    def credits(self, api_key: str | None = None) -> int:
        """Credits remaining on an account (the default one unless `api_key`)."""
        account = str(account_id_for(api_key or self.api_key))
        for entry in self.accounts():
            if entry["id"] == account:
                return int(entry["credits"]["remaining"])
        raise AssertionError(f"no simulator account {account}")

    def add_account(self, credits: int = 1000) -> str:
        """A new account with `credits`; returns its API key."""
        key = new_api_key()
        self._call("POST", "/accounts", json={"key": key, "credits": credits})
        return key

    def fault(self, kind: str, *, operation: str | None = None, times: int = 1) -> None:
        """Inject `kind` (as the `X-Sellerpic-Mock-Fault` header offers: `drop-after`,
        `concurrency-limit`, `expired-url`, ...) into the next `times` requests of `operation`
        (an operationId such as `tryOnAccessories`; any request when None)."""
        rule: dict[str, Any] = {"fault": kind, "times": times}
        if operation is not None:
            rule["operation"] = operation
        faults = self._call("GET", "/faults")
        faults["rules"] = [*faults.get("rules", []), rule]
        self._call("PUT", "/faults", json=faults)

    def fail_next(
        self,
        operation: str,
        *,
        error_code: int = 50001,
        error_msg: str = "Generation failed (forced by the test).",
    ) -> None:
        """The next task `operation` (an operationId) creates ends FAILED at once, every result
        with this error; its credits are refunded as the real API does."""
        self._asgi.rules.append(FailRule(operation, error_code, error_msg))

    def reset(self) -> None:
        """Back to the configured accounts and credits: tasks, uploads and journal gone."""
        self._call("POST", "/reset")

    def assert_no_double_charge(self) -> None:
        """Fail when a create repeated an earlier create of the same account (a client that
        re-sent a create after losing its answer pays twice on this API)."""
        repeats = [entry for entry in self.requests if entry.get("suspected_duplicate_of")]
        if repeats:
            lines = [
                f"  {entry.get('operation')}: task {entry.get('task_id')} repeats task "
                f"{entry['suspected_duplicate_of']} (request {entry.get('id')})"
                for entry in repeats
            ]
            raise AssertionError(
                f"{len(repeats)} create(s) repeated an earlier create:\n" + "\n".join(lines)
            )


class InProcessSimulator(_Controls):
    """A simulator in this process on a manual clock. Its clients reach it without sockets
    and wait in simulated time: a pause moves the clock instead of sleeping."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api_key = new_api_key()
        self.base_url = IN_PROCESS_URL
        self.clock = FakeClock()
        self.app = create_app(settings.config(self.api_key, clock=self.clock))
        self._asgi = FailNext(self.app)
        self._loop = AppLoop()
        self._control = self._http()
        self._time = SimulatedTime(self.clock)
        self._closers: list[httpx.AsyncClient] = []

    @classmethod
    def start(cls, **marker: Any) -> InProcessSimulator:
        return cls(Settings.from_marker(marker))

    def _http(self) -> httpx.Client:
        return httpx.Client(
            transport=SyncASGITransport(self._asgi, self._loop), base_url=self.base_url
        )

    def client(self, api_key: str | None = None, **options: Any) -> SellerPic:
        """A `SellerPic` on this simulator (the default account unless `api_key`)."""
        return SellerPic(
            api_key or self.api_key,
            base_url=self.base_url,
            http_client=self._http(),
            clock=self._time,
            **options,
        )

    def async_client(self, api_key: str | None = None, **options: Any) -> AsyncSellerPic:
        """An `AsyncSellerPic` on this simulator; closed with the simulator."""
        http = httpx.AsyncClient(transport=AsyncASGITransport(self._asgi))
        self._closers.append(http)
        return AsyncSellerPic(
            api_key or self.api_key,
            base_url=self.base_url,
            http_client=http,
            clock=self._time,
            **options,
        )

    def advance(self, seconds: float) -> float:
        return self.clock.advance(seconds)

    def close(self) -> None:
        self._control.close()
        for http in self._closers:
            # The in-process transport holds nothing a loop must release.
            self._loop.run(http.aclose())
        self._loop.close()
        self.app.services.close()


class ServedSimulator(_Controls):
    """The simulator on a free loopback port, in a thread of this process; reachable from a
    subprocess or another language at `base_url` with `api_key`."""

    def __init__(self, base_url: str, api_key: str, asgi: FailNext) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self._asgi = asgi
        self.control_url = base_url + CONTROL_PREFIX
        self._control = httpx.Client(base_url=base_url, timeout=10)

    @classmethod
    @contextmanager
    def start(cls, **marker: Any) -> Iterator[ServedSimulator]:
        settings = Settings.from_marker(marker)
        api_key = new_api_key()
        config = settings.config(api_key)
        asgi = FailNext(create_app(config))
        with run_server(config, app=asgi) as url:
            server = cls(url, api_key, asgi)
            try:
                yield server
            finally:
                server._control.close()

    def client(self, api_key: str | None = None, **options: Any) -> SellerPic:
        """A `SellerPic` on this server over real loopback HTTP."""
        return SellerPic(api_key or self.api_key, base_url=self.base_url, **options)
