"""Identifiers shaped like the real API's."""

from __future__ import annotations

import hashlib
import random
import time

# 19-digit numbers that fit a signed 64-bit integer (the docs' int64), as account ids.
_LOW = 10**18
_SPAN = 8 * 10**18
# Ids only need to be unique, not secret (another account's id answers 404 anyway), and a
# seeded generator is a fraction of the cost of the OS's on the create path.
_random = random.Random()

# The real ids look like Snowflake ids: with Twitter's epoch the docs' example
# 1956366543768004069 decodes to 2025-08-15 14:45 UTC. Milliseconds since that epoch, then
# 10 bits of generator, then a 12-bit sequence.
_EPOCH_MS = 1288834974657
_GENERATOR = _random.getrandbits(10)
_SEQUENCES = 1 << 12


class _Snowflakes:
    """Increasing ids: B-tree inserts land on the last page instead of a random one, so a
    commit writes a few pages however many tasks it holds. The generator bits are random per
    process, so two processes (or a restart within the same millisecond) do not collide."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._sequence = -1

    def take(self, count: int) -> range:
        """`count` consecutive ids, all in one millisecond."""
        if not 0 < count <= _SEQUENCES:
            raise ValueError(f"count: {count}; between 1 and {_SEQUENCES} ids at a time")
        ms = int(time.time() * 1000) - _EPOCH_MS
        if ms > self._last_ms:
            first = 0
        else:
            ms, first = self._last_ms, self._sequence + 1
            if first + count > _SEQUENCES:
                ms, first = ms + 1, 0  # the millisecond's ids are used up: borrow the next one
        self._last_ms, self._sequence = ms, first + count - 1
        base = (ms << 22) | (_GENERATOR << 12)
        return range(base + first, base + first + count)


_snowflakes = _Snowflakes()


def new_ids(count: int) -> list[str]:
    """`count` fresh task or result ids, increasing: 19 digits each, sent as strings because
    they exceed 2^53. A create draws its task's and its results' ids in one call."""
    return [str(number) for number in _snowflakes.take(count)]


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
