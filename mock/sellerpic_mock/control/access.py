"""Who may use the control plane: everyone on loopback, the holder of the admin token when the
simulator is reachable from elsewhere, nobody with `--no-admin`."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AdminAccess:
    enabled: bool
    #: None: no token needed.
    token: str | None = field(default=None, repr=False)
    #: The token was made up at start (and must be shown to the user once).
    generated: bool = False


def decide_access(loopback: bool, token: str | None, disabled: bool) -> AdminAccess:
    """The access rule of a simulator bound to a loopback address or not, given
    `--admin-token` and `--no-admin`. A token given on loopback is required too: whoever set
    one wants it checked."""
    if disabled:
        return AdminAccess(enabled=False)
    if token:
        return AdminAccess(enabled=True, token=token)
    if loopback:
        return AdminAccess(enabled=True)
    return AdminAccess(enabled=True, token=secrets.token_urlsafe(24), generated=True)


def bearer_matches(authorization: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    if not authorization:
        return False
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
