"""The generated client has every operation and parses what the real API may send."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sellerpic_client import AuthenticatedClient
from sellerpic_client.api.upload import upload_asset_file
from sellerpic_client.models import (
    KnownTaskStatus,
    ResultItem,
    TaskCreatedResponse,
    TaskStatusResponse,
    UploadedAssetResponse,
)
from tests.spec.conftest import ROOT
from tests.spec.test_spec import OPERATIONS


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_every_operation_has_sync_and_asyncio_functions(op_id: str) -> None:
    modules = list((ROOT / "generated" / "sellerpic_client" / "api").glob(f"*/{_snake(op_id)}.py"))
    assert len(modules) == 1, f"no generated module for {op_id}"
    package = modules[0].parent.name
    module = importlib.import_module(f"sellerpic_client.api.{package}.{_snake(op_id)}")
    for function in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
        assert callable(getattr(module, function, None)), f"{op_id} lacks {function}"


def test_an_unknown_task_status_still_parses() -> None:
    parsed = TaskStatusResponse.from_dict(
        {
            "code": 0,
            "data": {"resultList": [{"id": "1956366543768004070", "status": "QUEUED"}]},
            "success": True,
            "traceId": "t",
        }
    )
    assert parsed.data.result_list[0].status == "QUEUED"
    assert parsed.data.result_list[0].id == "1956366543768004070"


def test_an_envelope_with_extra_fields_parses_and_keeps_them() -> None:
    parsed = UploadedAssetResponse.from_dict(
        {
            "msg": "SUCCESS",
            "code": 0,
            "traceId": "ZHB8oC1p4Ziy",
            "data": {"fileKey": "UPLOAD/1/2025/07/18/ab.jpg"},
            "success": True,
            "request_id": "df8d2243a9704f688ee0721951591973",
        }
    )
    assert parsed.data.file_key == "UPLOAD/1/2025/07/18/ab.jpg"
    assert parsed.additional_properties["request_id"] == "df8d2243a9704f688ee0721951591973"


def test_a_known_task_status_parses_as_the_enum_and_round_trips() -> None:
    item = ResultItem.from_dict({"id": "1956366543768004070", "status": "SUCCESS"})
    assert item.status is KnownTaskStatus.SUCCESS
    assert item.status == "SUCCESS"
    assert item.to_dict()["status"] == "SUCCESS"
    unknown = ResultItem.from_dict({"id": "1956366543768004070", "status": "QUEUED"})
    assert type(unknown.status) is str
    assert unknown.to_dict()["status"] == "QUEUED"


def test_a_refused_create_without_data_parses() -> None:
    parsed = TaskCreatedResponse.from_dict(
        {"code": 30003, "msg": "limit", "success": False, "traceId": "ZHB8oC1p4Ziy"}
    )
    assert parsed.code == 30003
    assert parsed.success is False


def test_a_create_answer_without_the_documented_trace_id_is_refused() -> None:
    # The Try-On (Accessories) page marks success and traceId required in the create answer.
    with pytest.raises(KeyError, match="traceId"):
        TaskCreatedResponse.from_dict({"code": 0, "data": {"id": "1"}, "success": True})


def test_a_201_without_a_body_parses_as_none() -> None:
    response = httpx.Response(201, request=httpx.Request("POST", "http://x/v1/api/upload"))
    client = AuthenticatedClient(base_url="http://x", token="k")
    assert upload_asset_file._build_response(client=client, response=response).parsed is None


def test_nineteen_digit_ids_survive_as_strings() -> None:
    parsed = TaskCreatedResponse.from_dict(
        {"code": 0, "data": {"id": "1956366543768004069"}, "success": True, "traceId": "t"}
    )
    assert parsed.data.id == "1956366543768004069"


def _copy_pipeline(dest: Path) -> None:
    for name in ("openapi", "tools", "generated", "spec"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "generator-config.yaml", dest / "generator-config.yaml")


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(folder / "tools" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_generated_passes_on_the_committed_tree_and_fails_on_one_changed_line(
    tmp_path: Path,
) -> None:
    _copy_pipeline(tmp_path)
    clean = _check(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    spec = tmp_path / "openapi" / "sellerpic.yaml"
    text = spec.read_text()
    changed = text.replace("summary: Get credit usage", "summary: Get the credit usage", 1)
    assert changed != text
    spec.write_text(changed)
    stale = _check(tmp_path)
    assert stale.returncode == 1
    assert "get_credit_usage.py" in stale.stdout
    # The JSON copy the client and the simulator read is stale too, and said so.
    assert "spec/sellerpic_spec/sellerpic.json" in stale.stdout
    assert "+    Get the credit usage" in stale.stdout or "Get the credit usage" in stale.stdout
    assert "make generate" in stale.stderr


def test_generation_is_byte_identical_when_run_twice(tmp_path: Path) -> None:
    _copy_pipeline(tmp_path)
    generate = [sys.executable, str(tmp_path / "tools" / "generate.py")]
    subprocess.run(generate, check=True, capture_output=True, timeout=120)
    first = {p: p.read_bytes() for p in (tmp_path / "generated").rglob("*.py")}
    subprocess.run(generate, check=True, capture_output=True, timeout=120)
    second = {p: p.read_bytes() for p in (tmp_path / "generated").rglob("*.py")}
    assert first == second
    assert len(first) > 40
