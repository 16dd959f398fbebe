"""listPresets (key optional), the preset pictures, and getCreditUsage."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..envelope import ok
from .common import account, base_url, raw_query, services


async def list_presets(request: Request) -> Response:
    svc = services(request)
    svc.accounts.optional(request.headers.get("authorization"))
    query = svc.spec.operations["listPresets"].parse_query(raw_query(request), request.headers)
    page = svc.presets.page(query["type"], query["pageNum"], query["pageSize"], base_url(request))
    return ok(page)


async def preset_picture(request: Request) -> Response:
    svc = services(request)
    name: str = request.path_params["name"]
    thumb = name.endswith("-thumb")
    preset_id = name.removesuffix("-thumb")
    data = svc.presets.image(request.path_params["kind"], preset_id, thumb)
    return Response(data, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


async def get_credit_usage(request: Request) -> Response:
    svc = services(request)
    caller = account(request)
    svc.lifecycle.settle_due(caller)
    usage = svc.credits.usage(caller)
    return ok({"remaining": usage.remaining, "total": usage.total, "usage": usage.usage})
