"""The suite catches a spec that contradicts itself, and says which operation is wrong.

A copy of the spec is broken in three ways, served by its own Prism, and checked with the same
`check_documented_status` the main suite runs over the real spec:

- a required field removed from a response example (`data.id` of the shared TaskCreated example),
- a property's type changed under its example (`CreditUsage.remaining` becomes a string),
- a request example that its schema rejects (`format=bmp` for getUploadUrl).

Every failure must name the affected operation, and only the affected operations may fail.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from contract_tests.checking import (
    ContractViolation,
    build_schema,
    check_documented_status,
    documented_responses,
    load_spec,
    operations,
)
from contract_tests.conftest import DEFAULT_API_KEY
from contract_tests.prism import PrismServer, prism_available

CREATE_OPERATIONS = {
    op_id
    for op_id, info in operations(load_spec()).items()
    if "Create Task" in info.definition.get("tags", [])
}


def break_spec(spec: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(spec)
    components = broken["components"]
    # 1. A required field removed from an example.
    created = components["responses"]["TaskCreated"]["content"]["application/json"]
    del created["examples"]["created"]["value"]["data"]["id"]
    # 2. A type changed: the example's integer no longer matches.
    components["schemas"]["CreditUsage"]["properties"]["remaining"] = {"type": "string"}
    # 3. A request example outside its schema (UploadFormat is an enum without bmp).
    for param in broken["paths"]["/v1/api/upload/url"]["get"]["parameters"]:
        if param.get("name") == "format":
            param["example"] = "bmp"
    return broken


@pytest.fixture(scope="module")
def full_spec() -> dict[str, Any]:
    """The whole spec, whatever view the session checks a target against."""
    return load_spec()


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory, full_spec: dict[str, Any]) -> Iterator[Any]:
    if not prism_available():
        pytest.skip("Prism is not installed (`make setup`)")
    folder = tmp_path_factory.mktemp("broken-spec")
    broken_spec = break_spec(full_spec)
    path = folder / "sellerpic.yaml"
    path.write_text(yaml.safe_dump(broken_spec, sort_keys=False))
    with PrismServer(path, log_path=folder / "prism.log") as server:
        schema = build_schema(broken_spec, base_url=server.base_url, api_key=DEFAULT_API_KEY)
        yield schema


def _failures(schema: Any) -> dict[str, list[str]]:
    import httpx

    spec = schema.raw_schema
    failures: dict[str, list[str]] = {}
    with httpx.Client(
        base_url=schema.config.base_url,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=10.0,
    ) as http:
        for op_id in sorted(operations(spec)):
            for status in documented_responses(spec, op_id):
                try:
                    check_documented_status(schema, http, op_id, status)
                except ContractViolation as violation:
                    failures.setdefault(op_id, []).append(str(violation))
    return failures


def test_a_broken_spec_fails_naming_each_broken_operation(broken: Any) -> None:
    failures = _failures(broken)

    assert set(failures) == CREATE_OPERATIONS | {"getCreditUsage", "getUploadUrl"}
    for op_id, messages in failures.items():
        assert all(message.startswith(f"{op_id} (") for message in messages)

    instruct = "\n".join(failures["instructEdit"])
    assert "data must have required property 'id'" in instruct
    usage = "\n".join(failures["getCreditUsage"])
    assert (
        "response (the spec's own example) violates the spec at response.body.data.remaining"
        in usage
    )
    upload = "\n".join(failures["getUploadUrl"])
    assert "the request violates the spec at request.query.format" in upload


def test_breaking_leaves_the_original_untouched(full_spec: dict[str, Any]) -> None:
    break_spec(full_spec)
    created = full_spec["components"]["responses"]["TaskCreated"]["content"]["application/json"]
    assert "id" in created["examples"]["created"]["value"]["data"]
