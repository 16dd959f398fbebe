"""The checking functions every contract test uses.

A check takes an exchange (the request a client sent and the `httpx.Response` it got) and fails
with a `ContractViolation` whose message starts with the operation id, so a red CI line says which
operation of the spec is wrong. The same functions run against the spec as it is and against
deliberately broken copies (see test_broken_spec.py).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import schemathesis
import yaml
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "openapi" / "sellerpic.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# Checks of a response alone: they never re-send the request, so any captured exchange works.
CONFORMANCE_CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Against Prism these built-in checks can never pass; see README "Checks excluded against Prism".
#  - ignored_auth: Prism checks only that a `Bearer <anything>` header is present, so a made-up key
#    gets 200 where the spec promises 401.
#  - unsupported_method: Prism answers an undeclared method on a known path with 404 (no route), not
#    405 with an Allow header.
PRISM_EXCLUDED_CHECKS = ("ignored_auth", "unsupported_method")

# Against a stateful server (the simulator, a deployment) one check cannot pass by design:
#  - positive_data_acceptance: a schema-valid request can still be refused with a documented 400
#    for reasons a schema cannot express: a file key or preset id that does not exist, a body
#    without any of tryOnApparel's garments, an image too small for imageToVideo. Every such answer
#    is still checked against the spec (status documented, envelope valid).
SERVER_EXCLUDED_CHECKS = ("positive_data_acceptance",)

# A small valid PNG (1x1, white) for the upload operations.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7359a4f0000000049454e44ae426082"
)


def with_real_keys(body: Any, keys: dict[str, str]) -> Any:
    """Swap every file-key field of a generated body for a key that exists on a stateful server.

    Generated keys never name a stored file, so without this every create would be refused and
    the success path (and the links that start from it) would go untested. Fields whose name
    mentions a mask get the mask key, the others the image key.
    """
    if isinstance(body, dict):
        swapped: dict[str, Any] = {}
        for name, value in body.items():
            if name.endswith("Key") and isinstance(value, str):
                swapped[name] = keys["mask" if "Mask" in name else "image"]
            else:
                swapped[name] = with_real_keys(value, keys)
        return swapped
    return body


class ContractViolation(AssertionError):
    """An exchange that does not match the spec; the message starts with the operation id."""

    def __init__(self, operation_id: str, label: str, problems: list[str]) -> None:
        self.operation_id = operation_id
        self.problems = problems
        text = "\n\n".join(f"- {problem}" for problem in problems)
        super().__init__(f"{operation_id} ({label}) breaks the contract:\n{text}")


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


#: `full`: the whole spec, guesses included: what Prism and the simulator implement.
#: `vendor`: only what the vendor documents (tools/spec_report.vendor_view), for real servers.
VIEWS = ("full", "vendor")
OPEN_STATUS_NOTE = (
    "Any other status: the vendor's status lists look like springfox boilerplate (see the spec's "
    "Status codes section), so a status outside them is not held against a real server. The "
    "bodies of the documented statuses are still checked."
)


def contract_spec(view: str, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """The spec the suite checks answers against.

    The vendor view drops this project's guesses (limits, bodies of 401/403/404, the 400/413/500
    answers, inferred operations). It also gives each operation a `default` response with no
    body: what a real server answers outside the vendor's boilerplate lists is unknown, not a
    violation; what it answers inside them is checked against the documented body.
    """
    spec = spec if spec is not None else load_spec()
    if view == "full":
        return spec
    if view != "vendor":
        raise ValueError(f"unknown contract view {view!r}; use one of {VIEWS}")
    from tools.spec_report import vendor_view

    checked = vendor_view(spec)
    for item in checked["paths"].values():
        for method in HTTP_METHODS:
            if method in item:
                item[method]["responses"].setdefault("default", {"description": OPEN_STATUS_NOTE})
    return checked


@dataclass(frozen=True)
class OperationInfo:
    operation_id: str
    path: str
    method: str
    definition: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def operations(spec: dict[str, Any]) -> dict[str, OperationInfo]:
    found: dict[str, OperationInfo] = {}
    for path, item in spec["paths"].items():
        for method, definition in item.items():
            if method in HTTP_METHODS:
                op_id = definition["operationId"]
                found[op_id] = OperationInfo(op_id, path, method, definition)
    return found


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` chain."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented_responses(spec: dict[str, Any], op_id: str) -> dict[str, dict[str, Any]]:
    """Status code -> resolved response object of one operation."""
    definition = operations(spec)[op_id].definition
    return {code: resolve(spec, resp) for code, resp in definition["responses"].items()}


def response_examples(response: dict[str, Any]) -> dict[str, Any]:
    """Named examples of a response's JSON content ({} when it has a single `example` or none)."""
    content = response.get("content", {}).get("application/json", {})
    examples: dict[str, Any] = content.get("examples", {})
    return {name: ex["value"] for name, ex in examples.items()}


