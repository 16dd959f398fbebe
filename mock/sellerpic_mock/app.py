"""The ASGI application: a route table over the domain services, errors as envelopes, faults
on top.

Dispatch is written out here rather than built from Starlette's application, router and
middleware stack: a status poll spent more time in those layers than in the route itself.
Requests and responses are still Starlette's.
"""

from __future__ import annotations

import atexit
import logging
import re
from collections.abc import Awaitable, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .config import MockConfig
from .control import CONTROL_PREFIX, CONTROL_ROUTES, AdminAccess, Control, ControlApp
from .control.journal import ANSWER_KEY, JournalMiddleware
from .control.operations import OperationNames
from .domain.errors import ApiError, bad_request, disk_full, not_found, server_error
from .domain.services import Services, build_services
from .envelope import error
from .faults import FaultMiddleware
from .routes import account, downloads, tasks, uploads
from .spec import InvalidRequest, Spec

log = logging.getLogger("sellerpic_mock")

Endpoint = Callable[[Request], Awaitable[Response]]

ROUTES: list[tuple[str, str, Endpoint]] = [
    ("POST", "/v1/api/generate/{operation}", tasks.create_task),
    ("GET", "/v1/api/generate", tasks.get_task_status),
    ("GET", "/v1/api/upload/url", uploads.get_upload_url),
    ("POST", "/v1/api/upload", uploads.upload_asset_file),
    # Presigned URLs have S3's shape: the path is the object key (see signing.py).
    ("PUT", "/{key:UPLOAD/}", uploads.upload_file),
    ("GET", "/v1/api/download", downloads.get_download_url),
    ("GET", "/{key:RESULT/}", downloads.get_file),
    ("GET", "/v1/api/presets", account.list_presets),
    ("GET", "/presets/{kind}/{name}.png", account.preset_picture),
    ("GET", "/v1/api/usage", account.get_credit_usage),
]


def _pattern(path: str) -> re.Pattern[str]:
    """`/presets/{kind}/{name}.png` -> a regex with one named group per segment parameter;
    `/{key:UPLOAD/}` -> one group `key` holding the rest of the path, which starts `UPLOAD/`."""
    prefixed = re.fullmatch(r"/\{(\w+):([\w/]+)\}", path)
    if prefixed:
        name, prefix = prefixed.groups()
        # DOTALL: a decoded key may hold any character, a newline included; the signature,
        # not the router, decides whether it names an object.
        return re.compile(f"^/(?P<{name}>{re.escape(prefix)}.+)$", re.DOTALL)
    parts = re.split(r"\{(\w+)\}", path)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


class Router:
    """Paths without parameters are a dict lookup; the few with parameters are tried in order."""

    def __init__(self, routes: list[tuple[str, str, Endpoint]]) -> None:
        self._fixed: dict[str, dict[str, Endpoint]] = {}
        self._patterns: list[tuple[re.Pattern[str], dict[str, Endpoint]]] = []
        by_path: dict[str, dict[str, Endpoint]] = {}
        for method, path, endpoint in routes:
            methods = by_path.setdefault(path, {})
            methods[method] = endpoint
            if method == "GET":
                methods["HEAD"] = endpoint
        for path, methods in by_path.items():
            if "{" in path:
                self._patterns.append((_pattern(path), methods))
            else:
                self._fixed[path] = methods

    def match(self, path: str) -> tuple[dict[str, Endpoint], dict[str, str]] | None:
        methods = self._fixed.get(path)
        if methods is not None:
            return methods, {}
        for pattern, methods in self._patterns:
            found = pattern.match(path)
            if found is not None:
                return methods, found.groupdict()
        return None


class Simulator:
    """The simulator as an ASGI application over its domain services."""

    def __init__(self, services: Services, config: MockConfig) -> None:
        self.services = services
        self._router = Router(ROUTES)
        self.faults = FaultMiddleware(self._dispatch, config=config)
        #: The control plane (/_sellerpic/) as a Python object: clock, reset, accounts,
        #: outcomes, faults, the request journal.
        self.control = Control(self, self.faults)
        self._app = JournalMiddleware(
            self.faults, self.control.journal, OperationNames(services.spec), config.clock
        )
        self._control = ControlApp(
            Router(CONTROL_ROUTES), AdminAccess(config.admin, config.admin_token)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["app"] = self
            if scope["path"].startswith(CONTROL_PREFIX):
                await self._control(scope, receive, send)
                return
            await self._app(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.services.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._answer(scope, receive)
        # For the request journal: what the route answered, even if a fault loses it.
        scope[ANSWER_KEY] = response
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        matched = self._router.match(scope["path"])
        if matched is None:
            return error(not_found())
        methods, params = matched
        endpoint = methods.get(scope["method"])
        if endpoint is None:
            allowed = ", ".join(sorted(methods))
            response = error(ApiError(405, "Method Not Allowed", 405))
            # HTTP requires a 405 to name the methods the resource has.
            response.headers["Allow"] = allowed
            return response
        scope["path_params"] = params
        request = Request(scope, receive)
        try:
            return await endpoint(request)
        except ApiError as exc:
            return error(exc)
        except InvalidRequest as exc:
            return error(bad_request(str(exc)))
        except ClientDisconnect:
            # A client that goes away mid-body is the client's business: one line, and an
            # answer nobody reads.
            log.warning(
                "%s %s: the client disconnected before sending the whole body",
                scope["method"],
                scope["path"],
            )
            return error(ApiError(400, "body: the connection closed before the body ended", 400))
        except Exception as exc:
            full = disk_full(exc)
            if full is not None:
                log.warning("%s %s: the disk is full (%s)", scope["method"], scope["path"], exc)
                return error(full)
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            return error(server_error())


def create_app(config: MockConfig | None = None, spec: Spec | None = None) -> Simulator:
    """Build a simulator; its state lives in `config.data_dir` (a temporary folder if None)."""
    config = config or MockConfig()
    services = build_services(config, spec)
    if services.ephemeral:
        atexit.register(services.close)
    return Simulator(services, config)
