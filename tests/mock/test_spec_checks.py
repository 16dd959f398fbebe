"""The compiled schema checks (fastjsonschema) must agree with jsonschema, the authority, on
every value: a value only the compiled code accepted would let an invalid request through."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sellerpic_mock.spec import SchemaCheck, default_spec


def _checks() -> dict[str, SchemaCheck]:
    found: dict[str, SchemaCheck] = {}
    for op_id, op in default_spec().operations.items():
        if op.body_check is not None:
            found[f"{op_id}.body"] = op.body_check
        for param in (*op.query, *op.headers):
            found[f"{op_id}.{param.name}"] = param.check
    return found


CHECKS = _checks()


def _names(schema: dict[str, Any]) -> list[str]:
    return sorted(schema.get("properties", {})) or ["x"]


def _walk(schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, dict):
        return [schema] + [node for value in schema.values() for node in _walk(value)]
    if isinstance(schema, list):
        return [node for value in schema for node in _walk(value)]
    return []


def _enum_values(schema: dict[str, Any]) -> list[Any]:
    return [value for node in _walk(schema) for value in node.get("enum", [])] or [""]


def _edges(schema: dict[str, Any]) -> tuple[list[str], list[float]]:
    """Strings one short of, at and one past every length limit; numbers around every bound."""
    strings: list[str] = [""]
    numbers: list[float] = [0]
    for node in _walk(schema):
        for key in ("minLength", "maxLength"):
            if isinstance(node.get(key), int):
                strings += ["x" * n for n in (node[key] - 1, node[key], node[key] + 1) if n >= 0]
        for key in ("minimum", "maximum"):
            if isinstance(node.get(key), int | float):
                numbers += [node[key] - 1, node[key], node[key] + 1, node[key] + 0.5]
    return strings, numbers


def near_values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """JSON values around the schema: its own field names and enum values, numbers at
    and across integer boundaries, strings of every length near the limits."""
    strings, numbers = _edges(schema)
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([1.0, -1, *numbers]),
        st.text(max_size=40),
        st.sampled_from(strings),
        st.sampled_from(_enum_values(schema)),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.sampled_from(_names(schema)), inner, max_size=4),
        ),
        max_leaves=8,
    )
    base = _example(schema)
    if not isinstance(base, dict):
        return st.one_of(values, st.just(base))
    names = [*_names(schema), "extra"]
    # A valid body with one or two fields changed or dropped: where divergences hide.
    mutated = st.builds(
        lambda changes, dropped: {k: v for k, v in {**base, **changes}.items() if k not in dropped},
        st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=2),
        st.sets(st.sampled_from(names), max_size=1),
    )
    return st.one_of(values, mutated, st.just(base))


def _example(schema: dict[str, Any]) -> Any:
    """A value built from the schema's examples and enums, valid for ordinary schemas."""
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    if "allOf" in schema:  # a described $ref: `{description, allOf: [<the schema>]}`
        return _example(schema["allOf"][0])
    kind = schema.get("type")
    if kind == "object":
        return {name: _example(sub) for name, sub in schema.get("properties", {}).items()}
    if kind in ("integer", "number"):
        return int(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    if kind == "string":
        return "x" * int(schema.get("minLength", 1))
    return None


def _verdicts(check: SchemaCheck, value: Any) -> tuple[bool, bool]:
    return check.error(value) is None, check.validator.is_valid(value)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_compiled_check_agrees_with_jsonschema(name: str) -> None:
    check = CHECKS[name]

    @settings(
        max_examples=100,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(near_values(check.schema))
    def agree(value: Any) -> None:
        fast, authority = _verdicts(check, value)
        assert fast == authority, f"{name}: compiled {fast}, jsonschema {authority} for {value!r}"

    agree()


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_built_example_is_valid(name: str) -> None:
    # The mutations start from it: an invalid start would leave the valid side unexplored.
    check = CHECKS[name]
    assert _verdicts(check, _example(check.schema)) == (True, True)


def test_examples_of_the_spec_pass_both() -> None:
    op = default_spec().create_operations["tryOnAccessories"]
    assert op.body_check is not None
    body = {"modelImageKey": "a", "modelMaskKey": "b", "productImageKey": "c"}
    assert _verdicts(op.body_check, body) == (True, True)
    missing = {"modelImageKey": "a", "modelMaskKey": "b"}
    error = op.body_check.error(missing)
    assert error is not None and "productImageKey" in error.message


@pytest.mark.parametrize("value", [True, 1.0, 2.5, "5", None])
def test_integers_are_integers_for_both(value: Any) -> None:
    # Draft 4 (OAS 3.0): 1.0 and booleans are not integers; a draft 6+ reading would differ.
    schema = {"type": "integer", "minimum": 0, "maximum": 10}
    check = SchemaCheck(schema)
    assert _verdicts(check, value) == (False, False)
