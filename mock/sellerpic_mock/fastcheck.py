"""A request schema's "is this valid?" compiled to plain Python checks: the one piece kept for
the speed of creates (issue 15; the numbers are in BENCHMARKS.md).

jsonschema stays the validator: it decides every value this module does not pass, and it words
every refusal. This module only answers yes early, for the draft-4 keywords the spec's request
schemas use; a schema with any other keyword gets no compiled check at all. Each keyword means
what it means to jsonschema's Draft4Validator: it applies to values of its own type only, an
integer is an int and never a bool or a float, `format` asserts nothing. The tests hold the two
to the same verdicts on every request schema of the spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

#: Draft4Validator asserts `format` only when given a format checker (the simulator gives none).
_IGNORED = frozenset({"format"})
_TYPES: dict[str, Check] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}
_is_number = _TYPES["number"]


class Unsupported(Exception):
    """The schema uses a keyword, or a form of one, that has no compiled check."""


def compile_check(schema: dict[str, Any]) -> Check | None:
    """True for a value `schema` accepts; None when the schema needs jsonschema to decide.
    `schema` is what `spec.constraints` leaves of one: annotations and extensions are gone."""
    try:
        return _compile(schema)
    except Unsupported:
        return None


def _compile(schema: Any) -> Check:
    if not isinstance(schema, dict):
        raise Unsupported(schema)
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _IGNORED:
            continue
        make = _KEYWORDS.get(keyword)
        if make is None:
            raise Unsupported(keyword)
        checks.append(make(value, schema))
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _type(names: Any, schema: dict[str, Any]) -> Check:
    listed = [names] if isinstance(names, str) else names
    if not isinstance(listed, list) or not all(name in _TYPES for name in listed):
        raise Unsupported(names)
    tests = [_TYPES[name] for name in listed]
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


def _enum(values: Any, schema: dict[str, Any]) -> Check:
    # Strings only: jsonschema's equality tells 1 from True and 1.0, which `in` does not.
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Unsupported(values)
    allowed = frozenset(values)
    return lambda value: isinstance(value, str) and value in allowed


def _length(bound: Any, at_least: bool) -> Check:
    if not isinstance(bound, int) or isinstance(bound, bool):
        raise Unsupported(bound)
    if at_least:
        return lambda value: not isinstance(value, str) or len(value) >= bound
    return lambda value: not isinstance(value, str) or len(value) <= bound


def _pattern(pattern: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(pattern, str):
        raise Unsupported(pattern)
    search = re.compile(pattern).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _bound(limit: Any, exclusive: Any, at_least: bool) -> Check:
    if not _is_number(limit) or not isinstance(exclusive, bool):
        raise Unsupported(limit)
    if at_least:
        if exclusive:
            return lambda value: not _is_number(value) or value > limit
        return lambda value: not _is_number(value) or value >= limit
    if exclusive:
        return lambda value: not _is_number(value) or value < limit
    return lambda value: not _is_number(value) or value <= limit


def _exclusive(flag: Any, schema: dict[str, Any]) -> Check:
    # Draft 4: a flag on minimum or maximum, read with them; alone it constrains nothing.
    if not isinstance(flag, bool):
        raise Unsupported(flag)
    return lambda value: True


def _required(names: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise Unsupported(names)
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _properties(properties: Any, schema: dict[str, Any]) -> Check:
    if not isinstance(properties, dict):
        raise Unsupported(properties)
    checks = [(name, _compile(sub)) for name, sub in properties.items()]

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(name not in value or sub(value[name]) for name, sub in checks)

    return check


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Check]] = {
    "type": _type,
    "enum": _enum,
    "minLength": lambda bound, schema: _length(bound, at_least=True),
    "maxLength": lambda bound, schema: _length(bound, at_least=False),
    "pattern": _pattern,
    "minimum": lambda limit, schema: _bound(limit, schema.get("exclusiveMinimum", False), True),
    "maximum": lambda limit, schema: _bound(limit, schema.get("exclusiveMaximum", False), False),
    "exclusiveMinimum": _exclusive,
    "exclusiveMaximum": _exclusive,
    "required": _required,
    "properties": _properties,
}
