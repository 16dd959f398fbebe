"""What the simulator's layers pass each other in a request's ASGI scope, beside what the
server puts there: the fault middleware marks the fault it injects, routes read it."""

from __future__ import annotations

from starlette.types import Scope

#: The kind of the fault injected into this request (see faults.KINDS), if any.
FAULT_KIND = "sellerpic_mock.fault"


def mark_fault(scope: Scope, kind: str) -> None:
    scope[FAULT_KIND] = kind


def fault_kind(scope: Scope) -> str | None:
    kind = scope.get(FAULT_KIND)
    return kind if isinstance(kind, str) else None
