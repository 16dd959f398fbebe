"""Credit balance: charged when a task is created, refunded per failed result."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.db import Store
from .accounts import Account
from .errors import insufficient_credits
from .meter import current_meter


@dataclass(frozen=True)
class Usage:
    remaining: int
    total: int
    usage: int


class Credits:
    def __init__(self, store: Store) -> None:
        self._store = store

    def usage(self, account: Account) -> Usage:
        total, used = self._store.credits(account.id)
        return Usage(remaining=total - used, total=total, usage=used)

    def try_charge(self, account: Account, amount: int) -> bool:
        """Take `amount` if the balance covers it (the store checks and charges in one unit)."""
        if not amount:
            return True
        if not self._store.try_charge(account.id, amount):
            return False
        meter = current_meter.get()
        if meter is not None:
            meter.charged += amount
        return True

    def charge(self, account: Account, amount: int) -> None:
        """Take `amount` or raise 30004."""
        if not self.try_charge(account, amount):
            raise insufficient_credits(amount, self.usage(account).remaining)

    def refund(self, account: Account | int, amount: int) -> None:
        if amount:
            account_id = account if isinstance(account, int) else account.id
            self._store.refund(account_id, amount)
            meter = current_meter.get()
            if meter is not None:
                meter.refunded += amount
