"""The control plane as an ASGI app: access check, route table, errors as JSON."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..domain.errors import ApiError
from ..routes.envelope import JSONAnswer
from .access import AdminAccess, bearer_matches

log = logging.getLogger("sellerpic_mock")
Endpoint = Callable[[Request], Awaitable[Response]]

_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    500: "server_error",
}


class Routes(Protocol):
    def match(self, path: str) -> tuple[dict[str, Endpoint], dict[str, str]] | None: ...


def failure(status: int, message: str) -> Response:
    body = {"error": _KINDS.get(status, "error"), "message": message}
    return JSONAnswer(orjson.dumps(body), status)


class ControlApp:
    def __init__(self, routes: Routes, access: AdminAccess) -> None:
        self._routes = routes
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._answer(scope, receive)
        await response(scope, receive, send)

    def _refusal(self, scope: Scope) -> Response | None:
        if not self.access.enabled:
            return failure(404, "the control API is turned off (--no-admin)")
        token = self.access.token
        if token is None:
            return None
        authorization = None
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                authorization = value.decode("latin-1")
        if bearer_matches(authorization, token):
            return None
        response = failure(
            401,
            "Authorization: the control API needs 'Bearer <admin token>' here (the token given "
            "with --admin-token, or the one printed when the simulator started)",
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="sellerpic-mock control"'
        return response

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        refused = self._refusal(scope)
        if refused is not None:
            return refused
        matched = self._routes.match(scope["path"])
        if matched is None:
            return failure(
                404, f"{scope['path']}: no such control call; see /_sellerpic/openapi.json"
            )
        methods, params = matched
        endpoint = methods.get(scope["method"])
        if endpoint is None:
            allowed = ", ".join(sorted(methods))
            response = failure(405, f"{scope['method']} {scope['path']}: use {allowed}")
            response.headers["Allow"] = allowed
            return response
        scope["path_params"] = params
        try:
            return await endpoint(Request(scope, receive))
        except ApiError as exc:
            return failure(exc.http_status, exc.msg)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            return failure(500, "internal error of the simulator's control plane")
