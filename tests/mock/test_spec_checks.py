"""The request checks derived from the spec's JSON schemas (OAS 3.0: JSON Schema draft 4)."""

from __future__ import annotations

from typing import Any

import pytest

from sellerpic_mock.spec import SchemaCheck, default_spec


def test_a_missing_field_is_named() -> None:
    op = default_spec().create_operations["tryOnAccessories"]
    assert op.body_check is not None
    body = {"modelImageKey": "a", "modelMaskKey": "b", "productImageKey": "c"}
    assert op.body_check.error(body) is None
    missing = {"modelImageKey": "a", "modelMaskKey": "b"}
    error = op.body_check.error(missing)
    assert error is not None and "productImageKey" in error.message


@pytest.mark.parametrize("value", [True, 1.0, 2.5, "5", None])
def test_integers_are_integers(value: Any) -> None:
    # Draft 4 (OAS 3.0): 1.0 and booleans are not integers; a draft 6+ reading would differ.
    check = SchemaCheck({"type": "integer", "minimum": 0, "maximum": 10})
    assert check.error(value) is not None
    assert check.error(3) is None


# --- the validator checks a schema's constraints only, with the same verdicts ---------------

#: Values put in place of each field of a documented body, one at a time.
PROBES: list[Any] = [
    None, True, False, 0, -1, 1, 2, 1.5, 31, 10**20, "", "a", " ", "x" * 2000, "#ff00ff",
    "UPLOAD/1/2026/12/02/abc.png", [], ["a"], [1, 2], {}, {"a": 1},
]  # fmt: skip


def _schemas() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for op in default_spec().operations.values():
        if op.body_schema is not None:
            found.append((op.operation_id, op.body_schema))
        for param in op.query + op.headers:
            found.append((f"{op.operation_id}.{param.name}", param.schema))
    return found


def _examples(operation_id: str) -> list[dict[str, Any]]:
    raw = default_spec().operations[operation_id].raw
    content = raw.get("requestBody", {}).get("content", {}).get("application/json", {})
    return [example["value"] for example in content.get("examples", {}).values()]


def _near(body: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """`body`, and bodies one change away from it: each field probed, dropped, an extra one."""
    names = list(schema.get("properties", {})) + list(body)
    variants: list[Any] = [body, {**body, "unknownField": 1}]
    for name in names:
        variants += [{**body, name: probe} for probe in PROBES]
        variants.append({key: value for key, value in body.items() if key != name})
    return variants


@pytest.mark.parametrize(("name", "schema"), _schemas(), ids=[name for name, _ in _schemas()])
def test_the_lean_schema_gives_the_documents_verdicts(name: str, schema: dict[str, Any]) -> None:
    from jsonschema import Draft4Validator
    from jsonschema.exceptions import best_match

    full, lean = Draft4Validator(schema), SchemaCheck(schema).validator
    values: list[Any] = list(PROBES)
    for body in _examples(name) if "." not in name else []:
        values += _near(body, schema)
    assert len(values) > 10
    for value in values:
        assert full.is_valid(value) == lean.is_valid(value), (name, value)
        if not full.is_valid(value):
            # The field an error names is the same (the message is the 400's msg).
            expected = best_match(full.iter_errors(value))
            got = best_match(lean.iter_errors(value))
            assert expected is not None and got is not None
            assert list(got.absolute_path) == list(expected.absolute_path), (name, value)


def test_lean_schemas_keep_fields_named_like_annotations() -> None:
    from sellerpic_mock.spec import constraints

    schema = {
        "type": "object",
        "description": "dropped",
        "x-evidence": {"source": "inferred"},
        "required": ["description"],
        "properties": {
            "description": {"description": "kept: a field's name", "type": "string"},
            "x-field": {"allOf": [{"type": "integer"}], "example": 3},
        },
    }
    assert constraints(schema) == {
        "type": "object",
        "required": ["description"],
        "properties": {"description": {"type": "string"}, "x-field": {"type": "integer"}},
    }
    # An allOf whose schema shares a keyword with its parent is left as it is.
    both = {"type": "string", "allOf": [{"type": "string", "maxLength": 3}]}
    assert constraints(both) == both
