"""Suite-wide plumbing: fail any test whose log records carry a reliability-suite API key.

Keys of the form `sk-<word>-SECRET-...` are used by tests/reliability; a root handler checks
every record that reaches it (message, arguments, traceback). The reliability tests lower the
root level to DEBUG (caplog.set_level) so that every record is produced and checked there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.reliability.secretscan import SecretScan


@pytest.fixture(autouse=True)
def secret_scan() -> Iterator[SecretScan]:
    scan = SecretScan()
    handler = scan.install()
    try:
        yield scan
    finally:
        logging.getLogger().removeHandler(handler)
    assert not scan.problems, scan.problems
