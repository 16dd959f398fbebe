"""The two views answers are checked against: the full spec for Prism and the simulator, the
vendor-only view for any other server, so a limit this project invented never fails a real
deployment while what the vendor documents still does.

These run on captured answers (no server needed).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from contract_tests.checking import (
    ContractViolation,
    build_schema,
    contract_spec,
    validate_exchange,
)
from contract_tests.conftest import choose_view

BASE = "http://127.0.0.1:9"


def _schema(view: str) -> BaseSchema:
    return build_schema(contract_spec(view), base_url=BASE, api_key="k")


def _answer(path: str, status: int, body: Any) -> httpx.Response:
    request = httpx.Request("GET", BASE + path, headers={"Authorization": "Bearer k"})
    response = httpx.Response(status, json=body, request=request)
    response.elapsed = timedelta(milliseconds=1)  # as if it had been received
    return response


def _usage(**overrides: Any) -> dict[str, Any]:
    body = {
        "code": 0,
        "data": {"remaining": 994, "total": 1000, "usage": 6},
        "msg": "SUCCESS",
        "success": True,
        "traceId": "ZHB8oC1p4Ziy",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("option", "is_prism", "kind", "view"),
    [
        ("auto", True, "auto", "full"),
        ("auto", False, "simulator", "full"),
        ("auto", False, "server", "vendor"),
        ("auto", False, "auto", "vendor"),  # a base URL given, nothing said about it
        ("full", False, "server", "full"),
        ("vendor", True, "prism", "vendor"),
    ],
)
def test_the_view_follows_the_target(option: str, is_prism: bool, kind: str, view: str) -> None:
    assert choose_view(option, is_prism=is_prism, kind=kind) == view


def test_an_invented_limit_fails_only_the_full_view() -> None:
    # The docs give traceId no length limit; this spec's maxLength of 256 is a guess.
    answer = _answer("/v1/api/usage", 200, _usage(traceId="t" * 300))
    with pytest.raises(ContractViolation, match="getCreditUsage"):
        validate_exchange(_schema("full"), "getCreditUsage", answer)
    validate_exchange(_schema("vendor"), "getCreditUsage", answer)


def test_more_results_than_the_invented_cap_fail_only_the_full_view() -> None:
    items = [{"id": str(10**18 + n), "status": "RUNNING"} for n in range(17)]
    body = {"code": 0, "data": {"resultList": items}, "success": True, "traceId": "t"}
    answer = _answer("/v1/api/generate?id=1", 200, body)
    with pytest.raises(ContractViolation, match="getTaskStatus"):
        validate_exchange(_schema("full"), "getTaskStatus", answer)
    validate_exchange(_schema("vendor"), "getTaskStatus", answer)


def test_what_the_vendor_documents_still_fails_the_vendor_view() -> None:
    # The credit-usage page marks traceId required and `remaining` an int32.
    for body in (
        {k: v for k, v in _usage().items() if k != "traceId"},
        _usage(data={"remaining": "many", "total": 1000, "usage": 6}),
    ):
        with pytest.raises(ContractViolation, match="getCreditUsage"):
            validate_exchange(
                _schema("vendor"), "getCreditUsage", _answer("/v1/api/usage", 200, body)
            )


def test_an_error_body_of_another_shape_fails_only_the_full_view() -> None:
    # The bodies of 400 and 401 are this spec's guess (the common envelope).
    for status in (400, 401):
        answer = _answer("/v1/api/usage", status, {"error": "unauthorized"})
        with pytest.raises(ContractViolation, match="getCreditUsage"):
            validate_exchange(_schema("full"), "getCreditUsage", answer)
        validate_exchange(_schema("vendor"), "getCreditUsage", answer, _rejection_ok())


def _rejection_ok() -> Any:
    from contract_tests.checking import Expectation

    return Expectation(rejection_ok=True)


def test_unknown_views_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown contract view"):
        contract_spec("strict")
