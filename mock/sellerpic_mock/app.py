"""The ASGI application: routes over the domain services, errors as envelopes, faults on top."""

from __future__ import annotations

import atexit
import logging
from collections.abc import AsyncIterator
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


ROUTES = [
    Route("/v1/api/generate/{operation}", tasks.create_task, methods=["POST"]),
    Route("/v1/api/generate", tasks.get_task_status, methods=["GET"]),
    Route("/v1/api/upload/url", uploads.get_upload_url, methods=["GET"]),
    Route("/v1/api/upload", uploads.upload_asset_file, methods=["POST"]),
    Route("/presigned/{token}", uploads.upload_file, methods=["PUT"]),
    Route("/v1/api/download", downloads.get_download_url, methods=["GET"]),
    Route("/files/{token}", downloads.get_file, methods=["GET"]),
    Route("/v1/api/presets", account.list_presets, methods=["GET"]),
    Route("/presets/{kind}/{name}.png", account.preset_picture, methods=["GET"]),
    Route("/v1/api/usage", account.get_credit_usage, methods=["GET"]),
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
