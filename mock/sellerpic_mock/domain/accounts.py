"""API keys and the accounts behind them."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.db import Store
from .errors import unauthorized
from .ids import account_id_for


@dataclass(frozen=True)
class Account:
    id: int
    api_key: str


class Accounts:
    def __init__(self, store: Store, keys: dict[str, int], refused: list[str]) -> None:
        self._store = store
        for api_key, credits in keys.items():
            store.upsert_account(account_id_for(api_key), api_key, credits)
        # The account's tasks and files stay in the data dir; its key no longer opens them.
        for api_key in refused:
            store.delete_account(api_key)

    def _find(self, api_key: str) -> Account | None:
        # Keys created by an earlier run stay valid: the account and its files persist.
        account_id = self._store.account_id_for_key(api_key)
        return None if account_id is None else Account(account_id, api_key)

    @staticmethod
    def _bearer(authorization: str | None) -> str | None:
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def authenticate(self, authorization: str | None) -> Account:
        api_key = self._bearer(authorization)
        if api_key is None:
            raise unauthorized("Authorization: a bearer API key is required")
        account = self._find(api_key)
        if account is None:
            raise unauthorized("Authorization: unknown API key")
        return account

    def optional(self, authorization: str | None) -> Account | None:
        """For operations where the key is optional: none is fine, a wrong one is not."""
        if not authorization:
            return None
        return self.authenticate(authorization)
