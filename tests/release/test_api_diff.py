"""`make api-diff`: the change report and release gate, run on a temporary clone of this repository.

Each test clones the repository into tmp_path (the committed HEAD), gives the clone this checkout's
`tools/api_diff.py`, `make/api.mk` and `redocly.yaml`, and links this checkout's `.venv` and
`node_modules` so nothing is installed. The checkout the tests run in is never modified.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools import api_diff

ROOT = Path(__file__).resolve().parents[2]
SPEC = "openapi/sellerpic.yaml"
STAMPS = (".make/python", ".make/npm")

pytestmark = pytest.mark.skipif(
    not (ROOT / "node_modules" / ".bin" / "redocly").exists(),
    reason="the pinned Redocly CLI is not installed (`make setup`)",
)


def installed_paths() -> dict[str, str]:
    """The editable install's .pth files: a make in the clone that reinstalled would change them."""
    site = Path(sys.prefix, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}")
    return {str(p): p.read_text() for p in site.glob("site-packages/*.pth")}


@pytest.fixture
def clone(tmp_path: Path) -> Iterator[Path]:
    before = installed_paths()
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True)
    for name in ("tools/api_diff.py", "make/api.mk", "redocly.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    (repo / ".venv").symlink_to(Path(sys.prefix))
    (repo / "node_modules").symlink_to(ROOT / "node_modules")
    # The set-up stamps exist (and make_api_diff passes them with -o): make installs nothing
    # into the shared .venv, whatever the test edits in pyproject.toml.
    (repo / ".make").mkdir()
    for stamp in STAMPS:
        (repo / stamp).touch()
    yield repo
    assert installed_paths() == before, "a make in the clone reinstalled the project"


def edit_spec(repo: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply `change` to the clone's spec. The file is rewritten by PyYAML (comments and quoting
    change); every comparison the report makes is semantic, so only `change` shows."""
    path = repo / SPEC
    spec = yaml.safe_load(path.read_text())
    change(spec)
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=1000))


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def remove_prompt(spec: dict[str, Any]) -> None:
    request = schema(spec, "InstructEditRequest")
    request["required"].remove("prompt")
    del request["properties"]["prompt"]


def regenerate(repo: Path) -> None:
    subprocess.run([sys.executable, "tools/generate.py"], cwd=repo, check=True)


def make_api_diff(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        ["make", "--no-print-directory", *(f"--old-file={s}" for s in STAMPS), "api-diff", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
    )


def set_version(repo: Path, version: str) -> None:
    version_file = repo / api_diff.VERSION_FILE
    if version_file.exists():
        text = re.sub(
            r'__version__ = "[^"]+"', f'__version__ = "{version}"', version_file.read_text()
        )
        version_file.write_text(text)
    else:
        pyproject = repo / "pyproject.toml"
        text = re.sub(r'(?m)^version = "[^"]+"', f'version = "{version}"', pyproject.read_text())
        pyproject.write_text(text)
    assert api_diff.read_version(repo) == version


def test_removing_a_required_request_field_fails_naming_operation_and_field(clone: Path) -> None:
    edit_spec(clone, remove_prompt)
    regenerate(clone)
    done = make_api_diff(clone, "BASE=HEAD")
    assert done.returncode != 0, done.stdout
    assert "change level: **major**" in done.stdout
    assert "gate: **FAIL**" in done.stdout
    breaking = [line for line in done.stderr.splitlines() if line.startswith("  ")]
    assert breaking, done.stderr
    # Redocly rates the removal as patch (the server asks for less); the generated client lost
    # the attribute callers set, which is what breaks them.
    assert any(
        line.startswith("  instructEdit: client:") and "InstructEditRequest.prompt" in line
        for line in breaking
    ), done.stderr
    assert "### `instructEdit` (POST /v1/api/generate/instructEdit)" in done.stdout
    assert (clone / "reports" / "api-diff.md").read_text() == done.stdout
    # The checkout the test runs in is untouched.
    assert (
        "prompt"
        in schema(yaml.safe_load((ROOT / SPEC).read_text()), "InstructEditRequest")["required"]
    )


def test_a_breaking_change_passes_once_the_version_is_bumped(clone: Path) -> None:
    edit_spec(clone, remove_prompt)
    regenerate(clone)
    base = api_diff.read_version(clone)
    proposed = api_diff.next_version(base, "major")
    set_version(clone, proposed)
    done = make_api_diff(clone, "BASE=HEAD")
    assert done.returncode == 0, done.stderr
    assert "## Breaking changes" in done.stdout
    assert f"proposed next version: **{proposed}**" in done.stdout
    assert "**Breaking:** instructEdit: client:" in done.stdout


def test_adding_an_optional_response_field_passes_and_proposes_a_minor_bump(clone: Path) -> None:
    def add_currency(spec: dict[str, Any]) -> None:
        schema(spec, "CreditUsage")["properties"]["currency"] = {
            "type": "string",
            "maxLength": 16,
            "description": "Unit of the amounts.",
        }

    edit_spec(clone, add_currency)
    regenerate(clone)
    done = make_api_diff(clone, "BASE=HEAD")
    assert done.returncode == 0, done.stdout + done.stderr
    base = api_diff.read_version(clone)
    assert "change level: **minor**" in done.stdout
    assert f"proposed next version: **{api_diff.next_version(base, 'minor')}**" in done.stdout
    assert api_diff.parse_version(api_diff.next_version(base, "minor"))[1] == (
        api_diff.parse_version(base)[1] + 1
    )
    section = done.stdout.split("### `getCreditUsage` (GET /v1/api/usage)")[1].split("###")[0]
    assert "| spec | minor |" in section and "currency" in section
    assert "| client | minor |" in section and "CreditUsage.currency" in section
    assert "## Breaking changes" not in done.stdout


def test_an_evidence_move_is_reported_for_its_operation(clone: Path) -> None:
    before: list[str] = []

    def documented(spec: dict[str, Any]) -> None:
        request = schema(spec, "RemoveBackgroundRequest")
        before.append(request["x-evidence"]["source"])
        request["x-evidence"] = {"source": "documented"}

    edit_spec(clone, documented)
    assert before[0] != "documented"
    done = make_api_diff(clone, "BASE=HEAD")
    assert done.returncode == 0, done.stderr
    section = done.stdout.split("### `removeBackground`")[1].split("###")[0]
    assert f"| evidence | patch | `RemoveBackgroundRequest`: {before[0]} -> documented |" in section


def test_a_clean_clone_without_tags_compares_head_with_itself(clone: Path) -> None:
    assert not subprocess.run(
        ["git", "tag", "--list", "v*"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    started = time.monotonic()
    done = make_api_diff(clone)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "API change report: `HEAD`" in done.stdout
    assert "No change to the spec" in done.stdout
    assert elapsed < 30  # a bound against a hang, not a performance claim


def test_the_latest_release_tag_is_the_default_base(clone: Path) -> None:
    subprocess.run(["git", "tag", "v0.0.9"], cwd=clone, check=True)
    assert api_diff.default_base(clone) == "v0.0.9"


def test_without_a_tag_ci_compares_with_the_merge_base_of_main(clone: Path) -> None:
    subprocess.run(["git", "branch", "trunk"], cwd=clone, check=True)
    subprocess.run(["git", "checkout", "--quiet", "-b", "feature"], cwd=clone, check=True)
    (clone / "notes.txt").write_text("a commit of the branch\n")
    subprocess.run(["git", "add", "notes.txt"], cwd=clone, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "branch"],
        cwd=clone,
        check=True,
    )
    trunk = subprocess.run(
        ["git", "rev-parse", "trunk"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert api_diff.default_base(clone, ("no-such-ref", "trunk")) == trunk
    assert api_diff.default_base(clone, ("no-such-ref",)) == "HEAD"


def test_a_parameter_removed_from_a_layer_method_names_its_operation(clone: Path) -> None:
    client = clone / "src" / "sellerpic" / "_create_methods.py"
    text = client.read_text()
    old = "        scene_id: str | None = None,\n        expression: str | None = None,\n"
    assert text.count(old) == 1
    client.write_text(text.replace(old, "        scene_id: str | None = None,\n"))
    done = make_api_diff(clone, "BASE=HEAD")
    assert done.returncode != 0
    assert any(
        line.startswith("  swapModel: sellerpic:")
        and "`expression` of `sellerpic._create_methods." in line
        for line in done.stderr.splitlines()
    ), done.stderr


def test_an_unknown_base_is_a_clear_error(clone: Path) -> None:
    done = make_api_diff(clone, "BASE=no-such-ref")
    assert done.returncode != 0
    assert "api-diff: git rev-parse" in done.stderr and "no-such-ref" in done.stderr


@pytest.mark.parametrize(
    ("base", "level", "expected"),
    [
        ("0.1.0", "major", "0.2.0"),
        ("0.1.3", "minor", "0.2.0"),
        ("0.1.3", "patch", "0.1.4"),
        ("1.4.2", "major", "2.0.0"),
        ("1.4.2", "minor", "1.5.0"),
        ("1.4.2", "patch", "1.4.3"),
        ("1.4.2", "none", "1.4.2"),
    ],
)
def test_next_version_follows_the_policy(base: str, level: str, expected: str) -> None:
    assert api_diff.next_version(base, level) == expected
