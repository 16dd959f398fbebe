"""Config file and command-line parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sellerpic_mock.cli import _parser, config_from_args, main
from sellerpic_mock.config import DEMO_API_KEY, ConfigError, MockConfig, load_config_file


def test_yaml_config_file(tmp_path: Path) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text(
        "accounts:\n  - key: sk-one\n    credits: 5\n  - key: sk-two\nfailure_rate: 0.25\n"
    )
    config = load_config_file(path)
    assert config.accounts() == {"sk-one": 5, "sk-two": 1000, DEMO_API_KEY: 1000}
    assert config.failure_rate == 0.25


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mock.json"
    path.write_text('{"accounts": {"sk-one": 5}, "speed": 2}')
    args = _parser().parse_args(
        [
            "serve",
            "--config",
            str(path),
            "--api-key",
            "sk-one:9",
            "--api-key",
            "sk-x",
            "--speed",
            "4",
            "--no-demo-key",
            "--ephemeral",
            "--credits",
            "20",
        ]
    )
    config = config_from_args(args)
    assert config.accounts() == {"sk-one": 9, "sk-x": 20}
    assert config.speed == 4 and config.data_dir is None
    assert config.running_duration == 0.75


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--speed", "0"], "speed (--speed) must be a number > 0, got 0.0"),
        (["--created-seconds", "-1"], "created_seconds (--created-seconds) must be a number >= 0"),
        (["--failure-rate", "1.5"], "failure_rate (--failure-rate) must be a share between 0"),
        (["--drop-rate", "nan"], "drop_rate (--drop-rate) must be a share between 0 and 1"),
        (["--latency", "-3"], "latency_ms (--latency) must be a number >= 0"),
        (["--credits", "-1"], "default_credits (--credits) must be a whole number >= 0"),
        (["--api-key", "sk-a:lots"], "--api-key sk-a:lots: credits must be a whole number >= 0"),
        (["--api-key", "sk-a:-5"], "--api-key sk-a:-5: credits must be a whole number >= 0"),
        (["--head-timeout", "0"], "head_timeout (--head-timeout) must be a number > 0"),
        (["--body-timeout", "-1"], "body_timeout (--body-timeout) must be a number > 0"),
        (["--max-head-bytes", "10"], "max_head_bytes (--max-head-bytes) must be a whole number"),
        (["--max-connections", "0"], "max_connections (--max-connections) must be a whole"),
    ],
)
def test_bad_flags_stop_the_start_with_the_setting_named(
    flags: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--ephemeral", "--port", "0", *flags])
    assert stopped.value.code == 2
    assert named in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("speed: fast\n", "speed (--speed) must be a number > 0, got 'fast'"),
        ("seed: 1.5\n", "seed (--seed) must be a whole number, got 1.5"),
        ("accounts:\n  sk-a: -2\n", "account 'sk-a': credits must be a whole number >= 0"),
        ("accounts:\n  - credits: 5\n", "each account needs a `key`"),
        ("accounts: sk-a\n", "accounts must be a list or a mapping"),
        ("speed: [\n", "cannot read the config file"),
        ("- speed\n", "expected a mapping at the top level"),
        ("sped: 2\n", "unknown settings ['sped']"),
    ],
)
def test_bad_config_files_name_the_file_and_the_setting(
    tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config_file(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert named in str(raised.value)


def test_a_missing_config_file_is_named() -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.yaml: cannot read the config file"):
        load_config_file(Path("/nowhere.yaml"))


def test_credits_given_as_text_in_a_file_are_read(tmp_path: Path) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text('accounts:\n  sk-a: "25"\n  sk-b:\n')
    assert load_config_file(path).api_keys == {"sk-a": 25, "sk-b": 1000}


def test_accounts_without_credits_get_the_files_default(tmp_path: Path) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text(
        "default_credits: 50\naccounts:\n  - key: sk-a\n  - key: sk-b\n    credits: 7\n"
    )
    assert load_config_file(path).api_keys == {"sk-a": 50, "sk-b": 7}


def test_instant_tasks_are_a_valid_setting() -> None:
    config = MockConfig(created_seconds=0, running_seconds=0)
    assert config.created_duration == config.running_duration == 0
