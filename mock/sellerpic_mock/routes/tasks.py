"""The create-task operations and getTaskStatus."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import not_found
from ..envelope import ok
from .common import CREATED_KEY, account, base_url, fault_is, json_body, raw_query, services


async def create_task(request: Request) -> Response:
    svc = services(request)
    operation = svc.spec.create_operations.get(request.path_params["operation"])
    if operation is None:
        raise not_found("Record Not Found: no such task type")
    caller = account(request)
    body = await json_body(request)
    task_id = svc.tasks.create(
        caller, operation, body, force_limit=fault_is(request, "concurrency-limit")
    )
    request.scope[CREATED_KEY] = task_id
    return ok({"id": task_id})


async def get_task_status(request: Request) -> Response:
    svc = services(request)
    caller = account(request)
    query = svc.spec.operations["getTaskStatus"].parse_query(raw_query(request), request.headers)
    items = svc.tasks.status(caller, query["id"], base_url(request))
    return ok({"resultList": items})
