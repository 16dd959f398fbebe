"""The spec is complete, self-consistent and says where each fact comes from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from contract_tests.checking import resolve
from tests.spec.conftest import SPEC_PATH

OPERATIONS = {
    "imageToVideo": ("post", "/v1/api/generate/imageToVideo"),
    "instructEdit": ("post", "/v1/api/generate/instructEdit"),
    "tryOnApparel": ("post", "/v1/api/generate/tryOnApparel"),
    "tryOnAccessories": ("post", "/v1/api/generate/tryOnAccessories"),
    "lifestyleScene": ("post", "/v1/api/generate/lifestyleScene"),
    "swapModel": ("post", "/v1/api/generate/swapModel"),
    "replaceBackground": ("post", "/v1/api/generate/replaceBackground"),
    "promptSegmentation": ("post", "/v1/api/generate/promptSegmentation"),
    "segmentImage": ("post", "/v1/api/generate/segmentImage"),
    "removeBackground": ("post", "/v1/api/generate/removeBackground"),
    "getUploadUrl": ("get", "/v1/api/upload/url"),
    "uploadFile": ("put", "/presigned/{uploadToken}"),
    "uploadAssetFile": ("post", "/v1/api/upload"),
    "listPresets": ("get", "/v1/api/presets"),
    "getTaskStatus": ("get", "/v1/api/generate"),
    "getDownloadUrl": ("get", "/v1/api/download"),
    "getCreditUsage": ("get", "/v1/api/usage"),
}
EVIDENCE = {"documented", "documented-1.0.1", "public-client", "inferred"}
SPEC_URI = "urn:sellerpic-spec"


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in spec["paths"].values():
        for method in ("get", "put", "post", "delete", "patch"):
            if method in item:
                yield item[method]["operationId"], item[method]


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> OAS30Validator:
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4)
    )
    rooted = {"$ref": SPEC_URI + schema["$ref"]} if "$ref" in schema else schema
    return OAS30Validator(rooted, registry=registry)


def _examples(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Every (label, schema, example) pair of request bodies, responses and parameters."""
    for op_id, op in _operations(spec):
        body = resolve(spec, op.get("requestBody", {}))
        for media, content in body.get("content", {}).items():
            yield from _media_examples(f"{op_id} request {media}", content)
        for status, response in op["responses"].items():
            response = resolve(spec, response)
            for media, content in response.get("content", {}).items():
                yield from _media_examples(f"{op_id} {status} {media}", content)
        for param in op.get("parameters", []):
            param = resolve(spec, param)
            if "example" in param:
                yield f"{op_id} parameter {param['name']}", param["schema"], param["example"]


def _media_examples(
    label: str, content: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any], Any]]:
    schema = content.get("schema", {})
    if "example" in content:
        yield label, schema, content["example"]
    for name, example in content.get("examples", {}).items():
        yield f"{label} example {name}", schema, example["value"]


def test_the_spec_is_openapi_3_0_3_with_one_bearer_scheme(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.0.3"
    assert spec["servers"][0]["url"] == "https://api.sellerpic.ai"
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }


