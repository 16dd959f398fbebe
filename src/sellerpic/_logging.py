"""The layer's logger, `sellerpic`, and how it is shown: `SELLERPIC_LOG` and the CLI's
`--log-level`. No httpx here: the CLI imports this before it knows it needs a client."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger("sellerpic")

LOG_LEVELS = ("debug", "info", "warning", "error")


def configure_logging(level: str, stream: Any = None) -> Callable[[], None]:
    """Show the layer's log on stderr at `level` (one of LOG_LEVELS): one line per request at
    info, with httpx's own lines (redacted) at debug. Used by `SELLERPIC_LOG` and the CLI's
    `--log-level`; does nothing when the application already gave `sellerpic` a handler.
    Returns what undoes it."""
    if log.handlers:
        return lambda: None
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("sellerpic %(levelname)s %(message)s"))
    names = ("sellerpic", "httpx") if level == "debug" else ("sellerpic",)
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level.upper())
        logger.addHandler(handler)

    def undo() -> None:
        for logger, previous in zip(loggers, before, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(previous)

    return undo


def configure_logging_from_environment() -> None:
    """`SELLERPIC_LOG=info|debug|warning|error`; an unknown value is refused by name."""
    value = os.environ.get("SELLERPIC_LOG", "").strip().lower()
    if not value:
        return
    if value not in LOG_LEVELS:
        raise ValueError(f"SELLERPIC_LOG={value!r} is not one of {', '.join(LOG_LEVELS)}")
    configure_logging(value)