def build_schema(
    spec: dict[str, Any],
    *,
    base_url: str,
    api_key: str,
    excluded_checks: tuple[str, ...] | list[str] = (),
    request_timeout: float = 10.0,
) -> BaseSchema:
    schema = schemathesis.openapi.from_dict(copy.deepcopy(spec))
    schema.config.update(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}"},
        request_timeout=request_timeout,
    )
    if excluded_checks:
        schema.config.checks.update(excluded_check_names=list(excluded_checks))
    return schema


# --- request side --------------------------------------------------------------------------------


def sent_body(request: httpx.Request) -> bytes | None:
    """The body of a sent request, or None when it was streamed and cannot be read again."""
    try:
        return request.content
    except httpx.RequestNotRead:
        try:
            return request.read()
        except (httpx.RequestNotRead, RuntimeError, TypeError):
            return None


def request_body_problems(spec: dict[str, Any], op_id: str, request: httpx.Request) -> list[str]:
    """Validate a sent JSON body against the operation's request schema (works for any target)."""
    body_def = operations(spec)[op_id].definition.get("requestBody")
    if body_def is None:
        return []
    body_def = resolve(spec, body_def)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = body_def.get("content", {})
    content = sent_body(request)
    if content is None:
        return []  # a streamed body (multipart from the async client): not re-readable
    if not content:
        required = body_def.get("required")
        return ["the request has no body but the spec requires one"] if required else []
    if media not in declared:
        sent_as = media or "no content type"
        return [f"the request body is sent as {sent_as}, the spec declares {sorted(declared)}"]
    if media != "application/json":
        return []
    try:
        instance = json.loads(content)
    except ValueError as exc:
        return [f"the request body is not JSON: {exc}"]
    # Draft 4 ignores keywords next to `$ref`, and `#/components/...` resolves against this object.
    root = {
        "$ref": "#/x-body",
        "x-body": declared[media]["schema"],
        "components": spec["components"],
    }
    validator = jsonschema.Draft4Validator(root)
    return [
        f"request body {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    ]


# --- response side -------------------------------------------------------------------------------


def _case_for(operation: APIOperation, request: httpx.Request) -> Any:
    body: Any = None
    content = sent_body(request)
    if content and request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(content)
        except ValueError:
            body = None
    kwargs: dict[str, Any] = {
        "query": dict(request.url.params),
        "headers": {k: v for k, v in request.headers.items() if k.lower() != "authorization"},
    }
    if body is not None:
        kwargs["body"] = body
        kwargs["media_type"] = "application/json"
    return operation.Case(**kwargs)


def response_failures(operation: APIOperation, response: httpx.Response) -> list[AssertionError]:
    """Schemathesis' response checks on a response captured from any client, as failure objects
    (`UndefinedStatusCode`, `JsonSchemaError` with its instance path, ...)."""
    case = _case_for(operation, response.request)
    try:
        case.validate_response(response, checks=CONFORMANCE_CHECKS)
    except FailureGroup as group:
        return list(group.exceptions)
    except AssertionError as exc:  # a single failure is raised without a group
        return [exc]
    return []


def response_problems(operation: APIOperation, response: httpx.Response) -> list[str]:
    """Run schemathesis' response checks on a response captured from any client."""
    return [str(failure) for failure in response_failures(operation, response)]


def prism_violations(response: httpx.Response) -> list[str]:
    """Prism's `sl-violations` header, in words: which side of the exchange broke the spec."""
    raw = response.headers.get("sl-violations")
    if not raw:
        return []
    try:
        violations = json.loads(raw)
    except ValueError:
        return [f"Prism reports violations: {raw}"]
    found = []
    for violation in violations:
        location = violation.get("location", [])
        side = "request" if location[:1] == ["request"] else "response (the spec's own example)"
        where = ".".join(map(str, location))
        found.append(
            f"Prism reports that the {side} violates the spec at {where}: "
            f"{violation.get('message')}"
        )
    return found


@dataclass
class Expectation:
    status: int | None = None  # exact status the answer must have
    success: bool = False  # the answer must be 2xx
    body: Any = None  # the JSON body must equal this (a named example)
    extra: list[str] = field(default_factory=list)
    # A stateful server may refuse a schema-valid request (an example's file key it never
    # stored); the request body is still checked against the spec on our side.
    rejection_ok: bool = False


def validate_exchange(
    schema: BaseSchema,
    op_id: str,
    response: httpx.Response,
    expectation: Expectation | None = None,
) -> None:
    """Fail with a ContractViolation naming `op_id` unless request and response match the spec."""
    expectation = expectation or Expectation()
    spec: dict[str, Any] = schema.raw_schema
    info = operations(spec)[op_id]
    operation = schema.find_operation_by_id(op_id)  # type: ignore[attr-defined]
    problems = list(expectation.extra)

    # The request as the client sent it.
    problems += request_body_problems(spec, op_id, response.request)
    problems += prism_violations(response)
    rejected = response.status_code in (400, 422) and expectation.status not in (400, 422)
    if rejected and not expectation.rejection_ok:
        problems.append(
            f"the server rejected the request with {response.status_code}: {response.text[:500]}"
        )

    # The status the test asked for.
    if expectation.status is not None and response.status_code != expectation.status:
        problems.append(
            f"expected status {expectation.status}, got {response.status_code}: "
            f"{response.text[:300]}"
        )
    if expectation.success and not 200 <= response.status_code < 300:
        problems.append(f"expected a 2xx answer, got {response.status_code}: {response.text[:300]}")

    # The response against the spec.
    problems += response_problems(operation, response)
    if expectation.body is not None and response.status_code < 500:
        try:
            actual = response.json()
        except ValueError:
            actual = response.text
        if actual != expectation.body:
            problems.append(f"the body is not the requested example: {json.dumps(actual)[:500]}")

    if problems:
        raise ContractViolation(op_id, info.label, problems)


# --- example requests built from the spec --------------------------------------------------------


def example_request(spec: dict[str, Any], op_id: str) -> dict[str, Any]:
    """httpx.request() keyword arguments of a valid request made from the spec's own examples."""
    info = operations(spec)[op_id]
    definition = info.definition
    path = info.path
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    for raw in definition.get("parameters", []):
        param = resolve(spec, raw)
        if not param.get("required") or "example" not in param:
            continue
        value = param["example"]
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if param["in"] == "path":
            # The examples need no percent-encoding (the generated client encodes path params).
            path = path.replace("{" + param["name"] + "}", text)
        elif param["in"] == "query":
            query[param["name"]] = text
        elif param["in"] == "header":
            headers[param["name"]] = text
    kwargs: dict[str, Any] = {"method": info.method.upper(), "url": path, "params": query}
    body_def = definition.get("requestBody")
    if body_def is not None:
        content = resolve(spec, body_def)["content"]
        if "application/json" in content:
            media = content["application/json"]
            if "examples" in media:
                value = next(iter(media["examples"].values()))["value"]
            else:
                value = media["example"]
            kwargs["json"] = value
        elif "multipart/form-data" in content:
            # Every part carries a Content-Type: Prism 5.14.2 crashes on a part without one (#2672).
            kwargs["files"] = {"file": ("product.png", PNG_BYTES, "image/png")}
        elif "application/octet-stream" in content:
            kwargs["content"] = PNG_BYTES
            headers["Content-Type"] = "application/octet-stream"
    kwargs["headers"] = headers
    return kwargs


def check_documented_status(
    schema: BaseSchema,
    http: httpx.Client,
    op_id: str,
    status: str,
    example: str | None = None,
) -> httpx.Response:
    """Ask Prism for one documented status (and named example) of `op_id`; validate the answer."""
    spec: dict[str, Any] = schema.raw_schema
    kwargs = example_request(spec, op_id)
    prefer = f"code={status}" + (f", example={example}" if example else "")
    kwargs["headers"] = {**kwargs["headers"], "Prefer": prefer}
    response = http.request(**kwargs)
    expected_body = None
    if example is not None:
        expected_body = response_examples(documented_responses(spec, op_id)[status])[example]
    validate_exchange(schema, op_id, response, Expectation(status=int(status), body=expected_body))
    return response
