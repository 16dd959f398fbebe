"""Per-account, per-task-type concurrency limits (x-concurrency-limit in the spec)."""

from __future__ import annotations

from ..spec import Operation
from ..storage.db import Store
from .accounts import Account
from .errors import concurrency_limit


class Limits:
    def __init__(self, store: Store) -> None:
        self._store = store

    def in_progress(self, account: Account, operation: str, now: float) -> int:
        # A task is CREATED or RUNNING exactly while its finish time lies ahead, so the count
        # needs no per-task status column and no background updater.
        return self._store.count_in_progress(account.id, operation, now)

    def check(self, account: Account, operation: Operation, now: float, forced: bool) -> None:
        limit = operation.concurrency_limit
        if forced or self.in_progress(account, operation.operation_id, now) >= limit:
            raise concurrency_limit(operation.operation_id, limit)
