"""Stateful offline simulator of the SellerPic AI API.

`create_app(MockConfig(...))` gives an ASGI app; `sellerpic-mock serve` (or
`python -m sellerpic_mock serve`) runs it with uvicorn. See mock/README.md.

The names below are imported on first use, so that importing the package (as the
`sellerpic-mock` launcher does) needs none of the `simulator` extra's server packages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .clock import Clock, FakeClock, SystemClock
    from .config import DEMO_API_KEY, MockConfig

__all__ = ["DEMO_API_KEY", "Clock", "FakeClock", "MockConfig", "SystemClock", "create_app"]

_MODULE_OF = {
    "DEMO_API_KEY": "config",
    "Clock": "clock",
    "FakeClock": "clock",
    "MockConfig": "config",
    "SystemClock": "clock",
    "create_app": "app",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    except ModuleNotFoundError as exc:
        from ._entry import INSTALL_HINT, SERVER_MODULES

        if exc.name not in SERVER_MODULES:
            raise
        raise ModuleNotFoundError(
            f"sellerpic_mock.{name} needs {exc.name}, part of the simulator extra: {INSTALL_HINT}",
            name=exc.name,
        ) from exc
    globals()[name] = value
    return value
