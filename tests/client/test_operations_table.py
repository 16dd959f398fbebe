"""The operation table in code must agree with the spec it was written from."""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml

from sellerpic import AsyncSellerPic, SellerPic
from sellerpic._operations import OPERATIONS

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "sellerpic.yaml"


def test_limits_and_result_counts_match_spec() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    by_id = {
        op["operationId"]: op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "Create Task" in op.get("tags", [])
    }
    assert set(by_id) == {op.operation_id for op in OPERATIONS.values()}
    for op in OPERATIONS.values():
        assert op.concurrency_limit == by_id[op.operation_id]["x-concurrency-limit"], op.name
        assert op.results_per_task == by_id[op.operation_id]["x-results-per-task"], op.name


def test_client_methods_match_operation_params() -> None:
    for op in OPERATIONS.values():
        for cls in (SellerPic, AsyncSellerPic):
            params = inspect.signature(getattr(cls, op.name)).parameters
            assert [p for p in params if p != "self"] == [p.name for p in op.params], op.name


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(word.title() for word in rest)


def test_ranges_choices_and_formats_match_spec() -> None:
    """The local checks (17.5) read the table; the table must say what the spec says."""
    from sellerpic._operations import IMAGE_FORMATS, PRESET_TYPES, VIDEO_FORMATS

    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    by_id = {
        op["operationId"]: op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "Create Task" in op.get("tags", [])
    }
    checked = 0
    for op in OPERATIONS.values():
        ref = by_id[op.operation_id]["requestBody"]["content"]["application/json"]["schema"]
        properties = schemas[ref["$ref"].rsplit("/", 1)[1]].get("properties", {})
        for param in op.params:
            if param.kind not in ("int", "float") or param.field is None:
                continue
            prop = properties[_camel(param.field)]
            assert (param.minimum, param.maximum) == (
                prop.get("minimum"),
                prop.get("maximum"),
            ), (op.name, param.name)
            checked += 1
    assert checked >= 3
    download = schemas["DownloadFormat"]
    assert set(IMAGE_FORMATS) | set(VIDEO_FORMATS) == set(download["enum"])
    description = download["description"]
    assert f"images {', '.join(sorted(IMAGE_FORMATS, key='jpg png webp'.find))};" in description
    assert f"videos {', '.join(sorted(VIDEO_FORMATS, key='mp4 gif webp'.find))}" in description
    assert tuple(schemas["PresetType"]["enum"]) == PRESET_TYPES
    replace = OPERATIONS["replace_background"].param("replace_type")
    assert replace.choices == tuple(schemas["ReplaceType"]["enum"])
