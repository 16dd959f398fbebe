"""The spec is self-consistent: every documented status and every named example, served by Prism
from the spec itself, validates against the spec's own schemas.

Prism answers `Prefer: code=NNN` with that response's example, and `Prefer: example=NAME` with that
named example, so a response example that drifted from its schema fails here, naming the operation.
The requests are the spec's own request examples and Prism runs with `--errors`, so a request
example that drifted from its schema fails too.
"""

from __future__ import annotations

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from contract_tests.checking import (
    check_documented_status,
    documented_responses,
    load_spec,
    operations,
    response_examples,
)

SPEC = load_spec()
OPERATION_IDS = sorted(operations(SPEC))
STATUS_CASES = [
    pytest.param(op_id, status, id=f"{op_id}-{status}")
    for op_id in OPERATION_IDS
    for status in documented_responses(SPEC, op_id)
]
EXAMPLE_CASES = [
    pytest.param(op_id, status, name, id=f"{op_id}-{status}-{name}")
    for op_id in OPERATION_IDS
    for status, response in documented_responses(SPEC, op_id).items()
    for name in response_examples(response)
]

pytestmark = [pytest.mark.prism, pytest.mark.usefixtures("prism_only")]


def test_the_spec_has_the_seventeen_operations() -> None:
    assert len(OPERATION_IDS) == 17


@pytest.mark.parametrize(("op_id", "status"), STATUS_CASES)
def test_every_documented_status_is_reachable_and_conforms(
    contract_schema: BaseSchema, http: httpx.Client, op_id: str, status: str
) -> None:
    check_documented_status(contract_schema, http, op_id, status)


@pytest.mark.parametrize(("op_id", "status", "example"), EXAMPLE_CASES)
def test_every_named_response_example_conforms(
    contract_schema: BaseSchema, http: httpx.Client, op_id: str, status: str, example: str
) -> None:
    check_documented_status(contract_schema, http, op_id, status, example)


def test_an_undocumented_status_is_reported_for_its_operation(
    contract_schema: BaseSchema, http: httpx.Client
) -> None:
    # getCreditUsage documents no 400: Prism answers its own 404 problem+json, which must be caught.
    with pytest.raises(AssertionError, match=r"^getCreditUsage \(GET /v1/api/usage\)"):
        check_documented_status(contract_schema, http, "getCreditUsage", "400")
