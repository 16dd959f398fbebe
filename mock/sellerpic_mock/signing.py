"""Opaque, tamper-evident tokens for presigned upload and download URLs.

A token carries its own payload (what it grants and until when) and an HMAC over it, so
validating one needs no database read; the secret lives in the data dir so URLs survive a
restart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

import orjson

_SIG_BYTES = 16


class InvalidToken(Exception):
    """The token was altered, truncated or signed with another secret."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_secret(data_dir: Path) -> bytes:
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_bytes()
    secret = secrets.token_bytes(32)
    # Owner-only: anyone holding the secret can mint upload and download URLs.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    return secret


class Signer:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest()
        return _b64(digest[:_SIG_BYTES])

    def sign(self, payload: dict[str, Any]) -> str:
        body = _b64(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS))
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str) -> dict[str, Any]:
        body, _, mac = token.partition(".")
        # Tokens come from URL paths: anything non-ASCII is forged, not a server error.
        if not body or not mac or not token.isascii():
            raise InvalidToken(token)
        if not hmac.compare_digest(mac, self._mac(body)):
            raise InvalidToken(token)
        # Bad base64, bad UTF-8 and bad JSON all raise ValueError.
        try:
            payload = orjson.loads(_unb64(body))
        except ValueError as exc:
            raise InvalidToken(token) from exc
        if not isinstance(payload, dict):
            raise InvalidToken(token)
        return payload
