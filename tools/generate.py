"""Regenerate what the spec produces, or check that it is up to date.

Two outputs: `generated/sellerpic_client` (openapi-python-client) and the JSON copy of the spec
bundled in `sellerpic_spec` (read by the client and the simulator, which need no YAML parser).

Generation always happens in a fresh temporary folder outside the repository, so that the
post-hooks' ruff sees no project configuration and the output depends only on the spec, the
generator config and the pinned tool versions. `--check` compares that output with the committed
copy and prints a unified diff of every difference.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "sellerpic.yaml"
CONFIG = ROOT / "generator-config.yaml"
PACKAGE = "sellerpic_client"
TARGET = ROOT / "generated" / PACKAGE
BUNDLED_SPEC = ROOT / "spec" / "sellerpic_spec" / "sellerpic.json"


def bundled_spec_text() -> str:
    """The spec as the JSON `sellerpic_spec` reads: same content, keys in the YAML's order."""
    import yaml

    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def generate_into(workdir: Path) -> Path:
    """Run openapi-python-client in `workdir`; return the generated package folder."""
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [
        str(bindir / "openapi-python-client"),
        "generate",
        "--path",
        str(SPEC),
        "--config",
        str(CONFIG),
        "--meta",
        "none",
        "--fail-on-warning",
    ]
    done = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    output = done.stdout + done.stderr
    if done.returncode != 0 or "Warning" in output or "warning" in output:
        sys.stderr.write(output)
        raise SystemExit(f"generation failed (exit {done.returncode})")
    package = workdir / PACKAGE
    # PEP 561 marker: with `--meta none` the generator writes none, and without it mypy in a
    # user's project treats the installed client as untyped.
    (package / "py.typed").write_text("")
    return package


def tree_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".ruff_cache" not in p.parts
    }


def diff_trees(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    lines: list[str] = []
    for name in sorted(expected.keys() | actual.keys()):
        old = actual.get(name)
        new = expected.get(name)
        if old == new:
            continue
        old_lines = old.decode().splitlines(keepends=True) if old is not None else []
        new_lines = new.decode().splitlines(keepends=True) if new is not None else []
        lines.extend(
            difflib.unified_diff(
                old_lines,
                new_lines,
                fromfile=f"generated/{PACKAGE}/{name}" if old is not None else "/dev/null",
                tofile=f"regenerated/{PACKAGE}/{name}" if new is not None else "/dev/null",
            )
        )
    return lines


def diff_bundled_spec(expected: str) -> list[str]:
    actual = BUNDLED_SPEC.read_text(encoding="utf-8") if BUNDLED_SPEC.exists() else ""
    name = str(BUNDLED_SPEC.relative_to(ROOT))
    return list(
        difflib.unified_diff(
            actual.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            fromfile=name,
            tofile=f"regenerated/{name}",
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ is out of date")
    args = parser.parse_args()
    bundled = bundled_spec_text()
    with tempfile.TemporaryDirectory(prefix="sellerpic-gen-") as tmp:
        fresh = generate_into(Path(tmp))
        if args.check:
            diff = diff_trees(tree_files(fresh), tree_files(TARGET) if TARGET.exists() else {})
            diff.extend(diff_bundled_spec(bundled))
            if diff:
                sys.stdout.writelines(diff)
                print(
                    f"\ngenerated/ or {BUNDLED_SPEC.relative_to(ROOT)} is out of date with"
                    " openapi/sellerpic.yaml or generator-config.yaml: run `make generate` and"
                    " commit the result.",
                    file=sys.stderr,
                )
                return 1
            print(f"generated/ and {BUNDLED_SPEC.relative_to(ROOT)} are up to date")
            return 0
        BUNDLED_SPEC.write_text(bundled, encoding="utf-8")
        print(f"generated {BUNDLED_SPEC.relative_to(ROOT)}")
        if TARGET.exists():
            shutil.rmtree(TARGET)
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, TARGET, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
        print(f"generated {TARGET.relative_to(ROOT)}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
