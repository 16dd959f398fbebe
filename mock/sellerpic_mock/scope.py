"""What the simulator's layers pass each other in a request's ASGI scope, beside what the
server puts there: the request journal names the operation, the fault middleware marks the
fault it injects, routes and the journal read them."""

from __future__ import annotations

from starlette.types import Scope

#: The kind of the fault injected into this request (see faults.KINDS), if any.
FAULT_KIND = "sellerpic_mock.fault"
#: The delay of an injected `slow` fault, in milliseconds.
FAULT_DELAY_MS = "sellerpic_mock.fault_delay_ms"
#: The request's operation id (None for a path the API does not have).
OPERATION = "sellerpic_mock.operation"


def mark_fault(scope: Scope, kind: str, delay_ms: float = 0.0) -> None:
    scope[FAULT_KIND] = kind
    scope[FAULT_DELAY_MS] = delay_ms


def fault_kind(scope: Scope) -> str | None:
    kind = scope.get(FAULT_KIND)
    return kind if isinstance(kind, str) else None


def fault_label(scope: Scope) -> str | None:
    """The fault as the `X-Sellerpic-Mock-Fault` header names it (`slow=2000`, `drop-after`)."""
    kind = fault_kind(scope)
    if kind == "slow":
        return f"slow={float(scope.get(FAULT_DELAY_MS, 0.0)):g}"
    return kind


def mark_operation(scope: Scope, operation: str | None) -> None:
    scope[OPERATION] = operation


def operation_of(scope: Scope) -> str | None:
    operation = scope.get(OPERATION)
    return operation if isinstance(operation, str) else None
