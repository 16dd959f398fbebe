"""The generated client speaks the spec: every operation, sync and asyncio, sends a request the
server accepts and gets an answer that validates against the spec.

Each call goes through `sellerpic_client.AuthenticatedClient` with httpx event hooks that keep the
exchange; the captured `httpx.Response` (with its `.request`) is then checked by
`checking.validate_exchange`: the JSON body against the request schema, Prism's `sl-violations`
(Prism runs with `--errors`), and schemathesis' response checks.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from contract_tests.checking import (
    PNG_BYTES,
    ContractViolation,
    Expectation,
    load_spec,
    operations,
    validate_exchange,
)
from contract_tests.conftest import Target, skip_unless_in_view
from sellerpic_client import AuthenticatedClient
from sellerpic_client.models import (
    DownloadFormat,
    ImageToVideoRequest,
    InstructEditRequest,
    LifestyleSceneRequest,
    PresetType,
    PromptSegmentationRequest,
    RemoveBackgroundRequest,
    ReplaceBackgroundRequest,
    SegmentImageRequest,
    SwapModelRequest,
    TryOnAccessoriesRequest,
    TryOnApparelRequest,
    UploadAssetFileRequest,
    UploadFormat,
)
from sellerpic_client.types import File

SPEC = load_spec()


def _body_example(op_id: str) -> dict[str, Any]:
    media = operations(SPEC)[op_id].definition["requestBody"]["content"]["application/json"]
    value: dict[str, Any] = next(iter(media["examples"].values()))["value"]
    return value


def _param_example(op_id: str, name: str) -> Any:
    for param in operations(SPEC)[op_id].definition.get("parameters", []):
        if param.get("name") == name:
            return param["example"]
    raise KeyError(f"{op_id} has no parameter {name}")


def _params(op_id: str) -> list[str]:
    return [param["name"] for param in operations(SPEC)[op_id].definition.get("parameters", [])]


def _snake(name: str) -> str:
    """The generated client's argument name: `X-Amz-Date` -> `x_amz_date`, `fileName` -> ..."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).replace("-", "_").lower()


@dataclass(frozen=True)
class Call:
    """How to call one generated function with a valid request."""

    module: str
    kwargs: Callable[[], dict[str, Any]]
    empty_success: bool = False  # the 2xx answer has no body, so `parsed` is None


def _json(model: Any, op_id: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"body": model.from_dict(_body_example(op_id))}


CALLS: dict[str, Call] = {
    "imageToVideo": Call("create_task.image_to_video", _json(ImageToVideoRequest, "imageToVideo")),
    "instructEdit": Call("create_task.instruct_edit", _json(InstructEditRequest, "instructEdit")),
    "tryOnApparel": Call("create_task.try_on_apparel", _json(TryOnApparelRequest, "tryOnApparel")),
    "tryOnAccessories": Call(
        "create_task.try_on_accessories", _json(TryOnAccessoriesRequest, "tryOnAccessories")
    ),
    "lifestyleScene": Call(
        "create_task.lifestyle_scene", _json(LifestyleSceneRequest, "lifestyleScene")
    ),
    "swapModel": Call("create_task.swap_model", _json(SwapModelRequest, "swapModel")),
    "replaceBackground": Call(
        "create_task.replace_background", _json(ReplaceBackgroundRequest, "replaceBackground")
    ),
    "promptSegmentation": Call(
        "create_task.prompt_segmentation", _json(PromptSegmentationRequest, "promptSegmentation")
    ),
    "segmentImage": Call("create_task.segment_image", _json(SegmentImageRequest, "segmentImage")),
    "removeBackground": Call(
        "create_task.remove_background", _json(RemoveBackgroundRequest, "removeBackground")
    ),
    "getUploadUrl": Call(
        "upload.get_upload_url",
        lambda: {"format_": UploadFormat(_param_example("getUploadUrl", "format"))},
    ),
    # The generated function percent-encodes the path parameters and ignores the operation's
    # `servers`, so it is called on the target's base URL with the spec's examples, which need
    # no encoding. Their signature is the example's: a server that checks it answers 403.
    "uploadFile": Call(
        "upload.upload_file",
        lambda: {
            **{_snake(name): _param_example("uploadFile", name) for name in _params("uploadFile")},
            "body": File(payload=PNG_BYTES, file_name="product.png"),
        },
        empty_success=True,
    ),
    # The file part carries a Content-Type: a part without one crashes Prism 5.14.2 (#2672).
    "uploadAssetFile": Call(
        "upload.upload_asset_file",
        lambda: {
            "body": UploadAssetFileRequest(
                file=File(payload=PNG_BYTES, file_name="product.png", mime_type="image/png")
            )
        },
    ),
    "listPresets": Call(
        "account.list_presets",
        lambda: {"type_": PresetType(_param_example("listPresets", "type")), "page_size": 10},
    ),
    "getTaskStatus": Call(
        "tasks.get_task_status", lambda: {"id": _param_example("getTaskStatus", "id")}
    ),
    "getDownloadUrl": Call(
        "tasks.get_download_url",
        lambda: {
            "id": _param_example("getDownloadUrl", "id"),
            "download_format": DownloadFormat(_param_example("getDownloadUrl", "downloadFormat")),
        },
    ),
    "getCreditUsage": Call("account.get_credit_usage", dict),
}


