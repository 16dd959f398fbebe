"""Schemathesis negative testing of every operation against a served simulator: invalid
parameters, bodies, headers and types; no answer may be a 5xx, every answer must be documented
and match the spec, and the server must still serve a normal request afterwards."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match
from schemathesis import GenerationMode
from schemathesis.schemas import BaseSchema

from sellerpic_mock.spec import Spec, find_spec
from tests.reliability.conftest import LONG
from tests.reliability.secretscan import SecretScan
from tests.reliability.simulator import Simulator

API_KEY = "sk-live-SECRET-negative-0c5e7a93"
SCHEMA = schemathesis.openapi.from_path(str(find_spec()))
SPEC = Spec()
#: Operations with something to make invalid (getCreditUsage takes no parameter and no body).
OPERATION_IDS = sorted(
    op_id
    for op_id, op in SPEC.operations.items()
    if op.raw.get("parameters") or op.raw.get("requestBody")
)
#: Cases per operation: 16 operations x 330 >= 5,000 in CI; the long run goes further.
EXAMPLES = 1000 if LONG else 330
TOTALS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # A subprocess, so the server runs on the second core while this one generates cases.
    folder = tmp_path_factory.mktemp("negative")
    with Simulator(folder / "data", {API_KEY: 10_000}, ["--speed", "50"], "info") as sim:
        yield sim.start()
        problems = SecretScan([API_KEY]).findings("simulator log", sim.log_text())
    assert not problems, problems


@pytest.fixture(autouse=True)
def _debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    """INFO, not DEBUG, here: a DEBUG line per request of thousands costs more than the rest."""
    caplog.set_level(logging.INFO)


_VALIDATORS: dict[tuple[str, int], Draft4Validator | None] = {}


def conformance_problem(op_id: str, status: int, headers: Any, response: Any) -> str | None:
    """None when the answer is documented for the operation and its JSON body matches the
    documented schema (the envelope for errors); else what is wrong."""
    if str(status) not in SPEC.operations[op_id].statuses:
        return f"undocumented HTTP {status}: {response.text[:300]}"
    key = (op_id, status)
    if key not in _VALIDATORS:
        schema = SPEC.response_schema(op_id, status)
        _VALIDATORS[key] = None if schema is None else Draft4Validator(schema)
    validator = _VALIDATORS[key]
    content_type = headers.get("content-type") or ""
    if isinstance(content_type, list):  # schemathesis' Response keeps every value
        content_type = content_type[0] if content_type else ""
    documented = SPEC.operations[op_id].raw["responses"][str(status)].get("content", {})
    if "application/xml" in documented:
        # A presigned URL's refusal: object storage's XML error document.
        if not str(content_type).startswith("application/xml"):
            return f"HTTP {status} is not XML"
        root = ElementTree.fromstring(response.content)
        return None if root.tag == "Error" and root.findtext("Code") else f"HTTP {status} XML"
    if validator is None:
        return None if not response.content else f"HTTP {status} has a body: {response.text[:200]}"
    if not str(content_type).startswith("application/json"):
        return f"HTTP {status} is not JSON"
    error = best_match(validator.iter_errors(response.json()))
    return None if error is None else f"HTTP {status} body: {error.message}"


@pytest.fixture(scope="module")
def schema(served: str) -> BaseSchema:
    SCHEMA.config.update(base_url=served, headers={"Authorization": f"Bearer {API_KEY}"})
    return SCHEMA


def _healthy(url: str) -> None:
    answer = httpx.get(
        f"{url}/v1/api/usage", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5
    )
    assert answer.status_code == 200 and answer.json()["success"] is True, answer.text


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_negative_cases_get_documented_4xx_never_5xx(
    schema: BaseSchema, served: str, op_id: str
) -> None:
    operation = schema.find_operation_by_id(op_id)  # type: ignore[attr-defined]
    strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=served, session=session, timeout=10)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} for {case.as_curl_command()[:400]}")
            return
        problem = conformance_problem(op_id, response.status_code, response.headers, response)
        if problem and len(failures) < 5:
            failures.append(f"{problem} for {case.as_curl_command()[:400]}")

    try:
        run()
    finally:
        session.close()
    TOTALS["cases"] += sum(statuses.values())
    TOTALS["5xx"] += sum(n for s, n in statuses.items() if s >= 500)
    print(f"{op_id}: {sum(statuses.values())} negative cases, statuses {dict(statuses)}")
    assert sum(statuses.values()) >= min(EXAMPLES, 50)
    assert not failures, "\n".join(failures)
    _healthy(served)


def test_negative_total(served: str) -> None:
    """Runs after the per-operation tests: the total reaches 5,000 cases, none answered 5xx."""
    if TOTALS["cases"] == 0:
        pytest.skip("run together with the per-operation negative tests")
    print(f"negative testing: {TOTALS['cases']} cases, {TOTALS['5xx']} answered 5xx")
    assert TOTALS["5xx"] == 0
    assert TOTALS["cases"] >= 5000
    _healthy(served)
