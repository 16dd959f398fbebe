"""The HTTP face of `Control` under /_sellerpic/: parse, call, answer JSON."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import bad_request
from ..domain.outcomes import ResultOutcome
from ..envelope import JSONAnswer
from ..faults import Fault, FaultRule, FaultSettings, parse_fault
from ..routes.common import json_body, raw_query
from .document import check_body, document_json
from .journal import Query
from .plane import DEFAULT_TASK_LIMIT, Control

PREFIX = "/_sellerpic/"
Endpoint = Callable[[Request], Awaitable[Response]]
_DIGITS = re.compile(r"[0-9]{1,19}")
_STATUS = re.compile(r"[1-5][0-9][0-9]|[1-5]xx|dropped")


def answer(data: Any, status: int = 200) -> Response:
    return JSONAnswer(orjson.dumps(data), status)


def control(request: Request) -> Control:
    plane: Control = request.app.control
    return plane


def _id(value: str, what: str) -> int:
    if not _DIGITS.fullmatch(value):
        raise bad_request(f"{what}: {value!r} is not an id (up to 19 digits)")
    return int(value)


def _whole(query: dict[str, str], name: str, low: int, high: int) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise bad_request(f"{name}: {raw!r}; a whole number from {low} to {high}")
    return int(raw)


async def get_document(request: Request) -> Response:
    return JSONAnswer(document_json(), 200)


async def get_clock(request: Request) -> Response:
    return answer(control(request).clock())


async def advance_clock(request: Request) -> Response:
    body = check_body("AdvanceRequest", await json_body(request))
    return answer(control(request).advance(body["seconds"]))


def _accounts(plane: Control) -> Response:
    return answer({"accounts": [view.as_json() for view in plane.accounts()]})


async def reset(request: Request) -> Response:
    plane = control(request)
    plane.reset()
    return _accounts(plane)


async def list_accounts(request: Request) -> Response:
    return _accounts(control(request))


async def set_account(request: Request) -> Response:
    body = check_body("AccountRequest", await json_body(request))
    # JSON Schema counts 5.0 as an integer; so does this call.
    view, created = control(request).set_account(body["key"], int(body["credits"]))
    return answer(view.as_json(), 201 if created else 200)


async def get_ledger(request: Request) -> Response:
    account_id = _id(request.path_params["account_id"], "account_id")
    entries = control(request).ledger(account_id)
    return answer({"account_id": str(account_id), "entries": [e.as_json() for e in entries]})


async def list_tasks(request: Request) -> Response:
    query = raw_query(request)
    account = query.get("account")
    account_id = None if account is None else _id(account, "account")
    limit = _whole(query, "limit", 1, 10_000) or DEFAULT_TASK_LIMIT
    tasks = control(request).tasks(limit, account_id)
    return answer({"tasks": [task.as_json() for task in tasks]})


async def get_task(request: Request) -> Response:
    task_id = request.path_params["task_id"]
    _id(task_id, "task_id")
    return answer(control(request).task(task_id).as_json())


async def force_outcome(request: Request) -> Response:
    _id(request.path_params["task_id"], "task_id")
    body = check_body("OutcomeRequest", await json_body(request))
    results = {
        item["id"]: ResultOutcome(item["status"], item.get("errorCode"), item.get("errorMsg"))
        for item in body.get("results", [])
    }
    task = control(request).force_outcome(
        request.path_params["task_id"],
        body.get("status"),
        body.get("errorCode"),
        body.get("errorMsg"),
        results,
    )
    return answer(task.as_json())


def faults_json(settings: FaultSettings) -> dict[str, Any]:
    return {
        "latency_ms": settings.latency_ms,
        "error_rate": settings.error_rate,
        "drop_rate": settings.drop_rate,
        "rules": [_rule_json(rule) for rule in settings.rules],
    }


def _rule_json(rule: FaultRule) -> dict[str, Any]:
    found: dict[str, Any] = {"fault": rule.fault.kind, "times": rule.times}
    if rule.operation is not None:
        found["operation"] = rule.operation
    if rule.fault.kind == "slow":
        found["delay_ms"] = rule.fault.delay_ms
    return found


def _rule(item: dict[str, Any]) -> FaultRule:
    fault: Fault | None = parse_fault(item["fault"])
    if fault is None:  # the schema's enum lists every kind
        raise bad_request(f"rules.fault: unknown fault {item['fault']!r}")
    if fault.kind == "slow" and "delay_ms" in item:
        fault = Fault("slow", float(item["delay_ms"]))
    return FaultRule(fault, item.get("operation"), int(item.get("times", 1)))


async def get_faults(request: Request) -> Response:
    return answer(faults_json(control(request).faults))


async def set_faults(request: Request) -> Response:
    body = check_body("Faults", await json_body(request))
    settings = FaultSettings(
        float(body.get("latency_ms", 0)),
        float(body.get("error_rate", 0)),
        float(body.get("drop_rate", 0)),
        [_rule(item) for item in body.get("rules", [])],
    )
    return answer(faults_json(control(request).set_faults(settings)))


def _number(query: dict[str, str], name: str) -> float | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise bad_request(f"{name}: {raw!r}; a number of epoch seconds >= 0")
    return value


def journal_query(query: dict[str, str]) -> Query:
    """The journal filters of a query string, each checked: what `/requests` and the
    inspector's page take."""
    status = query.get("status")
    if status is not None and not _STATUS.fullmatch(status):
        raise bad_request(f"status: {status!r}; an HTTP status (200), a class (4xx) or dropped")
    account = query.get("account")
    operation = query.get("operation")
    if operation is not None and len(operation) > 64:
        raise bad_request("operation: an operation id is at most 64 characters")
    wanted = Query(
        operation=operation,
        account_id=None if account is None else _id(account, "account"),
        status=status,
        since=_number(query, "since"),
        after=_whole(query, "after", 0, 2**63 - 1),
        limit=_whole(query, "limit", 0, 100_000),
    )
    return wanted


async def list_requests(request: Request) -> Response:
    entries = control(request).requests(journal_query(raw_query(request)))
    return answer({"requests": [entry.as_json() for entry in entries]})


async def clear_requests(request: Request) -> Response:
    control(request).clear_requests()
    return Response(status_code=204)


ROUTES: list[tuple[str, str, Endpoint]] = [
    ("GET", "/_sellerpic/openapi.json", get_document),
    ("GET", "/_sellerpic/clock", get_clock),
    ("POST", "/_sellerpic/clock/advance", advance_clock),
    ("POST", "/_sellerpic/reset", reset),
    ("GET", "/_sellerpic/accounts", list_accounts),
    ("POST", "/_sellerpic/accounts", set_account),
    ("GET", "/_sellerpic/accounts/{account_id}/ledger", get_ledger),
    ("GET", "/_sellerpic/tasks", list_tasks),
    ("GET", "/_sellerpic/tasks/{task_id}", get_task),
    ("POST", "/_sellerpic/tasks/{task_id}/outcome", force_outcome),
    ("GET", "/_sellerpic/faults", get_faults),
    ("PUT", "/_sellerpic/faults", set_faults),
    ("GET", "/_sellerpic/requests", list_requests),
    ("DELETE", "/_sellerpic/requests", clear_requests),
]
