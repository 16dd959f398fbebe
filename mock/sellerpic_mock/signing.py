"""Presigned upload and download URLs of the shape the real API hands out.

The only presigned URLs seen from the real API are S3 SigV4 links: the path is the object key and
the signature travels in `X-Amz-*` query parameters. The simulator issues URLs of that shape so a
client that mangles a query string fails here as it would there. The signing itself is the
simulator's own (an HMAC-SHA256 over the method, the key and the other parameters, with a secret
kept in the data dir so URLs survive a restart); nothing here is AWS's algorithm, only its shape.
A changed, missing or expired parameter is refused the way S3 refuses it: 403 with an XML
`<Error>` document (rendered by the routes).
"""

from __future__ import annotations

import calendar
import hmac
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
#: Stands where S3 puts the access key id; it grants nothing by itself.
ACCESS_KEY = "SELLERPICSIM"
REGION = "local"
SIGNED_HEADERS = "host"
#: S3's own upper bound for X-Amz-Expires (7 days).
MAX_EXPIRES = 604800
#: The query parameters every presigned URL carries, in S3's order.
PARAMETERS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


class PresignedRefused(Exception):
    """A presigned URL that does not open: `code` and `message` as S3 words them."""

    def __init__(
        self, code: str, message: str, status: int = 403, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}


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


def amz_date(seconds: float) -> str:
    return time.strftime(_DATE_FORMAT, time.gmtime(int(seconds)))


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds)))


def object_path(key: str) -> str:
    """The URL path of an object key: each segment percent-encoded, the slashes kept."""
    return "/" + quote(key, safe="/")


def query_string(params: Mapping[str, str]) -> str:
    """`params` as urlencode writes them, for values that are URL-safe but for slashes (every
    value presign() writes). A status poll signs two URLs, and urlencode was a third of its
    profile."""
    return "&".join(f"{name}={value.replace('/', '%2F')}" for name, value in params.items())


@dataclass(frozen=True)
class Grant:
    """What a verified URL allows: `method` on `key` until `expires_at`."""

    method: str
    key: str
    expires_in: int
    expires_at: int


class Signer:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, method: str, key: str, params: Mapping[str, str]) -> str:
        signed = "\n".join([method, key, *(params[name] for name in PARAMETERS[:-1])])
        return hmac.digest(self._secret, signed.encode("utf-8", "replace"), "sha256").hex()

    def presign(self, method: str, key: str, issued_at: float, expires_in: int) -> str:
        """The path and query of a URL granting `method` on `key` for `expires_in` seconds
        from `issued_at` (whole seconds, as X-Amz-Date has no fraction)."""
        date = amz_date(issued_at)
        params = {
            "X-Amz-Algorithm": ALGORITHM,
            "X-Amz-Credential": f"{ACCESS_KEY}/{date[:8]}/{REGION}/s3/aws4_request",
            "X-Amz-Date": date,
            "X-Amz-Expires": str(expires_in),
            "X-Amz-SignedHeaders": SIGNED_HEADERS,
        }
        params["X-Amz-Signature"] = self._signature(method, key, params)
        return f"{object_path(key)}?{query_string(params)}"

    def verify(self, method: str, key: str, query: Mapping[str, str], now: float) -> Grant:
        """The grant of a presigned URL, or PresignedRefused naming what is wrong with it."""
        missing = [name for name in PARAMETERS if not query.get(name)]
        if missing:
            raise PresignedRefused(
                "AccessDenied",
                "Query-string authentication version 4 requires the "
                + ", ".join(PARAMETERS)
                + f" parameters; missing: {', '.join(missing)}",
            )
        expected = self._signature(method, key, query)
        given = query["X-Amz-Signature"]
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise PresignedRefused(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you "
                "provided. Use the URL exactly as it was returned.",
            )
        # Signed values were written by presign(), so they parse.
        issued = calendar.timegm(time.strptime(query["X-Amz-Date"], _DATE_FORMAT))
        expires_in = int(query["X-Amz-Expires"])
        expires_at = issued + expires_in
        if now >= expires_at:
            raise expired(expires_in, expires_at, now)
        return Grant(method, key, expires_in, expires_at)


def expired(expires_in: int, expires_at: float, now: float) -> PresignedRefused:
    return PresignedRefused(
        "AccessDenied",
        "Request has expired",
        details={
            "X-Amz-Expires": str(expires_in),
            "Expires": _iso(expires_at),
            "ServerTime": _iso(now),
        },
    )
