"""getUploadUrl, uploadFile (presigned PUT) and uploadAssetFile (multipart POST)."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from ..envelope import ok, storage_error
from ..signing import PresignedRefused
from .common import account, base_url, fault_is, raw_query, services


async def get_upload_url(request: Request) -> Response:
    svc = services(request)
    caller = account(request)
    query = svc.spec.operations["getUploadUrl"].parse_query(raw_query(request), request.headers)
    issued = svc.uploads.issue_url(
        caller, query["format"], base_url(request), fault_is(request, "expired-url")
    )
    return ok({"fileKey": issued.file_key, "imageUrl": issued.image_url})


async def upload_file(request: Request) -> Response:
    """PUT to a presigned URL: the path is the file key, the query carries the signature."""
    svc = services(request)
    try:
        await svc.uploads.receive_presigned(
            request.path_params["key"],
            raw_query(request),
            request.stream(),
            fault_is(request, "expired-url"),
        )
    except PresignedRefused as refused:
        return storage_error(refused)
    # The documented 200 of uploadFile has no body.
    return Response(status_code=200)


async def upload_asset_file(request: Request) -> Response:
    svc = services(request)
    caller = account(request)
    key = await svc.uploads.receive_multipart(
        caller, request.headers.get("content-type", ""), request.stream()
    )
    # The docs' example carries this extra top-level field.
    return ok({"fileKey": key}, extra={"request_id": secrets.token_hex(16)})
