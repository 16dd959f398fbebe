"""The status items of settled tasks, kept: the one cache the simulator holds for the
mock-speed benchmark (issue 15; the numbers are in BENCHMARKS.md).

A settled task's items cannot change: its results' statuses are stored when it settles, the
control plane forces outcomes only on unfinished tasks, the URLs are signed at the finish time
with the data dir's secret, and a reset builds new services (and so a new cache). What a poll
still does each time is everything that is about the request: the key is checked, the query
validated, the task's owner compared, the journal written.
"""

from __future__ import annotations

from typing import Any, NamedTuple

#: Settled tasks kept before the cache starts over (a poll after that reads the store again).
MAX_SETTLED = 10_000


class _Entry(NamedTuple):
    account_id: int
    base_url: str
    items: list[dict[str, Any]]


class SettledAnswers:
    def __init__(self, limit: int = MAX_SETTLED) -> None:
        self._limit = limit
        self._entries: dict[str, _Entry] = {}

    def get(self, task_id: str, account_id: int, base_url: str) -> list[dict[str, Any]] | None:
        """The items of a settled task as this account saw them at this origin, or None."""
        entry = self._entries.get(task_id)
        if entry is None or entry.account_id != account_id or entry.base_url != base_url:
            return None
        return entry.items

    def keep(
        self, task_id: str, account_id: int, base_url: str, items: list[dict[str, Any]]
    ) -> None:
        """Remember the items of a task that is settled (every result's status is stored)."""
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[task_id] = _Entry(account_id, base_url, items)

    def __len__(self) -> int:
        return len(self._entries)
