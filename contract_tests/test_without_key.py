"""The operations that cost credits or store files, sent without the account's key: each must be
refused with the documented 401, so they are checked even where the spend guard keeps the
account's key from them (`make contract-live`). A request without the key cannot spend anything.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from contract_tests.checking import (
    Expectation,
    example_request,
    load_spec,
    operations,
    validate_exchange,
)
from contract_tests.conftest import Target
from contract_tests.spend_guard import FREE_OPERATIONS

SPEC = load_spec()
#: Sent with a key that is not the account's: the spend guard lets these through.
SENDS_WITHOUT_KEY = True
NOT_A_KEY = "Bearer contract-not-a-key-0000"
# Presigned uploads are authorised by their URL, not a key (security: []).
GUARDED = sorted(
    op_id
    for op_id, info in operations(SPEC).items()
    if op_id not in FREE_OPERATIONS and info.definition.get("security") != []
)


@pytest.mark.parametrize("op_id", GUARDED)
def test_a_request_without_the_key_is_refused_with_401(
    target: Target, contract_schema: BaseSchema, spec: dict[str, Any], op_id: str
) -> None:
    if target.is_prism:
        pytest.skip("Prism's bearer check is presence-only: any key passes")
    if op_id not in operations(spec):
        pytest.skip(f"{op_id} is not part of the spec this target is checked against")
    kwargs = example_request(spec, op_id)
    kwargs["headers"] = {**kwargs["headers"], "Authorization": NOT_A_KEY}
    with httpx.Client(base_url=target.base_url, timeout=10.0) as http:
        response = http.request(**kwargs)
    validate_exchange(contract_schema, op_id, response, Expectation(status=401))
