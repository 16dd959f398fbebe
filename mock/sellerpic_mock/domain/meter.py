"""Credits moved while one request is handled, for the control plane's request journal.

The journal starts a `Meter` per request; `Credits` adds to the current one. Outside a request
(tests calling the domain, the control API) there is none and nothing is counted.
"""

from __future__ import annotations

from contextvars import ContextVar


class Meter:
    __slots__ = ("charged", "refunded")

    def __init__(self) -> None:
        self.charged = 0
        self.refunded = 0


current_meter: ContextVar[Meter | None] = ContextVar("sellerpic_mock_meter", default=None)
