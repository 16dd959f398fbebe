"""Imports run one way: the client and the simulator share facts through `sellerpic_spec` only.

`src/sellerpic` never imports `sellerpic_mock`, `mock/sellerpic_mock` never imports `sellerpic`,
and `sellerpic_spec` imports neither, not even lazily: every `import`, `from ... import`,
`importlib.import_module("...")` and `__import__("...")` in every module is read with `ast`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package folder -> the top-level packages it must never import
FORBIDDEN = {
    ROOT / "src" / "sellerpic": {"sellerpic_mock"},
    ROOT / "mock" / "sellerpic_mock": {"sellerpic"},
    ROOT / "spec" / "sellerpic_spec": {"sellerpic", "sellerpic_mock", "sellerpic_client"},
}


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) for each import in the tree, dynamic ones named by a string included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def violations(package: Path, forbidden: set[str]) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in sorted(imported_modules(tree)):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(package.parent)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", list(FORBIDDEN), ids=lambda p: p.name)
def test_no_import_against_the_layers(package: Path) -> None:
    assert list(package.rglob("*.py")), f"no modules under {package}"
    assert violations(package, FORBIDDEN[package]) == []


def test_the_check_sees_every_form_of_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text(
        "import sellerpic_mock\n"
        "import sellerpic_mock.cli as cli\n"
        "from sellerpic_mock.testing import image_bytes\n"
        "def f():\n"
        "    import importlib\n"
        "    importlib.import_module('sellerpic_mock.cli')\n"
        "    __import__('sellerpic_mock')\n"
        "from importlib import import_module\n"
        "import_module('sellerpic_mock.app')\n"
        "from . import sellerpic_mock\n"  # relative: the package's own module, allowed
        "import sellerpic_mockery\n"  # another package whose name starts the same, allowed
    )
    assert [v.split(" imports ")[1] for v in violations(package, {"sellerpic_mock"})] == [
        "sellerpic_mock",
        "sellerpic_mock.cli",
        "sellerpic_mock.testing",
        "sellerpic_mock.cli",
        "sellerpic_mock",
        "sellerpic_mock.app",
    ]
