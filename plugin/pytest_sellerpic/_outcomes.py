"""`fail_next(operation)`: the next task an operation creates ends FAILED.

A thin ASGI layer over the simulator: it watches the answers of creates and, when one matches
a waiting rule, forces that task's outcome through the control plane (which refunds its credits
by the real rules). Only the plugin needs "the next create", so it lives here, not in the
simulator.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

CREATE_PREFIX = "/v1/api/generate/"

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class FailRule:
    operation: str
    error_code: int
    error_msg: str


class FailNext:
    """ASGI middleware; `rules` are used up in order, one per matching create."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rules: list[FailRule] = []

    def __getattr__(self, name: str) -> Any:
        # The simulator's own attributes (control, services) stay reachable through the layer.
        return getattr(self.app, name)

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        rule = self._rule_for(path, scope.get("method", ""))
        if rule is None:
            await self.app(scope, receive, send)
            return
        body: list[bytes] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, watch)
        task_id = _created_task(b"".join(body))
        if task_id is not None:
            self.rules.remove(rule)
            control = self.app.control
            control.force_outcome(task_id, "FAILED", rule.error_code, rule.error_msg)

    def _rule_for(self, path: str, method: str) -> FailRule | None:
        if method != "POST" or not path.startswith(CREATE_PREFIX):
            return None
        operation = path[len(CREATE_PREFIX) :]
        return next((rule for rule in self.rules if rule.operation == operation), None)


def _created_task(body: bytes) -> str | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    data = answer.get("data") if isinstance(answer, dict) else None
    if answer.get("code") != 0 or not isinstance(data, dict) or data.get("id") in (None, ""):
        return None
    return str(data["id"])