def test_every_documented_operation_is_in_the_spec_at_its_path(spec: dict[str, Any]) -> None:
    found = {
        op["operationId"]: (method, path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    assert found == OPERATIONS


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_every_operation_reads_like_a_reference(spec: dict[str, Any], op_id: str) -> None:
    method, path = OPERATIONS[op_id]
    op = spec["paths"][path][method]
    assert op["summary"] and op["description"]
    assert len(op["tags"]) == 1 and op["tags"][0] in {"Create Task", "Upload", "Tasks", "Account"}
    assert op["x-evidence"]["source"] in EVIDENCE
    statuses = set(op["responses"])
    required = {"200", "403"} if op_id == "uploadFile" else {"200", "401", "403", "404"}
    assert required <= statuses, f"{op_id} documents {sorted(statuses)}"
    if "requestBody" in op:
        content = resolve(spec, op["requestBody"])["content"]
        media = next(iter(content.values()))
        has_example = "example" in media or "examples" in media
        assert has_example or "multipart/form-data" in content, f"{op_id} has no request example"


def test_try_on_accessories_documents_its_five_statuses(spec: dict[str, Any]) -> None:
    op = spec["paths"]["/v1/api/generate/tryOnAccessories"]["post"]
    assert {"200", "201", "401", "403", "404"} <= set(op["responses"])


def test_error_bodies_use_the_common_envelope(spec: dict[str, Any]) -> None:
    for op_id, op in _operations(spec):
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                schema = resolve(spec, response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (op_id, status)


def test_every_example_validates_against_its_schema(spec: dict[str, Any]) -> None:
    checked = 0
    failures = []
    for label, schema, example in _examples(spec):
        errors = [e.message for e in _validator(spec, schema).iter_errors(example)]
        if errors:
            failures.append(f"{label}: {errors}")
        checked += 1
    assert not failures, "\n".join(failures)
    assert checked > 60


def test_a_broken_example_is_caught() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    response = spec["components"]["responses"]["TaskCreated"]["content"]["application/json"]
    response["examples"]["created"]["value"]["data"] = {"id": 1956366543768004069}
    bad = [
        label for label, schema, ex in _examples(spec) if not _validator(spec, schema).is_valid(ex)
    ]
    assert any("imageToVideo 200" in label for label in bad)


def test_task_status_has_a_named_example_for_each_state(spec: dict[str, Any]) -> None:
    op = spec["paths"]["/v1/api/generate"]["get"]
    examples = op["responses"]["200"]["content"]["application/json"]["examples"]
    assert {"created", "running", "success", "partlyFailed"} <= set(examples)
    statuses = {
        name: {item["status"] for item in ex["value"]["data"]["resultList"]}
        for name, ex in examples.items()
    }
    assert statuses["created"] == {"CREATED"}
    assert statuses["running"] == {"RUNNING"}
    assert statuses["success"] == {"SUCCESS"}
    assert statuses["partlyFailed"] == {"SUCCESS", "FAILED"}


def test_ids_are_strings_and_status_is_an_open_set(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["TaskId"]["type"] == "string"
    assert schemas["TaskStatus"]["type"] == "string"
    assert "enum" not in schemas["TaskStatus"]
    assert schemas["TaskStatus"]["x-known-values"] == ["CREATED", "RUNNING", "SUCCESS", "FAILED"]
    item = schemas["ResultItem"]["properties"]
    assert set(item) == {"id", "status", "fileUrl", "fileKey", "errorCode", "errorMsg"}


def test_create_links_to_status_and_status_links_to_download(spec: dict[str, Any]) -> None:
    links = spec["components"]["responses"]["TaskCreated"]["links"]
    assert resolve(spec, links["GetTaskStatus"])["operationId"] == "getTaskStatus"
    status = spec["paths"]["/v1/api/generate"]["get"]["responses"]["200"]
    assert status["links"]["GetDownloadUrl"]["operationId"] == "getDownloadUrl"


def test_guessed_operations_are_marked_inferred(spec: dict[str, Any]) -> None:
    evidence = {op_id: op["x-evidence"]["source"] for op_id, op in _operations(spec)}
    assert evidence["lifestyleScene"] == "inferred"
    assert evidence["removeBackground"] == "inferred"
    assert evidence["tryOnApparel"] == "public-client"
    assert evidence["uploadAssetFile"] == "documented-1.0.1"


def test_the_readme_table_of_operations_matches_the_spec(spec: dict[str, Any]) -> None:
    from tools.spec_report import markdown_table

    readme = (SPEC_PATH.parents[1] / "README.md").read_text()
    start = readme.index("<!-- operations-table")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /operations-table -->")]
    assert block == markdown_table(spec), "run tools/spec_report.py --markdown and update README"
