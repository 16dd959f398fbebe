"""The extras in pyproject.toml agree with what the code checks for and imports."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from sellerpic_mock._entry import SERVER_MODULES

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: Distribution name -> import name, where they differ.
IMPORT_NAME = {"pyyaml": "yaml"}


def names(requirements: list[str]) -> set[str]:
    found = set()
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9_.-]+", requirement)
        assert match, requirement
        found.add(match.group(0).lower())
    return found


def test_launcher_checks_every_package_of_the_extra() -> None:
    # Requirements with an environment marker (uvloop: not on Windows) are not checked.
    extra = names([r for r in PROJECT["optional-dependencies"]["simulator"] if ";" not in r])
    assert set(SERVER_MODULES) == {IMPORT_NAME.get(name, name) for name in extra}


def test_base_install_has_no_simulator_only_package() -> None:
    base = names(PROJECT["dependencies"])
    simulator_only = names(PROJECT["optional-dependencies"]["simulator"]) - {"pyyaml"}
    assert not base & simulator_only
    assert "av" not in base | simulator_only


def test_video_extra_is_the_simulator_and_pyav() -> None:
    video = PROJECT["optional-dependencies"]["simulator-video"]
    assert names(video) == {"sellerpic-kit", "av"}
    assert "sellerpic-kit[simulator]" in video
