"""Every operation of the spec can be reached through the layer, the CLI and the simulator.

An operation added to the spec (see CONTRIBUTING.md) fails here until each of the three can
serve it: the layer's `_operations` table and client methods, a `sellerpic` sub-command, and a
simulator route (plus a renderer for a create operation).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from sellerpic import AsyncSellerPic, SellerPic
from sellerpic._operations import OPERATIONS
from sellerpic.cli import build_parser
from sellerpic_mock.app import ROUTES, Router
from sellerpic_mock.rendering.results import RENDERERS
from sellerpic_mock.spec import default_spec
from sellerpic_spec import OperationFacts, catalog

SRC = Path(__file__).resolve().parents[1] / "src" / "sellerpic"

#: The operations that are not task creations: the client method and CLI command that reach
#: each. A create operation needs no entry: its name in `_operations` gives both.
OTHER_OPERATIONS = {
    "getUploadUrl": ("upload", "upload"),
    "uploadFile": ("upload", "upload"),
    "uploadAssetFile": ("upload", "upload"),
    "listPresets": ("presets", "presets"),
    "getTaskStatus": ("task", "status"),
    "getDownloadUrl": ("task", "download"),
    "getCreditUsage": ("credits", "credits"),
}
#: Reached with plain HTTP rather than a generated call: the presigned PUT goes to the URL the
#: API returned, without the API key.
PLAIN_HTTP = {"uploadFile"}

ALL = sorted(catalog().operations)


def cli_commands() -> set[str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    raise AssertionError("the CLI has no sub-commands")


def layer_entry(facts: OperationFacts) -> tuple[str, str]:
    """(client method, CLI command) of an operation, failing with what to add."""
    if facts.is_create:
        ops = [op for op in OPERATIONS.values() if op.operation_id == facts.operation_id]
        assert ops, f"{facts.operation_id}: add it to the table in src/sellerpic/_operations.py"
        return ops[0].name, ops[0].cli_name
    assert facts.operation_id in OTHER_OPERATIONS, (
        f"{facts.operation_id}: give it a client method and a CLI command, then list them in "
        "OTHER_OPERATIONS here"
    )
    return OTHER_OPERATIONS[facts.operation_id]


@pytest.mark.parametrize("operation_id", ALL)
def test_the_layer_reaches_it(operation_id: str) -> None:
    facts = catalog().operation(operation_id)
    method, _ = layer_entry(facts)
    for client in (SellerPic, AsyncSellerPic):
        assert callable(getattr(client, method, None)), f"{client.__name__}.{method} is missing"
    if not facts.is_create and operation_id not in PLAIN_HTTP:
        source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
        called = re.search(rf'api_call\(\s*"{operation_id}"', source)
        assert called, f"nothing in src/sellerpic calls {operation_id}"


@pytest.mark.parametrize("operation_id", ALL)
def test_the_cli_reaches_it(operation_id: str) -> None:
    _, command = layer_entry(catalog().operation(operation_id))
    assert command in cli_commands(), f"no `sellerpic {command}` for {operation_id}"


@pytest.mark.parametrize("operation_id", ALL)
def test_the_simulator_serves_it(operation_id: str) -> None:
    facts = catalog().operation(operation_id)
    concrete = re.sub(r"\{\w+\}", "x", facts.path)
    matched = Router(ROUTES).match(concrete)
    assert matched is not None and facts.method in matched[0], (
        f"no simulator route for {facts.method} {facts.path}: add one to sellerpic_mock/app.py"
    )
    if facts.is_create:
        assert operation_id in default_spec().create_operations, (
            f"the simulator does not take {operation_id} as a create operation"
        )
    if facts.is_create and facts.result_kind == "image":
        assert operation_id in RENDERERS, (
            f"{operation_id}: add a renderer to sellerpic_mock/rendering/results.py"
        )


def test_a_new_spec_operation_is_reported_missing() -> None:
    new = OperationFacts(
        "blurFaces", "POST", "/v1/api/generate/blurFaces", ("Create Task",), "", "inferred"
    )
    with pytest.raises(AssertionError, match="add it to the table"):
        layer_entry(new)
    other = OperationFacts("deleteFile", "DELETE", "/v1/api/upload", ("Upload",), "", "inferred")
    with pytest.raises(AssertionError, match="OTHER_OPERATIONS"):
        layer_entry(other)
