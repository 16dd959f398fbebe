"""Fixtures of the contract suite: the target server, the loaded spec and the schemathesis schema.

The target is Prism, started here on a free port, unless `CONTRACT_BASE_URL` (or
`--contract-base-url`) points the suite at another server; then nothing is started.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from PIL import Image
from schemathesis.schemas import BaseSchema

from contract_tests.checking import (
    PRISM_EXCLUDED_CHECKS,
    ROOT,
    SERVER_EXCLUDED_CHECKS,
    SPEC_PATH,
    VIEWS,
    build_schema,
    contract_spec,
    operations,
)
from contract_tests.prism import PrismServer, prism_available
from contract_tests.spend_guard import (  # noqa: F401 - the fixture and hook register here
    _skip_what_the_guard_refuses,
    guard_for,
    guarded,
    pytest_runtest_makereport,
)
from sellerpic_mock.testing import serve_in_subprocess

REPORTS = ROOT / "reports"
#: Generated cases sent this session, by HTTP status; reported at the end and checked against
#: --contract-min-cases so a CI promise like "at least 2,000 cases" cannot silently shrink.
CASES: Counter[int] = Counter()
DEFAULT_API_KEY = "contract-test-key"


def contract_settings(max_examples: int, **overrides: Any) -> settings:
    """Deterministic hypothesis settings: the same cases on every run and machine, no database."""
    values: dict[str, Any] = {
        "max_examples": max_examples,
        "derandomize": True,
        "database": None,
        "deadline": None,
        "print_blob": True,
        "phases": [Phase.explicit, Phase.generate, Phase.shrink],
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
    }
    values.update(overrides)
    return settings(**values)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "contract tests")
    group.addoption(
        "--contract-base-url",
        default=os.environ.get("CONTRACT_BASE_URL", ""),
        help="server to test instead of a Prism started by the suite (env CONTRACT_BASE_URL)",
    )
    group.addoption(
        "--contract-target",
        choices=["auto", "prism", "server", "simulator"],
        default=os.environ.get("CONTRACT_TARGET", "auto"),
        help="what the base URL serves: 'prism' enables the Prism-only tests and exclusions; "
        "'simulator' starts the offline simulator (sellerpic-mock) and tests it "
        "(env CONTRACT_TARGET; auto = prism unless a base URL is given)",
    )
    group.addoption(
        "--contract-view",
        choices=["auto", *VIEWS],
        default=os.environ.get("CONTRACT_VIEW", "auto"),
        help="which spec answers are checked against: 'full' (this project's guesses included), "
        "'vendor' (only what the vendor documents); auto = full for Prism and the simulator, "
        "vendor for any other server (env CONTRACT_VIEW)",
    )
    group.addoption(
        "--contract-exclude-checks",
        default=os.environ.get("CONTRACT_EXCLUDE_CHECKS"),
        help="comma-separated schemathesis checks to exclude (env CONTRACT_EXCLUDE_CHECKS; "
        f"default {','.join(PRISM_EXCLUDED_CHECKS)} against Prism, "
        f"{','.join(SERVER_EXCLUDED_CHECKS)} elsewhere)",
    )
    group.addoption(
        "--contract-min-cases",
        type=int,
        default=int(os.environ.get("CONTRACT_MIN_CASES", "0")),
        help="fail the session when fewer generated cases were sent (env CONTRACT_MIN_CASES)",
    )
    group.addoption(
        "--contract-max-examples",
        type=int,
        default=int(os.environ.get("CONTRACT_MAX_EXAMPLES", "15")),
        help="hypothesis examples per operation and generation mode (env CONTRACT_MAX_EXAMPLES)",
    )


@dataclass
class Target:
    base_url: str
    api_key: str
    is_prism: bool
    excluded_checks: tuple[str, ...]
    max_examples: int
    server: PrismServer | None  # the Prism this session started, if any
    #: True when this session started the simulator itself, with `simulator_args`.
    simulator_started: bool = False
    #: The spec view answers are checked against (checking.VIEWS).
    view: str = "full"

    @property
    def auth_headers(self) -> dict[str, str]:
        """Passed to schemathesis so it knows the key is the caller's, not a generated value."""
        return {"Authorization": f"Bearer {self.api_key}"}

    def http(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=10.0,
            **kwargs,
        )


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    config = request.config
    base_url: str = config.getoption("--contract-base-url").rstrip("/")
    kind: str = config.getoption("--contract-target")
    is_prism = kind == "prism" or (kind == "auto" and not base_url)
    excluded_opt: str | None = config.getoption("--contract-exclude-checks")
    if excluded_opt is None:
        excluded = PRISM_EXCLUDED_CHECKS if is_prism else SERVER_EXCLUDED_CHECKS
    else:
        excluded = tuple(name.strip() for name in excluded_opt.split(",") if name.strip())
    api_key = os.environ.get("CONTRACT_API_KEY", DEFAULT_API_KEY)
    max_examples: int = config.getoption("--contract-max-examples")
    view = choose_view(config.getoption("--contract-view"), is_prism=is_prism, kind=kind)

    server: PrismServer | None = None
    stack = ExitStack()
    simulator_started = kind == "simulator" and not base_url
    if simulator_started:
        log = stack.enter_context((REPORTS / "simulator.log").open("w"))
        served = serve_in_subprocess(*simulator_args(api_key), stderr=log)
        base_url, _ = stack.enter_context(served)
    elif not base_url:
        if not prism_available():
            pytest.skip("Prism is not installed (`make setup`) and CONTRACT_BASE_URL is not set")
        server = PrismServer(SPEC_PATH, log_path=REPORTS / "prism.log")
        base_url = server.start()
    stack.enter_context(guarded(base_url, api_key))  # no credits spent on a remote host
    try:
        yield Target(
            base_url,
            api_key,
            is_prism,
            excluded,
            max_examples,
            server,
            simulator_started=simulator_started,
            view=view,
        )
    finally:
        if server is not None:
            server.stop()
        stack.close()


