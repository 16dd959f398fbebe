"""The OpenAPI spec, loaded once: request validators and the x- extensions the domain obeys.

Schemas are never re-typed here; everything comes from openapi/sellerpic.yaml so a spec change
reaches the simulator on the next start.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match

_HERE = Path(__file__).resolve().parent
SPEC_CANDIDATES = (_HERE / "sellerpic.yaml", _HERE.parent.parent / "openapi" / "sellerpic.yaml")
CREATE_PREFIX = "/v1/api/generate/"


class InvalidRequest(ValueError):
    """A request the spec refuses; the message names the field and the rule (the 400's msg)."""


def find_spec() -> Path:
    for candidate in SPEC_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"sellerpic.yaml not found in {[str(c) for c in SPEC_CANDIDATES]}")


def _resolve(node: Any, root: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline every local $ref (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _resolve(copy.deepcopy(target), root, (*seen, ref))
        return {key: _resolve(value, root, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, root, seen) for item in node]
    return node


def _field_message(error: ValidationError) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        name = f"{path}.{missing}" if path and missing else missing or path
        return f"{name}: field required"
    return f"{path or 'body'}: {error.message}"


class SchemaCheck:
    """One schema's verdict on a value (OAS 3.0 schemas are JSON Schema draft 4)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.validator = Draft4Validator(schema)

    def error(self, value: Any) -> ValidationError | None:
        """None for a valid value, else the error that best names the field."""
        if self.validator.is_valid(value):
            return None
        found: ValidationError | None = best_match(self.validator.iter_errors(value))
        return found


@dataclass(frozen=True)
class QueryParam:
    name: str
    required: bool
    schema: dict[str, Any]
    check: SchemaCheck

    def coerce(self, raw: str) -> Any:
        kind = self.schema.get("type")
        if kind == "integer":
            try:
                return int(raw)
            except ValueError:
                raise InvalidRequest(f"{self.name}: must be an integer") from None
        if kind == "boolean":
            lowered = raw.lower()
            if lowered not in ("true", "false"):
                raise InvalidRequest(f"{self.name}: must be true or false")
            return lowered == "true"
        return raw


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    raw: dict[str, Any]
    query: list[QueryParam] = field(default_factory=list)
    headers: list[QueryParam] = field(default_factory=list)
    body_schema: dict[str, Any] | None = None
    body_check: SchemaCheck | None = None

    @property
    def statuses(self) -> set[str]:
        return set(self.raw.get("responses", {}))

    @property
    def concurrency_limit(self) -> int:
        return int(self.raw.get("x-concurrency-limit", 10))

    def results_for(self, body: dict[str, Any]) -> int:
        """How many results a task of this body produces (replaceBackground: by replaceType)."""
        by_type = self.raw.get("x-results-by-replace-type", {})
        # Operations that do not declare replaceType accept it as any value, even an object.
        replace_type = body.get("replaceType")
        if isinstance(replace_type, str) and replace_type in by_type:
            return int(by_type[replace_type])
        return int(self.raw.get("x-results-per-task", 1))

    def check_headers(self, headers: Any) -> None:
        """Validate the declared header parameters (only Content-Type today)."""
        for param in self.headers:
            raw = headers.get(param.name)
            error = None if raw is None else param.check.error(raw)
            if error is not None:
                raise InvalidRequest(f"{param.name}: {error.message}")

    def parse_query(self, params: Any, headers: Any = None) -> dict[str, Any]:
        """Coerce and validate the query string (`params`: name -> raw value)."""
        if headers is not None:
            self.check_headers(headers)
        values: dict[str, Any] = {}
        for param in self.query:
            raw = params.get(param.name)
            if raw is None:
                if param.required:
                    raise InvalidRequest(f"{param.name}: query parameter required")
                if "default" in param.schema:
                    values[param.name] = param.schema["default"]
                continue
            value = param.coerce(raw)
            error = param.check.error(value)
            if error is not None:
                raise InvalidRequest(f"{param.name}: {error.message}")
            values[param.name] = value
        return values

    def validate_body(self, body: Any) -> dict[str, Any]:
        if self.body_check is None or self.body_schema is None:
            raise InvalidRequest("body: this operation takes no JSON body")
        error = self.body_check.error(body)
        if error is not None:
            raise InvalidRequest(_field_message(error))
        assert isinstance(body, dict)  # the schema's type: object guarantees it
        one_of = self.body_schema.get("x-one-of-required")
        if one_of and not any(body.get(name) for name in one_of):
            names = ", ".join(one_of)
            raise InvalidRequest(f"{'|'.join(one_of)}: at least one of {names} required")
        by_type = self.body_schema.get("x-required-by-replace-type")
        if by_type:
            needed = by_type.get(body.get("replaceType"))
            if needed and body.get(needed) in (None, ""):
                raise InvalidRequest(
                    f"{needed}: field required when replaceType is {body['replaceType']}"
                )
        return body


class Spec:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or find_spec()
        with self.path.open(encoding="utf-8") as handle:
            root = yaml.safe_load(handle)
        self.document: dict[str, Any] = _resolve(root, root)
        self.operations: dict[str, Operation] = {}
        for route, item in self.document["paths"].items():
            for method, raw in item.items():
                if method not in ("get", "put", "post", "delete", "patch"):
                    continue
                self.operations[raw["operationId"]] = self._operation(route, method, raw)

    @staticmethod
    def _operation(route: str, method: str, raw: dict[str, Any]) -> Operation:
        op = Operation(raw["operationId"], method.upper(), route, raw)
        for param in raw.get("parameters", []):
            if param.get("in") not in ("query", "header"):
                continue
            schema = param.get("schema", {})
            target = op.query if param["in"] == "query" else op.headers
            target.append(
                QueryParam(param["name"], bool(param.get("required")), schema, SchemaCheck(schema))
            )
        content = raw.get("requestBody", {}).get("content", {})
        json_body = content.get("application/json")
        if json_body is not None:
            op.body_schema = json_body["schema"]
            op.body_check = SchemaCheck(json_body["schema"])
        return op

    @cached_property
    def create_operations(self) -> dict[str, Operation]:
        return {
            op_id: op
            for op_id, op in self.operations.items()
            if op.method == "POST" and op.path.startswith(CREATE_PREFIX)
        }

    def response_schema(self, operation_id: str, status: int) -> dict[str, Any] | None:
        """The JSON schema of a documented response, or None when it has no JSON body."""
        responses = self.operations[operation_id].raw["responses"]
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            raise KeyError(f"{operation_id} does not document HTTP {status}")
        content = response.get("content", {}).get("application/json")
        return None if content is None else dict(content["schema"])


@cache
def default_spec() -> Spec:
    """The spec parsed once per process; apps built in the same process share it."""
    return Spec()
