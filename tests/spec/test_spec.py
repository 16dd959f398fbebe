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
    "uploadFile": ("put", "/UPLOAD/{accountId}/{year}/{month}/{day}/{fileName}"),
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
            if (op_id, status) == ("uploadFile", "403"):
                continue  # object storage's own XML error, see the next test
            if status.startswith(("4", "5")):
                schema = resolve(spec, response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (op_id, status)


def test_the_presigned_put_is_described_honestly(spec: dict[str, Any]) -> None:
    item = spec["paths"][OPERATIONS["uploadFile"][1]]
    op = item["put"]
    assert item["x-evidence"]["source"] == "inferred"  # the URL's path shape
    assert op["x-evidence"]["source"] == "documented"  # the PUT itself, 200 and 403
    assert op["security"] == []
    assert "exactly as returned" in " ".join(op["description"].split())
    query = {p["name"] for p in op["parameters"] if p["in"] == "query"}
    assert query == {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Signature",
    }  # fmt: skip
    body = op["requestBody"]["content"]["application/octet-stream"]["schema"]
    assert body["maxLength"] == 10 * 1024 * 1024 and body["x-evidence"]["inferred"] == ["maxLength"]
    assert resolve(spec, op["responses"]["413"])["x-evidence"]["source"] == "inferred"
    forbidden = resolve(spec, op["responses"]["403"])
    assert forbidden["x-evidence"]["source"] == "documented"
    assert forbidden["content"]["application/xml"]["x-evidence"]["source"] == "inferred"


def test_201_is_listed_without_a_body_where_the_pages_list_it(spec: dict[str, Any]) -> None:
    for op_id in ("tryOnAccessories", "uploadAssetFile"):
        method, path = OPERATIONS[op_id]
        created = resolve(spec, spec["paths"][path][method]["responses"]["201"])
        assert "content" not in created, op_id
        assert created["x-evidence"]["source"] == "documented"
    assert "boilerplate" in spec["info"]["description"]


def test_the_envelope_requires_success_and_trace_id_where_the_pages_do(
    spec: dict[str, Any],
) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["Envelope"]["required"] == ["code"]
    for name in ("TaskCreatedResponse", "CreditUsageResponse"):
        required = {f for part in schemas[name]["allOf"] for f in part.get("required", [])}
        assert required == {"success", "traceId"}, name


def test_try_on_accessories_fields_carry_the_seed_page_descriptions(spec: dict[str, Any]) -> None:
    props = spec["components"]["schemas"]["TryOnAccessoriesRequest"]["properties"]
    assert {name: p["description"] for name, p in props.items()} == {
        "modelImageKey": "Model image storage key",
        "modelMaskKey": "Model mask image storage key",
        "productImageKey": "Product image storage key",
    }


def test_labels_settled_by_the_evidence(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    ops = dict(_operations(spec))
    assert schemas["TaskId"]["x-evidence"]["source"] == "documented"
    assert "create answer" in schemas["TaskId"]["x-evidence"]["note"]

    def claim_sources(op_id: str) -> dict[str, str]:
        return {c["claim"]: c["source"] for c in ops[op_id]["x-evidence"]["claims"]}

    assert set(claim_sources("getDownloadUrl").values()) == {"documented-1.0.1"}
    assert "same URL" in next(iter(claim_sources("getDownloadUrl")))
    assert claim_sources("imageToVideo") == {"Max file size 10 MB.": "documented-1.0.1"}
    assert list(claim_sources("getTaskStatus").values()) == ["public-client"]
    expression = schemas["SwapModelRequest"]["properties"]["expression"]
    assert expression["x-evidence"]["source"] == "inferred"
    assert expression["description"].startswith("Not part of the documented contract")


def test_guessed_limits_and_bodies_are_labelled_inferred(spec: dict[str, Any]) -> None:
    from tools.spec_report import inferred_items

    labelled = {(item.location, item.keywords) for item in inferred_items(spec)}
    expected = {
        ("components/schemas/InstructEditRequest/properties/prompt", ("minLength", "maxLength")),
        ("components/schemas/FileKey", ("minLength", "maxLength")),
        ("components/schemas/TaskId", ("minLength", "maxLength")),
        ("paths[/v1/api/presets]/get/parameters/1", ("maximum",)),
        ("components/schemas/SegmentImageRequest/properties/expandPixels", ("minimum", "maximum")),
        ("components/schemas/ImageToVideoRequest/properties/videoDuration", ("minimum", "maximum")),
        (
            "components/schemas/ReplaceBackgroundRequest/properties/backgroundColor",
            ("pattern", "maxLength"),
        ),
        ("components/schemas/TaskResult/properties/resultList", ("maxItems",)),
        ("components/responses/BadRequest", ()),
        ("components/responses/InternalError", ()),
        ("components/responses/Unauthorized/content/application/json", ()),
        ("components/responses/Forbidden/content/application/json", ()),
        ("components/responses/NotFound/content/application/json", ()),
        (
            "components/responses/TaskCreated/content/application/json/examples/insufficientCredits",
            (),
        ),
        (
            "paths[/v1/api/generate]/get/responses/200/content/application/json/examples/partlyFailed",
            (),
        ),
    }
    assert expected <= labelled, sorted(expected - labelled)


def test_every_label_is_well_formed(spec: dict[str, Any]) -> None:
    from tools.spec_report import label_problems

    assert label_problems(spec) == []
    broken = yaml.safe_load(SPEC_PATH.read_text())
    broken["components"]["schemas"]["FileKey"]["x-evidence"]["inferred"] = ["pattern"]
    assert label_problems(broken) == [
        "components/schemas/FileKey: `inferred` names 'pattern', which it does not have"
    ]


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
    # The known values reach code generators through an anyOf that any other string also meets.
    known, other = schemas["TaskStatus"]["anyOf"]
    assert resolve(spec, known)["enum"] == schemas["TaskStatus"]["x-known-values"]
    assert other["type"] == "string" and "enum" not in other
    validator = _validator(spec, {"$ref": "#/components/schemas/TaskStatus"})
    assert validator.is_valid("QUEUED") and validator.is_valid("SUCCESS")
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
