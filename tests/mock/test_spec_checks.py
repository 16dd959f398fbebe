"""The request checks derived from the spec's JSON schemas (OAS 3.0: JSON Schema draft 4)."""

from __future__ import annotations

from typing import Any

import pytest

from sellerpic_mock.spec import SchemaCheck, constraints, default_spec


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


def _edges(schema: dict[str, Any]) -> list[Any]:
    """Values on and just past each bound of a field's schema (its nested fields' too)."""
    lean = constraints(schema)
    found: list[Any] = []
    for bound in (lean.get("minLength"), lean.get("maxLength")):
        if bound is not None:
            found += ["k" * n for n in (bound - 1, bound, bound + 1) if n >= 0]
    for bound in (lean.get("minimum"), lean.get("maximum")):
        if bound is not None:
            found += [bound - 1, bound, bound + 1, bound + 0.5, float(bound)]
    found += [value + "x" for value in lean.get("enum", [])]
    for name, sub in lean.get("properties", {}).items():
        found += [{name: edge} for edge in _edges(sub)]
    return found


def _near(body: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """`body`, and bodies one change away from it: each field probed, set on and past its
    bounds, dropped; an extra field."""
    properties = schema.get("properties", {})
    names = list(properties) + list(body)
    variants: list[Any] = [body, {**body, "unknownField": 1}]
    for name in names:
        edges = _edges(properties.get(name, {}))
        variants += [{**body, name: probe} for probe in PROBES + edges]
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


# --- the compiled check answers yes only where jsonschema does ---------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sellerpic_mock.fastcheck import compile_check  # noqa: E402

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def _bodies(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Objects over the schema's own field names (a random one is almost never an object of
    them), each field valid-looking or anything at all."""
    names = sorted(schema.get("properties", {})) or ["x"]
    field = st.sampled_from(PROBES) | _JSON | st.text(max_size=70)
    return st.dictionaries(st.sampled_from(names), field, max_size=len(names) + 1) | _JSON


@pytest.mark.parametrize(("name", "schema"), _schemas(), ids=[name for name, _ in _schemas()])
def test_every_request_schema_has_a_compiled_check(name: str, schema: dict[str, Any]) -> None:
    assert SchemaCheck(schema)._accepts is not None, name


@pytest.mark.parametrize(("name", "schema"), _schemas(), ids=[name for name, _ in _schemas()])
def test_the_compiled_check_agrees_on_documented_bodies_and_near_misses(
    name: str, schema: dict[str, Any]
) -> None:
    from jsonschema import Draft4Validator

    full, fast = Draft4Validator(schema), compile_check(constraints(schema))
    assert fast is not None
    values: list[Any] = PROBES + _edges(schema)
    for body in _examples(name) if "." not in name else []:
        values += _near(body, schema)
    for value in values:
        assert fast(value) == full.is_valid(value), (name, value)


@pytest.mark.parametrize(("name", "schema"), _schemas(), ids=[name for name, _ in _schemas()])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_compiled_check_agrees_on_generated_values(
    name: str, schema: dict[str, Any], data: st.DataObject
) -> None:
    from jsonschema import Draft4Validator

    value = data.draw(_bodies(schema))
    fast = compile_check(constraints(schema))
    assert fast is not None
    assert fast(value) == Draft4Validator(schema).is_valid(value), (name, value)


KEYWORD_CASES: list[tuple[dict[str, Any], list[Any]]] = [
    ({"type": "integer"}, [0, -3, 1.0, 2.5, True, "1", None]),
    ({"type": "number"}, [0, 1.5, True, "1", None]),
    ({"type": ["string", "null"]}, ["", None, 0, False]),
    ({"type": "array"}, [[], [1], {}, "[]"]),
    ({"type": "boolean"}, [True, False, 0, 1, "true"]),
    ({"minimum": 1, "maximum": 3}, [0, 1, 3, 3.5, True, False, "2", None]),
    ({"minimum": 1, "exclusiveMinimum": True}, [1, 1.01, 2, True]),
    ({"maximum": 3, "exclusiveMaximum": True}, [3, 2.99, 4]),
    ({"minLength": 2, "maxLength": 3}, ["a", "ab", "abcd", "😀😀", 12, None]),
    ({"pattern": "^#[0-9a-f]{3}$"}, ["#abc", "#abcd", "x#abc", 3, None]),
    ({"pattern": "b"}, ["abc", "a"]),
    ({"enum": ["A", "B"]}, ["A", "C", 1, None, ["A"]]),
    ({"required": ["a"], "properties": {"a": {"type": "string"}}}, [{}, {"a": 1}, {"a": "x"}, []]),
    ({"format": "uri", "type": "string"}, ["not a uri", 1]),
]


@pytest.mark.parametrize(("schema", "values"), KEYWORD_CASES)
def test_each_keyword_means_what_it_means_to_jsonschema(
    schema: dict[str, Any], values: list[Any]
) -> None:
    from jsonschema import Draft4Validator

    fast = compile_check(schema)
    assert fast is not None
    assert [fast(v) for v in values] == [Draft4Validator(schema).is_valid(v) for v in values]


@pytest.mark.parametrize(
    "schema",
    [
        {"additionalProperties": False},
        {"items": {"type": "string"}},
        {"properties": {"a": {"oneOf": [{"type": "string"}]}}},
        {"enum": [1, True]},
        {"type": "file"},
    ],
)
def test_a_schema_beyond_the_compiled_keywords_is_left_to_jsonschema(
    schema: dict[str, Any],
) -> None:
    assert compile_check(schema) is None
    check = SchemaCheck(schema)
    assert check._accepts is None
