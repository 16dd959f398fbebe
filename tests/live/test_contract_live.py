"""`make contract-live` and its spend guard, against a simulator reached under a name the guard
treats as remote (`127.1`: it reaches 127.0.0.1, but it is not a loopback literal)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contract_tests.checking import load_spec, operations
from contract_tests.spend_guard import (
    FREE_OPERATIONS,
    SpendGuard,
    SpendRefused,
    allowed_spend,
    is_loopback,
    spend_checked,
    used_credits,
)

sim = pytest.importorskip("sellerpic_mock.testing")
from sellerpic_mock.config import MockConfig  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-live-check-0123456789"
SPEC = load_spec()


@pytest.fixture
def remote_looking() -> Iterator[str]:
    """A fresh simulator whose tasks finish at once, addressed as http://127.1:PORT."""
    config = MockConfig(api_keys={KEY: 1000}, demo_key=False, created_seconds=0, running_seconds=0)
    with sim.run_server(config) as url:
        remote = url.replace("://127.0.0.1:", "://127.1:")
        assert remote != url and not is_loopback(remote)
        assert httpx.get(f"{remote}/v1/api/usage", headers={"Authorization": f"Bearer {KEY}"})
        yield remote


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://127.8.9.10", True),
        ("http://[::1]:4010", True),
        ("http://LOCALHOST:1", True),
        ("http://127.1:8080", False),  # reaches 127.0.0.1, but only by resolving it
        ("http://2130706433:80", False),
        ("http://localhost.:1", False),
        ("http://localhost.localdomain", False),
        ("https://api.sellerpic.ai", False),
        ("http://10.0.0.1", False),
    ],
)
def test_only_loopback_literals_are_local(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_the_guard_refuses_what_could_spend_on_a_remote_host() -> None:
    guard = SpendGuard(SPEC, "https://api.sellerpic.ai", KEY, allow_spend=None)
    create = "https://api.sellerpic.ai/v1/api/generate/removeBackground"
    with pytest.raises(
        SpendRefused, match=r"removeBackground could create a task on api\.sellerpic"
    ):
        guard.check("POST", create, f"Bearer {KEY}")
    with pytest.raises(SpendRefused, match="uploadAssetFile stores a file"):
        guard.check("POST", "https://api.sellerpic.ai/v1/api/upload", f"Bearer {KEY}")
    # The presigned upload never carries the key: it is refused by its operation alone.
    upload_path = re.sub(r"\{[^}]+\}", "x1", operations(SPEC)["uploadFile"].path)
    with pytest.raises(SpendRefused, match="uploadFile"):
        guard.check("PUT", f"https://api.sellerpic.ai{upload_path}?X-Amz-Signature=s", None)
    guard.check("POST", create, "Bearer not-the-key")  # a 401 case costs nothing
    guard.check("GET", "https://api.sellerpic.ai/v1/api/usage", f"Bearer {KEY}")
    guard.check("GET", "https://api.sellerpic.ai/v1/api/upload/url?format=png", f"Bearer {KEY}")
    assert all(guard.refusal(op) is None for op in FREE_OPERATIONS)
    assert guard.reserved == 0


def test_an_allowance_reserves_the_most_a_create_can_cost() -> None:
    guard = SpendGuard(SPEC, "https://api.sellerpic.ai", KEY, allow_spend=5)
    apparel = "https://api.sellerpic.ai/v1/api/generate/tryOnApparel"
    guard.check("POST", apparel, f"Bearer {KEY}")  # 4 results, 4 credits at most
    assert guard.reserved == 4
    assert guard.cost("replaceBackground") == 4 and guard.cost("removeBackground") == 1
    with pytest.raises(SpendRefused, match="4 of the CONTRACT_ALLOW_SPEND=5 allowed"):
        guard.check("POST", apparel, f"Bearer {KEY}")
    guard.check(
        "POST", "https://api.sellerpic.ai/v1/api/generate/removeBackground", f"Bearer {KEY}"
    )
    assert guard.reserved == 5


def test_loopback_targets_are_not_guarded() -> None:
    guard = SpendGuard(SPEC, "http://127.0.0.1:4010", KEY, allow_spend=None)
    guard.check("POST", "http://127.0.0.1:4010/v1/api/generate/swapModel", f"Bearer {KEY}")
    assert guard.refusal("swapModel") is None


def test_a_bad_allowance_is_a_usage_error() -> None:
    assert allowed_spend(None) is None and allowed_spend("") is None and allowed_spend("3") == 3
    with pytest.raises(pytest.UsageError, match="whole number"):
        allowed_spend("ten")


def test_spending_past_the_allowance_fails_the_session(remote_looking: str) -> None:
    guard = SpendGuard(SPEC, remote_looking, KEY, allow_spend=0)
    key = sim_upload(remote_looking)
    overspent = r"spent 1 credits .* more than CONTRACT_ALLOW_SPEND=0"
    with pytest.raises(AssertionError, match=overspent), spend_checked(guard, KEY):
        # Around the guard, as a test that forgot it would: the usage check still sees it.
        httpx.post(
            f"{remote_looking}/v1/api/generate/removeBackground",
            json={"imageKey": key},
            headers={"Authorization": f"Bearer {KEY}"},
        ).raise_for_status()


def sim_upload(base_url: str) -> str:
    auth = {"Authorization": f"Bearer {KEY}"}
    data = httpx.get(f"{base_url}/v1/api/upload/url", params={"format": "png"}, headers=auth)
    issued = data.json()["data"]
    httpx.put(issued["imageUrl"], content=sim.image_bytes((64, 64))).raise_for_status()
    return str(issued["fileKey"])


def make_contract_live(base_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "CONTRACT_"))}
    full.update(CONTRACT_BASE_URL=base_url, CONTRACT_API_KEY=KEY, CONTRACT_MAX_EXAMPLES="3")
    full.update(env)
    return subprocess.run(
        ["make", "--no-print-directory", "--old-file=.make/python", "contract-live"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=full,
        timeout=600,
    )


def test_contract_live_creates_no_task_without_an_allowance(remote_looking: str) -> None:
    done = make_contract_live(remote_looking, PYTEST_ADDOPTS="-rs -k 'not broken_spec'")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert used_credits(remote_looking, KEY) == 0
    assert "removeBackground could create a task on 127.1, which is not loopback" in done.stdout
    assert "passed" in done.stdout


def test_contract_live_spends_at_most_the_allowance(remote_looking: str) -> None:
    done = make_contract_live(
        remote_looking,
        CONTRACT_ALLOW_SPEND="2",
        PYTEST_ADDOPTS="-rs -k 'test_generated_requests and instructEdit'",
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    spent = used_credits(remote_looking, KEY)
    assert 1 <= spent <= 2, done.stdout[-3000:]
    assert "CONTRACT_ALLOW_SPEND=2 allowed are reserved: not sent" in done.stdout
