"""Stateful: schemathesis follows the spec's OpenAPI links (create task -> getTaskStatus ->
getDownloadUrl) and validates every answer on the way.

The links live on `components.responses.TaskCreated` (every create operation) and on getTaskStatus'
200. The test records each transition it runs and asserts that both links were actually followed,
so a spec that loses its links (or a state machine that only calls root operations) fails here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

import pytest
from schemathesis import GenerationMode
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import response_schema_conformance

from contract_tests.checking import build_schema, with_real_keys
from contract_tests.conftest import CASES, Target, contract_settings
from contract_tests.test_properties import is_prism_own_json_error
from sellerpic.tasks import FINAL_STATUSES

CREATE_OPERATIONS = {
    "imageToVideo",
    "instructEdit",
    "tryOnApparel",
    "tryOnAccessories",
    "lifestyleScene",
    "swapModel",
    "replaceBackground",
    "promptSegmentation",
    "segmentImage",
    "removeBackground",
}


def test_links_are_followed(
    target: Target, spec: dict[str, Any], server_file_keys: dict[str, str] | None
) -> None:
    if target.simulator_started and server_file_keys is not None:
        assert_tasks_finish_at_once(target, server_file_keys["image"])
    schema = build_schema(
        spec,
        base_url=target.base_url,
        api_key=target.api_key,
        excluded_checks=target.excluded_checks,
    )
    # Links are about valid flows; negative inputs are covered per operation in test_properties.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    base = schema.as_state_machine()
    transitions: Counter[str] = Counter()
    calls: Counter[str] = Counter()

    class Machine(base):  # type: ignore[valid-type, misc]
        recorded: ClassVar[tuple[Counter[str], Counter[str]]] = (transitions, calls)

        def step(self, input: StepInput) -> StepOutput:
            op_id = input.case.operation.definition.raw.get("operationId", "?")
            calls[op_id] += 1
            if input.transition is not None and input.is_applied:
                transitions[input.transition.id] += 1
            output: StepOutput = super().step(input)
            return output

        def before_call(self, case: Any) -> None:
            if server_file_keys and case.media_type == "application/json":
                case.body = with_real_keys(case.body, server_file_keys)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            # uploadFile declares its own `servers` (the presigned origin); send it to the target.
            return {"base_url": target.base_url}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            CASES[response.status_code] += 1
            excluded = []
            if target.is_prism and is_prism_own_json_error(response):
                excluded.append(response_schema_conformance)
            case.validate_response(
                response,
                excluded_checks=excluded,
                headers=target.auth_headers,
                transport_kwargs=kwargs or None,
            )

    Machine.run(settings=contract_settings(max(target.max_examples, 20), stateful_step_count=6))

    print(f"calls: {dict(calls)}\ntransitions followed: {dict(transitions)}")
    assert calls, "the state machine made no call"
    followed = " ".join(transitions)
    assert "GetTaskStatus" in followed, f"create -> getTaskStatus never followed: {transitions}"
    assert "GetDownloadUrl" in followed, f"getTaskStatus -> getDownloadUrl never followed: {calls}"
    assert calls["getTaskStatus"] and calls["getDownloadUrl"]
    assert CREATE_OPERATIONS & set(calls), f"no create operation was called: {calls}"


def assert_tasks_finish_at_once(target: Target, image_key: str) -> None:
    """The answers the links read must not depend on timing, or Hypothesis' replays of a case
    draw different data and the run fails with FlakyStrategyDefinition (see
    conftest.simulator_args). Checked up front so a slow simulator fails here, by name."""
    with target.http() as http:
        created = http.post("/v1/api/generate/removeBackground", json={"imageKey": image_key})
        task_id = created.json()["data"]["id"]
        answer = http.get("/v1/api/generate", params={"id": task_id})
        items = answer.json()["data"]["resultList"]
    unfinished = [item["status"] for item in items if item["status"] not in FINAL_STATUSES]
    assert not unfinished, f"the suite's simulator must finish tasks at once, got {unfinished}"


@pytest.mark.parametrize("name", ["GetTaskStatus", "GetDownloadUrl"])
def test_the_spec_declares_the_links(contract_schema: BaseSchema, name: str) -> None:
    raw = contract_schema.raw_schema
    declared = set(raw["components"]["responses"]["TaskCreated"]["links"])
    declared |= set(raw["paths"]["/v1/api/generate"]["get"]["responses"]["200"]["links"])
    assert name in declared
