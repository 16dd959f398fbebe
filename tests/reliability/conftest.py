"""Reliability suites: DEBUG logging everywhere, so the secret scan sees every record."""

from __future__ import annotations

import logging
import os

import pytest

#: The long variants run only through `make soak`.
LONG = os.environ.get("SELLERPIC_RELIABILITY_LONG") == "1"


@pytest.fixture(autouse=True)
def _debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
