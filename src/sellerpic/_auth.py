"""The API key: checked before use, sent as a bearer header, shown only redacted."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class BearerAuth(httpx.Auth):
    """Adds the API key to API requests (the drivers switch it off for presigned and file
    URLs). The drivers read every answer raw, so a non-JSON error body (a proxy's HTML page)
    or a non-standard status (520) still reaches the step with its real status."""

    def __init__(self, api_key: str) -> None:
        self._header = f"Bearer {api_key}"

    def __repr__(self) -> str:
        return "BearerAuth(api_key=<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def redact_key(api_key: str | None) -> str:
    """A form of the key safe to show: its last four characters at most."""
    if not api_key:
        return "<none>"
    return f"<redacted …{api_key[-4:]}>" if len(api_key) > 12 else "<redacted>"


def check_api_key(api_key: str) -> str:
    """The key as sent: surrounding whitespace (a `.env` saved with CRLF, a pasted newline) is
    dropped; any other character outside printable ASCII is refused. The message says where,
    never what: the key must not reach an error text."""
    key = api_key.strip()
    for position, char in enumerate(key, start=1):
        if not " " < char < "\x7f":
            raise ValueError(
                f"the API key has a {_char_kind(char)} at position {position} of {len(key)}; "
                "keys are printable ASCII: check where it was copied from"
            )
    return key


def _char_kind(char: str) -> str:
    if char == " ":
        return "space"
    return "non-ASCII character" if ord(char) > 0x7F else "control character"
