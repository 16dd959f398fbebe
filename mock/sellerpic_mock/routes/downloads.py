"""getDownloadUrl and the presigned file URLs it hands out."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..envelope import ok, storage_error
from ..signing import PresignedRefused
from .common import account, base_url, fault_is, raw_query, services


async def get_download_url(request: Request) -> Response:
    svc = services(request)
    caller = account(request)
    query = svc.spec.operations["getDownloadUrl"].parse_query(raw_query(request), request.headers)
    link = svc.downloads.issue(
        caller,
        query["id"],
        query["downloadFormat"],
        bool(query.get("uhd", False)),
        base_url(request),
        expired=fault_is(request, "expired-url"),
    )
    return ok(link.as_json())


async def get_file(request: Request) -> Response:
    """GET of a presigned result URL: the path is the object key, the query the signature."""
    svc = services(request)
    try:
        # Rendering may take a moment on first download: keep it off the event loop.
        path, content_type = await run_in_threadpool(
            svc.downloads.open,
            request.path_params["key"],
            raw_query(request),
            fault_is(request, "expired-url"),
        )
    except PresignedRefused as refused:
        return storage_error(refused)
    return FileResponse(path, media_type=content_type)
