"""The vendor-only view: the spec without anything this project inferred, still a valid spec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate

from contract_tests.checking import resolve
from tests.spec.conftest import ROOT
from tools.spec_report import counts, inferred_items, vendor_view


def test_the_vendor_view_is_a_valid_spec_without_inferred_items(spec: dict[str, Any]) -> None:
    view = vendor_view(spec)
    validate(view)
    assert inferred_items(view) == []
    assert inferred_items(spec)


def test_inferred_operations_and_paths_are_left_out(spec: dict[str, Any]) -> None:
    view = vendor_view(spec)
    assert "/v1/api/generate/lifestyleScene" not in view["paths"]
    assert "/v1/api/generate/removeBackground" not in view["paths"]
    # uploadFile is documented, but its URL shape is not: the view has no path for it.
    assert not any(p.startswith("/UPLOAD/") for p in view["paths"])
    assert "/v1/api/generate/tryOnAccessories" in view["paths"]


def test_inferred_keywords_go_and_documented_ones_stay(spec: dict[str, Any]) -> None:
    schemas = vendor_view(spec)["components"]["schemas"]
    prompt = schemas["InstructEditRequest"]["properties"]["prompt"]
    assert "maxLength" not in prompt and "minLength" not in prompt
    assert schemas["InstructEditRequest"]["required"] == ["imageKey", "prompt"]
    assert "maxLength" not in schemas["FileKey"] and schemas["FileKey"]["type"] == "string"
    assert "maxItems" not in schemas["TaskResult"]["properties"]["resultList"]
    colour = schemas["ReplaceBackgroundRequest"]["properties"]["backgroundColor"]
    assert "pattern" not in colour and "maxLength" not in colour
    page_num = next(p for p in view_params(spec, "/v1/api/presets") if p["name"] == "pageNum")
    assert "maximum" not in page_num["schema"] and page_num["schema"]["minimum"] == 1
    # Documented limits are kept: page size at most 50, 40 MB per multipart upload.
    assert schemas["PresetPage"]["properties"]["list"]["maxItems"] == 50
    assert schemas["UploadAssetFileRequest"]["properties"]["file"]["maxLength"] == 41943040
    assert "expression" not in schemas["SwapModelRequest"]["properties"]
    assert "modelId" in schemas["SwapModelRequest"]["properties"]


def view_params(spec: dict[str, Any], path: str) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = vendor_view(spec)["paths"][path]["get"]["parameters"]
    return params


def test_inferred_responses_bodies_and_examples_go(spec: dict[str, Any]) -> None:
    view = vendor_view(spec)
    create = view["paths"]["/v1/api/generate/tryOnAccessories"]["post"]["responses"]
    assert set(create) == {"200", "201", "401", "403", "404"}
    assert "content" not in resolve(view, create["401"])
    examples = resolve(view, create["200"])["content"]["application/json"]["examples"]
    assert set(examples) == {"created", "concurrencyLimit"}
    status = view["paths"]["/v1/api/generate"]["get"]["responses"]["200"]
    assert "partlyFailed" not in status["content"]["application/json"]["examples"]
    for gone in ("ErrorResponse", "LifestyleSceneRequest", "RemoveBackgroundRequest"):
        assert gone not in view["components"]["schemas"]
    assert "BadRequest" not in view["components"]["responses"]


def test_the_view_leaves_the_spec_untouched(spec: dict[str, Any]) -> None:
    before = yaml.safe_dump(spec)
    vendor_view(spec)
    assert yaml.safe_dump(spec) == before


def test_spec_report_prints_both_counts_and_every_inferred_item(spec: dict[str, Any]) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "spec_report.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for item in inferred_items(spec):
        assert item.describe() in done.stdout
    full, vendor = counts(spec), counts(vendor_view(spec))
    assert vendor["inferred items"] == 0 and full["inferred items"] == len(inferred_items(spec))
    assert vendor["constraints"] < full["constraints"]
    row = f"{'constraints':<16}{full['constraints']:>11}{vendor['constraints']:>13}"
    assert row in done.stdout


def test_vendor_only_prints_the_view_as_yaml(spec: dict[str, Any], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "spec_report.py"), "--vendor-only"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert yaml.safe_load(done.stdout) == vendor_view(spec)
