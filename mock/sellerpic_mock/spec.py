"""The OpenAPI spec, loaded once: request validators and the operations' facts.

Schemas are never re-typed here: the document and every API fact (limits, results, credits,
image rules) come from `sellerpic_spec`, the JSON copy of openapi/sellerpic.yaml that the client
reads too, so a spec change reaches both on the next start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match

from sellerpic_spec import Catalog, OperationFacts, catalog, resolved_document, spec_path

from .fastcheck import compile_check

CREATE_PREFIX = "/v1/api/generate/"


def find_spec() -> Path:
    """The spec file the simulator serves (the JSON bundled in `sellerpic_spec`)."""
    return spec_path()


def _field_message(error: ValidationError) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        name = f"{path}.{missing}" if path and missing else missing or path
        return f"{name}: field required"
    return f"{path or 'body'}: {error.message}"


class InvalidRequest(ValueError):
    """A request the spec refuses; the message names the field and the rule (the 400's msg)."""


#: Keywords that describe a schema and constrain nothing.
_ANNOTATIONS = frozenset({"default", "description", "example", "examples", "title", "deprecated"})
#: Keywords whose value maps names to schemas, or is a schema, or a list of schemas.
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def constraints(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the same verdicts in fewer steps: annotations and `x-` extensions dropped,
    and an `allOf` of one schema (how the spec attaches a description to a `$ref`) merged into
    its parent when their keywords do not overlap. The validator takes a step for every
    keyword and descends into every `allOf`, annotations and wrappers included."""
    lean: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword in _SCHEMA_MAPS and isinstance(value, dict):
            value = {name: _constraints_of(sub) for name, sub in value.items()}
        elif keyword in _SCHEMA_VALUES:
            value = _constraints_of(value)
        elif keyword in _SCHEMA_LISTS and isinstance(value, list):
            value = [_constraints_of(sub) for sub in value]
        lean[keyword] = value
    only = lean.get("allOf")
    inner = only[0] if isinstance(only, list) and len(only) == 1 else None
    if isinstance(inner, dict) and not set(inner) & (set(lean) - {"allOf"}):
        del lean["allOf"]
        lean.update(inner)
    return lean


def _constraints_of(value: Any) -> Any:
    return constraints(value) if isinstance(value, dict) else value


class SchemaCheck:
    """One schema's verdict on a value (OAS 3.0 schemas are JSON Schema draft 4)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        lean = constraints(schema)
        self.validator = Draft4Validator(lean)
        self._accepts = compile_check(lean)

    def error(self, value: Any) -> ValidationError | None:
        """None for a valid value, else the error that best names the field."""
        if self._accepts is not None and self._accepts(value):
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
    facts: OperationFacts
    query: list[QueryParam] = field(default_factory=list)
    headers: list[QueryParam] = field(default_factory=list)
    body_schema: dict[str, Any] | None = None
    body_check: SchemaCheck | None = None

    @property
    def statuses(self) -> set[str]:
        return set(self.raw.get("responses", {}))

    @property
    def concurrency_limit(self) -> int:
        return self.facts.limit

    def results_for(self, body: dict[str, Any]) -> int:
        """How many results a task of this body produces (replaceBackground: by replaceType)."""
        return self.facts.results_for(body)

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
        """The bundled spec, or the JSON spec at `path` (a variant under test)."""
        self.path = path or find_spec()
        if path is None:
            self.catalog = catalog()
            self.document: dict[str, Any] = resolved_document()
        else:
            self.catalog = Catalog(json.loads(path.read_text(encoding="utf-8")))
            self.document = self.catalog.resolved
        self.operations: dict[str, Operation] = {}
        for route, item in self.document["paths"].items():
            for method, raw in item.items():
                if method not in ("get", "put", "post", "delete", "patch"):
                    continue
                op_id = raw["operationId"]
                facts = self.catalog.operation(op_id)
                self.operations[op_id] = self._operation(route, method, raw, facts)

    @staticmethod
    def _operation(
        route: str, method: str, raw: dict[str, Any], facts: OperationFacts
    ) -> Operation:
        op = Operation(raw["operationId"], method.upper(), route, raw, facts)
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
