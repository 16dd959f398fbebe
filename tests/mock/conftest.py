"""Fixtures for the simulator tests: an in-process app on a fake clock, and spec checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import schemathesis
from jsonschema import Draft4Validator

from sellerpic_mock import FakeClock, MockConfig, create_app
from sellerpic_mock.app import Simulator
from sellerpic_mock.spec import Spec, find_spec
from sellerpic_mock.testing import asgi_client, close_app, image_bytes

KEY_A = "sk-test-a"
KEY_B = "sk-test-b"
SPEC = Spec()
SCHEMA = schemathesis.openapi.from_path(str(find_spec()))


def check(operation_id: str, response: httpx.Response) -> None:
    """The answer is documented for the operation and its body matches the spec."""
    operation = SPEC.operations[operation_id]
    assert str(response.status_code) in operation.statuses, (
        f"{operation_id} answered undocumented HTTP {response.status_code}: {response.text}"
    )
    schema = SPEC.response_schema(operation_id, response.status_code)
    documented = SPEC.operations[operation_id].raw["responses"][str(response.status_code)]
    if "application/xml" in documented.get("content", {}):
        s3_error(response)
    elif schema is None:
        assert response.content == b""
    else:
        assert response.headers["content-type"].startswith("application/json")
        Draft4Validator(schema).validate(response.json())
    try:
        response.request.content  # noqa: B018 - schemathesis needs a read request body
    except httpx.RequestNotRead:
        return  # a streamed (multipart) request: the jsonschema check above covers the body
    SCHEMA.find_operation_by_id(operation_id).validate_response(response)


def s3_error(response: httpx.Response) -> tuple[str, str]:
    """`Code` and `Message` of an S3-style XML error (what presigned URLs refuse with)."""
    assert response.headers["content-type"].startswith("application/xml"), response.text
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error", response.text
    code, message = root.findtext("Code"), root.findtext("Message")
    assert code and message and root.findtext("RequestId"), response.text
    return code, message


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., Simulator]]:
    apps: list[Simulator] = []

    def factory(**overrides: Any) -> Simulator:
        settings: dict[str, Any] = {
            "clock": clock,
            "data_dir": tmp_path / "data",
            "api_keys": {KEY_A: 1000, KEY_B: 1000},
        }
        settings.update(overrides)
        app = create_app(MockConfig(**settings))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        close_app(app)


@pytest.fixture
def app(make_app: Callable[..., Simulator]) -> Simulator:
    return make_app()


@pytest.fixture
async def client(app: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, KEY_A) as c:
        yield c


@pytest.fixture
async def admin(app: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the control plane (/_sellerpic/): open on loopback, no API key."""
    async with asgi_client(app, None) as c:
        yield c


@pytest.fixture
async def other(app: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, KEY_B) as c:
        yield c


async def put_upload(
    client: httpx.AsyncClient, data: bytes, fmt: str = "png"
) -> tuple[str, httpx.Response]:
    """Presigned flow: returns the file key and the PUT's response."""
    answer = await client.get("/v1/api/upload/url", params={"format": fmt})
    check("getUploadUrl", answer)
    url = answer.json()["data"]["imageUrl"]
    put = await client.put(
        url,
        content=data,
        headers={"Content-Type": "application/octet-stream", "Authorization": ""},
    )
    check("uploadFile", put)
    return answer.json()["data"]["fileKey"], put


async def upload(
    client: httpx.AsyncClient, data: bytes | None = None, fmt: str = "png", multipart: bool = False
) -> str:
    data = image_bytes() if data is None else data
    if multipart:
        answer = await client.post("/v1/api/upload", files={"file": (f"x.{fmt}", data)})
        check("uploadAssetFile", answer)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["data"]["fileKey"])
    key, put = await put_upload(client, data, fmt)
    assert put.status_code == 200, put.text
    return key


async def create(client: httpx.AsyncClient, operation: str, body: dict[str, Any]) -> httpx.Response:
    answer = await client.post(f"/v1/api/generate/{operation}", json=body)
    check(operation, answer)
    return answer


async def created_id(client: httpx.AsyncClient, operation: str, body: dict[str, Any]) -> str:
    answer = await create(client, operation, body)
    assert answer.json()["code"] == 0, answer.text
    return str(answer.json()["data"]["id"])


async def status(client: httpx.AsyncClient, task_id: str) -> list[dict[str, Any]]:
    answer = await client.get("/v1/api/generate", params={"id": task_id})
    check("getTaskStatus", answer)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["data"]["resultList"]
    return items


async def usage(client: httpx.AsyncClient) -> dict[str, int]:
    answer = await client.get("/v1/api/usage")
    check("getCreditUsage", answer)
    data: dict[str, int] = answer.json()["data"]
    return data
