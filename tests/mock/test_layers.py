"""Imports inside the simulator run one way: routes -> domain -> storage; the spec reader and
the fault injection stand beside them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sellerpic_mock

PACKAGE = Path(sellerpic_mock.__file__).parent


def imported(module: Path) -> set[str]:
    """The sellerpic_mock modules `module` imports, as dotted names under the package."""
    parts = module.relative_to(PACKAGE).with_suffix("").parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(parts[: len(parts) - node.level])
            target = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            found.add(target)
            found.update(f"{target}.{alias.name}".strip(".") for alias in node.names)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in getattr(node, "names", [])]
            found.update(
                name.removeprefix("sellerpic_mock.")
                for name in names
                if name.startswith("sellerpic_mock.")
            )
    return found


def modules(where: str) -> list[Path]:
    path = PACKAGE / where
    return sorted(path.glob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


@pytest.mark.parametrize(
    ("importer", "forbidden"),
    [
        ("spec", "domain"),
        ("routes", "faults"),
        ("faults", "routes"),
        ("routes", "storage"),
        ("domain", "routes"),
        ("storage", "domain"),
    ],
)
def test_no_import_against_the_layers(importer: str, forbidden: str) -> None:
    for module in modules(importer):
        bad = {name for name in imported(module) if name.split(".")[0] == forbidden}
        assert not bad, f"{module.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_the_check_sees_imports() -> None:
    # The check itself must be able to fail: routes do import the domain.
    assert any(
        name.startswith("domain") for module in modules("routes") for name in imported(module)
    )
