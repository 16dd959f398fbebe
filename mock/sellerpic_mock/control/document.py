"""The control API's own OpenAPI document (openapi.yaml beside this module), and the request
checks derived from its schemas, so what is documented is what is enforced."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ..domain.errors import bad_request

DOCUMENT = Path(__file__).resolve().parent / "openapi.yaml"


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    return loaded


@cache
def document_json() -> bytes:
    return orjson.dumps(document())


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    root = {
        "$ref": f"#/components/schemas/{schema_name}",
        "components": document()["components"],
    }
    return Draft202012Validator(root)


def check_body(schema_name: str, body: Any) -> dict[str, Any]:
    """`body` if it matches the named schema, else a 400 naming the field and the rule."""
    error = best_match(_validator(schema_name).iter_errors(body))
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "body"
        raise bad_request(f"{where}: {error.message}")
    assert isinstance(body, dict)  # every request schema is an object
    return body
