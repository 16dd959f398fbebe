"""Who may use the control plane: the decision from the bind address and flags, and the token
check on a served simulator with a token forced (no non-loopback address is ever bound)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import httpx
import pytest

from sellerpic_mock import MockConfig
from sellerpic_mock.app import Simulator
from sellerpic_mock.cli import _parser, admin_notice, config_from_args, with_admin_access
from sellerpic_mock.config import ConfigError
from sellerpic_mock.control.access import AdminAccess, bearer_matches, decide_access
from sellerpic_mock.testing import asgi_client, run_server


def test_loopback_is_open() -> None:
    assert decide_access(loopback=True, token=None, disabled=False) == AdminAccess(True)


def test_beyond_loopback_a_token_is_generated() -> None:
    first = decide_access(loopback=False, token=None, disabled=False)
    second = decide_access(loopback=False, token=None, disabled=False)
    assert first.enabled and first.generated
    assert first.token and second.token and first.token != second.token
    assert len(first.token) >= 24


@pytest.mark.parametrize("loopback", [True, False])
def test_a_given_token_is_required_anywhere(loopback: bool) -> None:
    access = decide_access(loopback=loopback, token="adm-1", disabled=False)
    assert access == AdminAccess(True, "adm-1", generated=False)


@pytest.mark.parametrize("loopback", [True, False])
def test_no_admin_turns_it_off(loopback: bool) -> None:
    assert not decide_access(loopback=loopback, token="adm-1", disabled=True).enabled


def test_the_token_is_not_in_the_repr() -> None:
    assert "adm-secret" not in repr(decide_access(True, "adm-secret", False))
    assert "adm-secret" not in repr(MockConfig(admin_token="adm-secret"))


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ("Bearer adm-1", True),
        ("bearer  adm-1 ", True),
        ("Bearer adm-2", False),
        ("Bearer adm-1x", False),
        ("Basic adm-1", False),
        ("adm-1", False),
        ("", False),
        (None, False),
    ],
)
def test_bearer_check(header: str | None, matches: bool) -> None:
    assert bearer_matches(header, "adm-1") is matches


def _args(*flags: str) -> argparse.Namespace:
    return _parser().parse_args(["serve", *flags])


def test_flags_reach_the_config() -> None:
    config = config_from_args(
        _args("--admin-token", "adm-9", "--journal-size", "5", "--duplicate-window", "30")
    )
    assert (config.admin, config.admin_token) == (True, "adm-9")
    assert (config.journal_size, config.duplicate_window_s) == (5, 30.0)
    assert not config_from_args(_args("--no-admin")).admin


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (("--journal-size", "-1"), "journal_size (--journal-size) must be a whole number >= 0"),
        (("--duplicate-window", "-5"), "duplicate_window_s (--duplicate-window) must be"),
        (("--admin-token", " "), "admin_token (--admin-token) must be a non-empty string"),
    ],
)
def test_bad_control_flags_stop_the_start(flags: tuple[str, ...], words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        config_from_args(_args(*flags))


async def test_in_process_token_check(make_app: Callable[..., Simulator]) -> None:
    app = make_app(admin_token="adm-7")
    async with asgi_client(app, None) as admin:
        assert (await admin.get("/_sellerpic/clock")).status_code == 401
        answer = await admin.get("/_sellerpic/clock", headers={"Authorization": "Bearer adm-7"})
        assert answer.status_code == 200


def test_served_token_check_with_the_flag_forced() -> None:
    # What `serve` decides for a non-loopback bind, forced on a loopback one.
    access = decide_access(loopback=False, token=None, disabled=False)
    assert access.token is not None
    config = MockConfig(admin=access.enabled, admin_token=access.token)
    with run_server(config) as url:
        paths = ["/_sellerpic/clock", "/_sellerpic/requests", "/_sellerpic/openapi.json"]
        for path in paths:
            refused = httpx.get(url + path)
            assert refused.status_code == 401, path
            assert access.token not in refused.text
        good = {"Authorization": f"Bearer {access.token}"}
        assert all(httpx.get(url + p, headers=good).status_code == 200 for p in paths)
        # The mocked API does not take the admin token, nor need it.
        assert httpx.get(url + "/v1/api/usage", headers=good).status_code == 401
        demo = {"Authorization": "Bearer sk-sellerpic-demo"}
        assert httpx.get(url + "/v1/api/usage", headers=demo).status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_serving_beyond_loopback_needs_a_token_and_says_which(host: str) -> None:
    config, access = with_admin_access(MockConfig(), host)
    assert access.generated and config.admin_token == access.token
    notice = admin_notice("http://h:1", access)
    assert notice is not None and f"Bearer {access.token}" in notice


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_serving_on_loopback_stays_open(host: str) -> None:
    config, access = with_admin_access(MockConfig(), host)
    assert config.admin and config.admin_token is None
    assert admin_notice("http://h:1", access) is None


def test_serving_with_a_token_or_without_the_plane() -> None:
    config, access = with_admin_access(MockConfig(admin_token="adm-3"), "0.0.0.0")
    assert config.admin_token == "adm-3" and admin_notice("http://h:1", access) is None
    config, _ = with_admin_access(MockConfig(admin=False), "0.0.0.0")
    assert not config.admin
