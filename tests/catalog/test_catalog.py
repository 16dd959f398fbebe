"""The catalogue answers each operation's facts from the bundled spec, read once and late."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sellerpic_spec import Catalog, catalog, document, resolved_document, spec_path

ROOT = Path(__file__).resolve().parents[2]
#: The x- extensions that carry facts beyond the schemas; each must say where it comes from.
LABELLED = (
    "x-credits",
    "x-image-rules",
    "x-mask-rules",
    "x-masks",
    "x-preset-fields",
    "x-url-lifetime",
    "x-formats-by-result-kind",
)
SOURCES = {"documented", "documented-1.0.1", "public-client", "inferred"}


def test_the_bundled_json_is_the_yaml_spec() -> None:
    # `make check-generated` fails on a stale copy; this says so without running the generator.
    source = yaml.safe_load((ROOT / "openapi" / "sellerpic.yaml").read_text(encoding="utf-8"))
    assert json.loads(spec_path().read_text(encoding="utf-8")) == source


def test_import_parses_nothing_until_a_fact_is_asked() -> None:
    script = (
        "import sellerpic_spec, sellerpic.cli\n"
        "from sellerpic_spec import _catalog\n"
        "sellerpic.cli.build_parser(None)\n"  # what `sellerpic --help` does
        "print(_catalog.document.cache_info().currsize)\n"
        "sellerpic_spec.catalog().operation('swapModel')\n"
        "print(_catalog.document.cache_info().currsize)\n"
        "import sys; print('yaml' in sys.modules, 'jsonschema' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["0", "1", "False", "False"]


def test_import_loads_nothing_the_cli_start_up_would_wait_for() -> None:
    script = (
        "import sys, sellerpic_spec\n"
        "print([m for m in ('json', 'pathlib', 'typing', 'fractions', 'PIL') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_results_credits_and_cost() -> None:
    replace = catalog().operation("replaceBackground")
    assert replace.results_for({"replaceType": "AI_BACKGROUND"}) == 4
    assert replace.results_for({"replaceType": "SOLID_COLOR_BACKGROUND"}) == 1
    assert replace.results_for({}) == 4
    video = catalog().operation("imageToVideo")
    assert [video.cost({"videoDuration": d}) for d in (0, 5, 10)] == [10, 10, 15]
    assert video.result_kind == "video" and video.default_format == "mp4"
    assert catalog().operation("segmentImage").cost({}) == 0
    accessories = catalog().operation("tryOnAccessories")
    assert (accessories.cost({}), accessories.default_format) == (2, "png")
    assert accessories.concurrency_limit == 10
    assert catalog().operation("instructEdit").concurrency_limit == 5


def test_file_keys_masks_and_presets() -> None:
    apparel = catalog().operation("tryOnApparel")
    body = {"modelImageKey": "UPLOAD/a.png", "top": {"imageKey": "UPLOAD/b.png"}, "x": "y"}
    assert apparel.file_keys(body) == [
        ("modelImageKey", "UPLOAD/a.png"),
        ("top.imageKey", "UPLOAD/b.png"),
    ]
    assert apparel.one_of_required == ("top", "bottom", "onePiece")
    assert catalog().operation("swapModel").masks == {"modelMaskKey": "modelImageKey"}
    swap = catalog().operation("swapModel")
    assert swap.presets_in({"modelId": "101", "sceneId": ""}) == [("modelId", "SWAP_MODEL")]
    replace = catalog().operation("replaceBackground")
    assert replace.presets_in(
        {"replaceType": "PRESET_BACKGROUND_IMAGE", "presetBackgroundId": "301"}
    ) == [("presetBackgroundId", "BACKGROUND")]
    assert (
        replace.presets_in({"replaceType": "TEXT_TO_BACKGROUND", "presetBackgroundId": "1"}) == []
    )
    assert replace.required_by_replace_type["CUSTOM_BACKGROUND_IMAGE"] == "backgroundImageKey"
    assert replace.field("backgroundColor").type == "string"
    assert replace.field("backgroundColor").max_length == 7
    expand = catalog().operation("segmentImage").field("expandPixels")
    assert (expand.type, expand.minimum, expand.maximum) == ("integer", 0, 512)
    assert replace.field("replaceType").enum == catalog().replace_types


def test_a_described_file_key_is_still_a_file_key() -> None:
    # OAS 3.0 gives a `$ref` a description of its own only through `allOf: [{$ref}]`.
    accessories = catalog().operation("tryOnAccessories")
    body = {"modelImageKey": "UPLOAD/a.png", "modelMaskKey": "UPLOAD/m.png", "productImageKey": "p"}
    assert [field for field, _key in accessories.file_keys(body)] == [
        "modelImageKey",
        "modelMaskKey",
        "productImageKey",
    ]
    assert accessories.field("modelMaskKey").description == "Model mask image storage key"
    assert accessories.masks == {"modelMaskKey": "modelImageKey"}


def test_image_rules_and_their_exceptions() -> None:
    common = catalog().image_rules
    assert (common.max_bytes, common.max_side, common.animated) == (10 * 2**20, 4096, False)
    assert catalog().operation("segmentImage").image_rules.max_side == 2000  # type: ignore[union-attr]
    video = catalog().operation("imageToVideo").image_rules
    assert video is not None and video.min_short_side == 300
    assert (video.aspect_min, video.aspect_max) == ((2, 5), (5, 2))
    assert catalog().operation("getTaskStatus").image_rules is None
    assert catalog().upload_rules("uploadFile").max_bytes == 10 * 2**20
    assert catalog().upload_rules("uploadAssetFile").max_bytes == 40 * 2**20
    with pytest.raises(KeyError, match="not an upload operation"):
        catalog().upload_rules("getTaskStatus")
    assert catalog().upload_formats == ("jpg", "jpeg", "png", "webp")
    assert catalog().result_formats("video") == ("mp4", "gif", "webp")
    assert catalog().url_lifetime("getUploadUrl") == 30 * 60
    assert catalog().url_lifetime("getDownloadUrl") == 12 * 3600
    with pytest.raises(KeyError, match="no temporary URL"):
        catalog().url_lifetime("getCreditUsage")


def test_a_changed_spec_changes_the_facts() -> None:
    changed = copy.deepcopy(document())
    changed["components"]["x-image-rules"]["maxSide"] = 1000
    changed["paths"]["/v1/api/generate/swapModel"]["post"]["x-results-per-task"] = 3
    other = Catalog(changed)
    assert other.operation("swapModel").results_per_task == 3
    assert other.operation("swapModel").image_rules.max_side == 1000  # type: ignore[union-attr]
    # An operation's own exception stays its own.
    assert other.operation("segmentImage").image_rules.max_side == 2000  # type: ignore[union-attr]


def test_unknown_operation_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no operation 'blurFaces'.*tryOnAccessories"):
        catalog().operation("blurFaces")


def test_the_resolved_document_inlines_every_ref() -> None:
    assert '"$ref"' not in json.dumps(resolved_document())
    looped: dict[str, Any] = {"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}}
    with pytest.raises(ValueError, match="recursive"):
        Catalog(looped).resolved  # noqa: B018


def _extensions(node: Any, path: str = "") -> list[tuple[str, Any]]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in LABELLED:
                found.append((f"{path}/{key}", value))
            found.extend(_extensions(value, f"{path}/{key}"))
    return found


def test_every_new_fact_says_where_it_comes_from() -> None:
    found = _extensions(document())
    assert {path.rsplit("/", 1)[1] for path, _ in found} == set(LABELLED)
    for path, value in found:
        assert value["x-evidence"]["source"] in SOURCES, path


def test_spec_report_shows_the_facts_with_their_evidence() -> None:
    from tools.spec_report import fact_lines

    spec = yaml.safe_load((ROOT / "openapi" / "sellerpic.yaml").read_text(encoding="utf-8"))
    lines = fact_lines(spec)
    video = lines.index(next(line for line in lines if line.startswith("imageToVideo:")))
    assert "(15 beyond 5 s) [documented]" in lines[video]
    assert "short edge >= 300 px, aspect 2:5 to 5:2" in lines[video + 1]
    assert any("removeBackground" in line and "[inferred]" in line for line in lines)
    masks = next(line for line in lines if line.startswith("masks:"))
    assert masks.endswith("[documented; inferred: blackWhiteTolerance, maxGreyShare]")


def test_parameters_of_the_reads() -> None:
    presets = {p.name: p for p in catalog().operation("listPresets").parameters}
    assert presets["type"].required and presets["type"].enum == catalog().preset_types
    assert (presets["pageSize"].location, presets["pageSize"].default) == ("query", 10)
    assert (presets["pageSize"].minimum, presets["pageSize"].maximum) == (1, 50)
    download = {p.name: p for p in catalog().operation("getDownloadUrl").parameters}
    assert download["downloadFormat"].enum == ("jpg", "png", "webp", "mp4", "gif")
    assert download["uhd"].type == "boolean" and not download["uhd"].required


def test_the_package_docstring_example_runs() -> None:
    import doctest

    import sellerpic_spec

    outcome = doctest.testmod(sellerpic_spec)
    assert (outcome.attempted, outcome.failed) == (2, 0)
