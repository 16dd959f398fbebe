"""The ASGI application: routes over the domain services, errors as envelopes, faults on top."""

from __future__ import annotations

import atexit
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .config import MockConfig
from .domain.errors import ApiError, not_found, server_error
from .domain.services import Services, build_services
from .faults import FaultMiddleware
from .routes import account, downloads, tasks, uploads
from .routes.envelope import error
from .spec import Spec

log = logging.getLogger("sellerpic_mock")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error(not_found())
    response = error(ApiError(exc.status_code, str(exc.detail), exc.status_code))
    # Keeps the Allow header of a 405, which HTTP requires.
    response.headers.update(exc.headers or {})
    return response


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error(server_error())


Endpoint = Callable[[Request], Awaitable[Response]]


def durable(endpoint: Endpoint) -> Endpoint:
    """Answer only once what the request wrote is committed: a client never holds an id
    that a crash of the simulator could take back."""

    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        finally:
            await request.app.state.services.durable()

    return answer


ROUTES = [
    Route(path, durable(endpoint), methods=[method])
    for path, endpoint, method in [
        ("/v1/api/generate/{operation}", tasks.create_task, "POST"),
        ("/v1/api/generate", tasks.get_task_status, "GET"),
        ("/v1/api/upload/url", uploads.get_upload_url, "GET"),
        ("/v1/api/upload", uploads.upload_asset_file, "POST"),
        ("/presigned/{token}", uploads.upload_file, "PUT"),
        ("/v1/api/download", downloads.get_download_url, "GET"),
        ("/files/{token}", downloads.get_file, "GET"),
        ("/v1/api/presets", account.list_presets, "GET"),
        ("/presets/{kind}/{name}.png", account.preset_picture, "GET"),
        ("/v1/api/usage", account.get_credit_usage, "GET"),
    ]
]


def create_app(config: MockConfig | None = None, spec: Spec | None = None) -> Starlette:
    """Build a simulator; its state lives in `config.data_dir` (a temporary folder if None)."""
    config = config or MockConfig()
    services = build_services(config, spec)
    if services.ephemeral:
        atexit.register(services.close)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        services.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(FaultMiddleware, config=config)],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _crash,
        },
        lifespan=lifespan,
    )
    app.state.services = services
    return app


def services_of(app: Starlette) -> Services:
    svc: Services = app.state.services
    return svc
