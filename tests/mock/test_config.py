"""Config file and command-line parsing."""

from __future__ import annotations

from pathlib import Path

from sellerpic_mock.cli import _parser, config_from_args
from sellerpic_mock.config import DEMO_API_KEY, load_config_file


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