def choose_view(option: str, *, is_prism: bool, kind: str) -> str:
    """Prism and the simulator implement this spec's guesses, so they are held to all of it; any
    other server only to what the vendor documents, so an invented limit never fails it."""
    if option != "auto":
        return option
    return "full" if is_prism or kind == "simulator" else "vendor"


def skip_unless_in_view(schema: BaseSchema, op_id: str) -> None:
    if op_id not in operations(schema.raw_schema):
        pytest.skip(f"{op_id} is not in the vendor-only view (it or its path is inferred)")


def simulator_args(api_key: str) -> list[str]:
    """An ephemeral simulator with credits for thousands of tasks, whose tasks finish the moment
    they are created.

    Instant tasks make every answer a function of the request alone: the stateful test's links
    always find `data.id` and `resultList`, and no create meets the concurrency limit. With tasks
    that take time, whether an answer carries those depends on timing, Hypothesis draws different
    data when it replays a case, and the run fails with FlakyStrategyDefinition. CREATED and
    RUNNING answers are checked against the spec in tests/mock/test_workflow.py.
    """
    return [
        "--ephemeral",
        "--no-demo-key",
        "--api-key",
        f"{api_key}:100000000",
        "--created-seconds",
        "0",
        "--running-seconds",
        "0",
        "--log-level",
        "warning",
    ]


@pytest.fixture(autouse=True)
def _prism_alive(request: pytest.FixtureRequest) -> None:
    """Restart the session's Prism when a previous test crashed it, so one crash fails one test."""
    if "target" not in request.fixturenames:
        return
    target: Target = request.getfixturevalue("target")
    if target.server is not None and target.server.ensure_running():
        request.node.add_report_section(
            "setup", "prism", f"Prism had died and was restarted ({target.server.restarts} so far)"
        )


@pytest.fixture
def prism_only(target: Target) -> None:
    if not target.is_prism:
        pytest.skip("needs Prism's `Prefer` header (target is not Prism)")
    if target.view != "full":
        pytest.skip("checks the spec's own examples, which only the full view holds")


@pytest.fixture(scope="session")
def spec(target: Target) -> dict[str, Any]:
    """The spec of the chosen view (see checking.contract_spec)."""
    return contract_spec(target.view)


@pytest.fixture(scope="session")
def contract_schema(spec: dict[str, Any], target: Target) -> BaseSchema:
    return build_schema(
        spec,
        base_url=target.base_url,
        api_key=target.api_key,
        excluded_checks=target.excluded_checks,
    )


@pytest.fixture
def http(target: Target) -> Iterator[httpx.Client]:
    with target.http() as client:
        yield client


def pytest_configure(config: pytest.Config) -> None:
    Path(REPORTS).mkdir(exist_ok=True)


def upload_to_target(target: Target, data: bytes) -> str:
    """Store a file on the target through the presigned flow; return its file key."""
    with target.http() as http:
        answer = http.get("/v1/api/upload/url", params={"format": "png"})
        answer.raise_for_status()
        data_part = answer.json()["data"]
        put = httpx.put(
            data_part["imageUrl"],
            content=data,
            headers={"Content-Type": "application/octet-stream"},
            timeout=10.0,
        )
        put.raise_for_status()
    key: str = data_part["fileKey"]
    return key


@pytest.fixture(scope="session")
def server_file_keys(target: Target) -> dict[str, str] | None:
    """Real file keys on a stateful target (None against Prism, which stores nothing).

    A 320 px square image (big enough for imageToVideo's 300 px short edge) and its
    black-and-white mask of the same size, so every create operation can succeed.
    """
    if target.is_prism or guard_for(target.base_url, target.api_key).refusal("uploadFile"):
        return None
    image = Image.new("RGB", (320, 320), (200, 80, 40))
    mask = Image.new("L", (320, 320), 0)
    mask.paste(255, (80, 80, 240, 240))
    return {
        "image": upload_to_target(target, png(image)),
        "mask": upload_to_target(target, png(mask)),
    }


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CASES:
        total = sum(CASES.values())
        by_status = ", ".join(f"{code}: {n}" for code, n in sorted(CASES.items()))
        terminalreporter.write_line(f"contract: {total} generated cases sent ({by_status})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    wanted: int = session.config.getoption("--contract-min-cases")
    total = sum(CASES.values())
    if wanted and total < wanted and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\ncontract: only {total} generated cases were sent, fewer than {wanted}")
