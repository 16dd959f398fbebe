"""Read-only views for the control plane: every account with its balance, tasks newest first,
and each account's ledger of charges and refunds.

The ledger is derived from the stored tasks and results, the same rows the balance is kept
from, so the two cannot disagree: a task is charged the credits of its results when it is
created, and refunded those of its failed results when it is settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..storage.db import ResultRow, Store, TaskRow
from .accounts import Account
from .lifecycle import FAILED, Lifecycle


def key_hint(api_key: str) -> str:
    """A few characters of the key, never more than a third of it: enough to tell keys apart,
    not enough to use one."""
    head = min(4, len(api_key) // 4)
    tail = min(2, len(api_key) // 8)
    return api_key[:head] + "\u2026" + (api_key[-tail:] if tail else "")


@dataclass(frozen=True)
class AccountView:
    id: int
    key_hint: str
    total: int
    used: int
    charged: int
    refunded: int

    @property
    def remaining(self) -> int:
        return self.total - self.used

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "key_hint": self.key_hint,
            "credits": {
                "total": self.total,
                "used": self.used,
                "charged": self.charged,
                "refunded": self.refunded,
                "remaining": self.remaining,
            },
        }


@dataclass(frozen=True)
class LedgerEntry:
    time: float
    task_id: str
    operation: str
    kind: str  # "charge" or "refund"
    credits: int
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "task_id": self.task_id,
            "operation": self.operation,
            "kind": self.kind,
            "credits": self.credits,
            "reason": self.reason,
        }


def task_ledger(task: TaskRow, results: list[ResultRow]) -> list[LedgerEntry]:
    """The charge of one task and, once it is settled with failed results, their refund."""
    cost = sum(r.credits for r in results)
    each = results[0].credits if results else 0
    entries = [
        LedgerEntry(
            task.created_at,
            task.id,
            task.operation,
            "charge",
            cost,
            f"{task.operation} created: {len(results)} result(s) x {each} credit(s)",
        )
    ]
    failed = [r for r in results if r.status == FAILED]
    refund = sum(r.credits for r in failed)
    if task.settled and refund:
        entries.append(
            LedgerEntry(
                task.finish_at,
                task.id,
                task.operation,
                "refund",
                refund,
                f"{len(failed)} of {len(results)} result(s) FAILED: their credits are refunded",
            )
        )
    return entries


class Overview:
    def __init__(self, store: Store, lifecycle: Lifecycle) -> None:
        self._store = store
        self._lifecycle = lifecycle

    def settle_all(self) -> None:
        """Apply every refund that is due, so balances and ledgers are current."""
        for account_id, api_key, _, _ in self._store.all_accounts():
            self._lifecycle.settle_due(Account(account_id, api_key))

    def ledger(self, account_id: int) -> list[LedgerEntry]:
        """Every charge and refund of the account, oldest first."""
        self.settle_all()
        return self._entries(account_id)

    def accounts(self) -> list[AccountView]:
        self.settle_all()
        views = []
        for account_id, api_key, total, used in self._store.all_accounts():
            entries = self._entries(account_id)
            views.append(
                AccountView(
                    account_id,
                    key_hint(api_key),
                    total,
                    used,
                    sum(e.credits for e in entries if e.kind == "charge"),
                    sum(e.credits for e in entries if e.kind == "refund"),
                )
            )
        return views

    def _entries(self, account_id: int) -> list[LedgerEntry]:
        tasks = self._store.tasks_of(account_id)
        results = self._store.results_of([t.id for t in tasks])
        entries = [entry for task in tasks for entry in task_ledger(task, results[task.id])]
        entries.sort(key=lambda entry: entry.time)
        return entries

    def account_exists(self, account_id: int) -> bool:
        return any(row[0] == account_id for row in self._store.all_accounts())

    def tasks(
        self, limit: int, account_id: int | None = None
    ) -> list[tuple[TaskRow, list[ResultRow]]]:
        """Tasks newest first with their results."""
        tasks = self._store.recent_tasks(limit, account_id)
        results = self._store.results_of([t.id for t in tasks])
        return [(task, results[task.id]) for task in tasks]
