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
