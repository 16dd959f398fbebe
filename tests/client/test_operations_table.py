"""The operation table holds code (names, help, builders); its API facts come from the spec."""

from __future__ import annotations

import copy
import inspect
import re
from pathlib import Path

import pytest

import sellerpic._operations as operations
from sellerpic import AsyncSellerPic, InvalidInputError, SellerPic
from sellerpic._operations import BACKGROUND_PRECEDENCE, OPERATIONS, replace_type_needs
from sellerpic_spec import Catalog, catalog, document

from .conftest import png
from .fakeapi import FakeApi


def test_client_methods_match_operation_params() -> None:
    for op in OPERATIONS.values():
        for cls in (SellerPic, AsyncSellerPic):
            params = inspect.signature(getattr(cls, op.name)).parameters
            assert [p for p in params if p != "self"] == [p.name for p in op.params], op.name


def test_every_create_operation_of_the_spec_has_one_entry() -> None:
    ids = sorted(op.operation_id for op in OPERATIONS.values())
    assert ids == sorted(catalog().create_operations)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_params_fill_the_body_fields_of_the_spec(name: str) -> None:
    op = OPERATIONS[name]
    spec_fields = {operations._snake(f.name) for f in op.facts.fields if "." not in f.name}
    table_fields = {p.field.rstrip("_") for p in op.params if p.field is not None}
    # try_on_apparel's builder fills the body itself (the garments nest); every other table
    # entry names each body field of the spec once, and no other.
    if table_fields:
        assert table_fields == spec_fields


#: Inputs the layer may leave out although the spec requires the field: it fills them itself.
FILLED_BY_THE_LAYER = {("replace_background", "replace_type")}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_required_inputs_are_the_spec_s_required_fields(name: str) -> None:
    op = OPERATIONS[name]
    required = {operations._snake(f.name) for f in op.facts.fields if f.required}
    for p in op.params:
        if p.field is None or (name, p.name) in FILLED_BY_THE_LAYER:
            continue
        assert p.required == (p.field.rstrip("_") in required), f"{name}.{p.name}"


def test_masks_pair_with_the_image_the_spec_names() -> None:
    assert OPERATIONS["try_on_accessories"].mask_image_of("model_mask") == "model_image"
    assert OPERATIONS["replace_background"].mask_image_of("product_mask") == "product_image"
    assert OPERATIONS["remove_background"].mask_image_of("image") is None


def test_replace_type_needs_follow_the_spec() -> None:
    needs = replace_type_needs()
    assert needs["CUSTOM_BACKGROUND_IMAGE"] == "background_image"
    assert needs["SOLID_COLOR_BACKGROUND"] == "background_color"
    assert set(needs) == set(catalog().replace_types)
    assert set(BACKGROUND_PRECEDENCE) == set(needs.values())
    infer = operations.infer_replace_type
    assert infer({"preset_background_id": "1"}) == "AI_BACKGROUND"
    assert infer({"background_image": "UPLOAD/x.png"}) == "CUSTOM_BACKGROUND_IMAGE"
    assert infer({"background_color": "#fff", "custom_background_prompt": "a"}) == (
        "SOLID_COLOR_BACKGROUND"
    )


def test_the_facts_are_read_from_the_catalogue_not_copied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed = copy.deepcopy(document())
    create = changed["paths"]["/v1/api/generate/removeBackground"]["post"]
    create["x-concurrency-limit"] = 3
    create["x-results-per-task"] = 2
    create["x-image-rules"] = {"maxSide": 50}
    other = Catalog(changed)
    monkeypatch.setattr(operations, "catalog", lambda: other)
    op = OPERATIONS["remove_background"]
    assert (op.concurrency_limit, op.results_per_task, op.image_rules.max_side) == (3, 2, 50)


def test_image_to_video_checks_its_shape_before_any_request(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    cases = {"narrow": ((300, 900), "aspect"), "small": ((200, 200), "resolution")}
    for name, (size, rule) in cases.items():
        path = tmp_path / f"{name}.png"
        path.write_bytes(png(size))
        with pytest.raises(InvalidInputError) as info:
            client.image_to_video(image=path)
        assert info.value.rule == rule and info.value.field == "image"
    assert not api.requests


def test_segment_by_type_takes_at_most_2000_px(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png((2001, 10)))
    with pytest.raises(InvalidInputError) as info:
        client.segment_by_type(image=path)
    assert info.value.rule == "resolution" and "2000 px" in str(info.value)
    assert not api.requests


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_method_docstrings_state_the_spec_s_numbers(name: str) -> None:
    op = OPERATIONS[name]
    doc = inspect.getdoc(getattr(SellerPic, name)) or ""
    results = re.search(r"\((\d+) results?", doc)
    if results:
        assert int(results.group(1)) == op.results_per_task
    assert ("free" in doc) == (op.facts.cost({}) == 0)
    side = re.search(r"up to (\d+) px", doc)
    if side:
        assert int(side.group(1)) == op.image_rules.max_side
    assert ("mp4" in doc) == (op.default_format == "mp4")
