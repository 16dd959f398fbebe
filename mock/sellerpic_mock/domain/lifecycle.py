"""Task state on the simulated clock: CREATED -> RUNNING -> SUCCESS | FAILED.

State is derived from the task's timestamps when someone looks, so no background worker is
needed; the first look after the finish time persists the outcome and refunds failed items,
exactly once even under concurrent polls.
"""

from __future__ import annotations

from ..clock import Clock
from ..storage.db import ResultRow, Store, TaskRow
from .accounts import Account
from .credits import Credits

CREATED = "CREATED"
RUNNING = "RUNNING"
SUCCESS = "SUCCESS"
FAILED = "FAILED"
#: errorCode of a failed item; the vendor's codes are undocumented, any non-zero value is an error.
GENERATION_FAILED = 50001
GENERATION_FAILED_MSG = "Generation failed, the credit was refunded."


class Lifecycle:
    def __init__(self, store: Store, credits: Credits, clock: Clock) -> None:
        self._store = store
        self._credits = credits
        self._clock = clock

    def now(self) -> float:
        return self._clock.now()

    @staticmethod
    def status(task: TaskRow, result: ResultRow, now: float) -> str:
        if result.status is not None:
            return result.status
        if now < task.running_at:
            return CREATED
        if now < task.finish_at:
            return RUNNING
        return FAILED if result.fails else SUCCESS

    def settle_if_due(self, task: TaskRow, now: float) -> bool:
        """Persist the outcome of a finished task; True when this call did it."""
        if task.settled or now < task.finish_at:
            return False
        results = self._store.results(task.id)
        outcome = {r.id: FAILED if r.fails else SUCCESS for r in results}
        refund = sum(r.credits for r in results if r.fails)
        with self._store.transaction():
            if not self._store.settle(task.id, outcome):
                return False
            self._credits.refund(task.account_id, refund)
        return True

    def settle_due(self, account: Account) -> None:
        """Settle every finished task of the account, so its credit balance is current.

        Creates do not settle (the in-flight count reads finish times, not statuses): refunds
        are applied when the balance is read, or when a charge would otherwise fail.
        """
        with self._store.transaction():
            refund = self._store.settle_due(account.id, self.now(), SUCCESS, FAILED)
            self._credits.refund(account, refund)