def _module(op_id: str) -> ModuleType:
    return importlib.import_module(f"sellerpic_client.api.{CALLS[op_id].module}")


class Recorder:
    """httpx event hooks that keep every response the generated client receives."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def sync_hooks(self) -> dict[str, list[Callable[..., Any]]]:
        return {"response": [self.responses.append]}

    def async_hooks(self) -> dict[str, list[Callable[..., Any]]]:
        async def keep(response: httpx.Response) -> None:
            self.responses.append(response)

        return {"response": [keep]}

    def only(self) -> httpx.Response:
        assert len(self.responses) == 1, f"expected one exchange, saw {len(self.responses)}"
        return self.responses[0]


def _client(target: Target, hooks: dict[str, list[Callable[..., Any]]]) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=target.base_url,
        token=target.api_key,
        timeout=httpx.Timeout(10.0),
        httpx_args={"event_hooks": hooks},
    )


def call_sync(target: Target, op_id: str, function: str) -> tuple[Any, httpx.Response]:
    recorder = Recorder()
    with _client(target, recorder.sync_hooks()) as client:
        result = getattr(_module(op_id), function)(client=client, **CALLS[op_id].kwargs())
    return result, recorder.only()


async def call_async(target: Target, op_id: str, function: str) -> tuple[Any, httpx.Response]:
    recorder = Recorder()
    async with _client(target, recorder.async_hooks()) as client:
        result = await getattr(_module(op_id), function)(client=client, **CALLS[op_id].kwargs())
    return result, recorder.only()


def _expectation(target: Target) -> Expectation:
    # Prism answers a valid request with its first 2xx; another server may answer a documented
    # error (e.g. 404 for an id it never issued), which the response checks still validate.
    return Expectation(success=target.is_prism, rejection_ok=not target.is_prism)


def _check_parsed(op_id: str, function: str, result: Any, response: httpx.Response) -> None:
    parsed = result.parsed if function.endswith("_detailed") else result
    if 200 <= response.status_code < 300 and not CALLS[op_id].empty_success:
        assert parsed is not None, f"{op_id}: the client could not parse {response.status_code}"


def test_every_operation_has_a_client_call() -> None:
    assert sorted(CALLS) == sorted(operations(SPEC))


@pytest.mark.parametrize("function", ["sync", "sync_detailed"])
@pytest.mark.parametrize("op_id", sorted(CALLS))
def test_sync_client_call_matches_the_spec(
    target: Target, contract_schema: BaseSchema, op_id: str, function: str
) -> None:
    skip_unless_in_view(contract_schema, op_id)
    result, response = call_sync(target, op_id, function)
    validate_exchange(contract_schema, op_id, response, _expectation(target))
    _check_parsed(op_id, function, result, response)


@pytest.mark.parametrize("function", ["asyncio", "asyncio_detailed"])
@pytest.mark.parametrize("op_id", sorted(CALLS))
async def test_asyncio_client_call_matches_the_spec(
    target: Target, contract_schema: BaseSchema, op_id: str, function: str
) -> None:
    skip_unless_in_view(contract_schema, op_id)
    result, response = await call_async(target, op_id, function)
    validate_exchange(contract_schema, op_id, response, _expectation(target))
    _check_parsed(op_id, function, result, response)


def test_a_client_sending_a_bad_body_is_caught(
    target: Target, contract_schema: BaseSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = InstructEditRequest.to_dict

    def without_image_key(self: InstructEditRequest) -> dict[str, Any]:
        data = original(self)
        del data["imageKey"]
        return data

    monkeypatch.setattr(InstructEditRequest, "to_dict", without_image_key)
    _, response = call_sync(target, "instructEdit", "sync_detailed")
    with pytest.raises(ContractViolation) as caught:
        validate_exchange(contract_schema, "instructEdit", response, _expectation(target))
    message = str(caught.value)
    assert message.startswith("instructEdit (POST /v1/api/generate/instructEdit)")
    assert "'imageKey' is a required property" in message
    if target.is_prism:
        # Prism (--errors) saw it too and said so.
        assert "the request violates the spec at request.body" in message
