"""The operation table in code must agree with the spec it was written from."""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml

from sellerpic import AsyncSellerPic, SellerPic
from sellerpic._operations import OPERATIONS

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "sellerpic.yaml"


def test_limits_and_result_counts_match_spec() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    by_id = {
        op["operationId"]: op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "Create Task" in op.get("tags", [])
    }
    assert set(by_id) == {op.operation_id for op in OPERATIONS.values()}
    for op in OPERATIONS.values():
        assert op.concurrency_limit == by_id[op.operation_id]["x-concurrency-limit"], op.name
        assert op.results_per_task == by_id[op.operation_id]["x-results-per-task"], op.name


def test_client_methods_match_operation_params() -> None:
    for op in OPERATIONS.values():
        for cls in (SellerPic, AsyncSellerPic):
            params = inspect.signature(getattr(cls, op.name)).parameters
            assert [p for p in params if p != "self"] == [p.name for p in op.params], op.name
