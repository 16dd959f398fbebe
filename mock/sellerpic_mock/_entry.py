"""The `sellerpic-mock` command: checks that the simulator extra is installed before anything
imports the server stack, so a client-only install gets one line saying what to install."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

#: The `simulator` extra of pyproject.toml by import name (tests/packaging compares the two).
SERVER_MODULES = (
    "starlette",
    "uvicorn",
    "yaml",
    "jsonschema",
    "httptools",
    "orjson",
)
INSTALL_HINT = "pip install 'sellerpic-kit[simulator]'"
EXIT_USAGE = 2


def missing_modules() -> list[str]:
    return [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]


def main(argv: Sequence[str] | None = None) -> int:
    missing = missing_modules()
    if missing:
        print(
            f"sellerpic-mock: the simulator is not installed (missing {', '.join(missing)}): "
            f"{INSTALL_HINT}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from .cli import main as serve_main

    return serve_main(argv)
