"""Identifiers shaped like the real API's."""

from __future__ import annotations

import hashlib
import random

# 19-digit ids that still fit a signed 64-bit integer (SQLite INTEGER, the docs' int64).
_LOW = 10**18
_SPAN = 8 * 10**18
# Ids only need to be unique, not secret (another account's id answers 404 anyway), and a
# seeded generator is a fraction of the cost of the OS's on the create path.
_random = random.Random()


def new_id() -> str:
    """A fresh task or result id: 19 digits, sent as a string because it exceeds 2^53."""
    return str(_LOW + _random.randrange(_SPAN))


def new_trace_id() -> str:
    """12 hex digits, like the traceId of every real answer."""
    return f"{_random.getrandbits(48):012x}"


def account_id_for(api_key: str) -> int:
    """A stable numeric account id derived from the key, as seen inside file keys."""
    digest = hashlib.sha256(b"sellerpic-mock-account:" + api_key.encode()).digest()
    return _LOW + int.from_bytes(digest[:8], "big") % _SPAN


def unit_fraction(seed: int, name: str) -> float:
    """A deterministic number in [0, 1) for `name`: the same seed gives the same failures."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
