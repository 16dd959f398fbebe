"""Recordings: SELLERPIC_RECORD / record_dir= write every exchange, with no secret in the files,
and `make verify-recordings` checks them against the spec."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sim = pytest.importorskip("sellerpic_mock.testing")
from sellerpic import AsyncSellerPic, SellerPic  # noqa: E402
from sellerpic._recording import ENV, REDACTED, redact_url  # noqa: E402
from sellerpic_mock.config import MockConfig  # noqa: E402
from tools import verify_recordings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-recorded-0123456789abcdef-KEY"
TOKEN_SEGMENTS = ("presigned", "files")
# Query parameters of presigned URLs that carry credentials (S3 SigV4 and its relatives).
SIGNATURE_PARAMS = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "Signature")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    config = MockConfig(api_keys={KEY: 1000}, created_seconds=0.05, running_seconds=0.1)
    with sim.run_server(config) as url:
        yield url


class SeenSecrets:
    """An event hook placed before the recorder's: the real tokens of every URL the client used."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()

    def __call__(self, request: httpx.Request) -> None:
        parts = request.url.path.split("/")
        for before, segment in itertools.pairwise(parts):
            if before in TOKEN_SEGMENTS:
                self.tokens.add(segment)
        for name in SIGNATURE_PARAMS:
            value = request.url.params.get(name)
            if value:
                self.tokens.add(value)


def recorded_lines(folder: Path) -> list[dict[str, Any]]:
    files = sorted(folder.glob("exchanges-*.jsonl"))
    assert files, f"nothing recorded in {folder}"
    return [json.loads(line) for path in files for line in path.read_text().splitlines()]


def assert_no_secret(folder: Path, secrets: set[str]) -> None:
    for path in folder.glob("*.jsonl"):
        text = path.read_text()
        for secret in secrets:
            assert secret not in text, f"{path.name} contains a secret"


def run_workflow(client: SellerPic, tmp_path: Path) -> None:
    image = tmp_path / "image.png"
    image.write_bytes(sim.image_bytes((320, 320)))
    client.credits()
    client.presets("AI_BACKGROUND")
    client.run("remove_background", image=image, output_dir=tmp_path / "out")


def make_verify(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "--old-file=.make/python",
            "verify-recordings",
            f"DIR={folder}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )


def test_the_environment_variable_records_a_workflow_without_secrets(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "recordings"
    monkeypatch.setenv(ENV, str(folder))
    seen = SeenSecrets()
    http = httpx.Client(event_hooks={"request": [seen]})
    with SellerPic(KEY, base_url=server, poll_interval=0.05, http_client=http) as client:
        run_workflow(client, tmp_path)
    http.close()
    lines = recorded_lines(folder)
    methods = {
        (line["request"]["method"], httpx.URL(line["request"]["url"]).path) for line in lines
    }
    assert ("GET", "/v1/api/usage") in methods
    assert ("POST", "/v1/api/generate/removeBackground") in methods
    assert seen.tokens, "the workflow used no presigned URL"
    assert_no_secret(folder, {KEY, *seen.tokens})
    for line in lines:
        assert line["request"]["headers"].get("authorization") in (None, REDACTED)
    created = next(line for line in lines if line["request"]["method"] == "POST")
    assert created["request"]["body"]["json"]["imageKey"].startswith("UPLOAD/")
    assert created["response"]["body"]["json"]["code"] == 0
    upload = next(line for line in lines if line["request"]["method"] == "PUT")
    summary = upload["request"]["body"]["binary"]
    assert summary["size"] > 0 and len(summary["sha256"]) == 64
    downloads = [
        line
        for line in lines
        if line["request"]["method"] == "GET" and "binary" in (line["response"]["body"] or {})
    ]
    assert downloads[-1]["response"]["body"]["binary"]["content_type"] == "image/png"
    done = make_verify(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict: **pass**" in done.stdout
    assert "## `removeBackground` (POST /v1/api/generate/removeBackground)" in done.stdout


async def test_record_dir_records_the_async_client(server: str, tmp_path: Path) -> None:
    folder = tmp_path / "async"
    async with AsyncSellerPic(KEY, base_url=server, record_dir=folder) as client:
        await client.credits()
    (line,) = recorded_lines(folder)
    assert line["response"]["status"] == 200
    assert line["response"]["body"]["json"]["data"]["total"] == 1000
    assert_no_secret(folder, {KEY})


def test_nothing_is_recorded_unless_asked(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with SellerPic(KEY, base_url=server) as client:
        client.credits()
        assert not client._http.event_hooks["response"]
    assert not list(tmp_path.rglob("*.jsonl"))


def altered(folder: Path, target: Path, change: Any) -> None:
    """Copy the recordings, applying `change` to the first getCreditUsage answer."""
    target.mkdir()
    done = False
    for path in folder.glob("*.jsonl"):
        out = []
        for raw in path.read_text().splitlines():
            line = json.loads(raw)
            if not done and line["request"]["url"].endswith("/v1/api/usage"):
                change(line["response"])
                done = True
            out.append(json.dumps(line))
        (target / path.name).write_text("\n".join(out) + "\n")
    assert done


@pytest.fixture
def recorded(server: str, tmp_path: Path) -> Path:
    folder = tmp_path / "recorded"
    with SellerPic(KEY, base_url=server, poll_interval=0.05, record_dir=folder) as client:
        run_workflow(client, tmp_path)
    return folder


def test_an_altered_response_fails_naming_the_operation_and_field(
    recorded: Path, tmp_path: Path
) -> None:
    def remaining_as_text(response: dict[str, Any]) -> None:
        response["body"]["json"]["data"]["remaining"] = "plenty"

    broken = tmp_path / "broken"
    altered(recorded, broken, remaining_as_text)
    done = make_verify(broken)
    assert done.returncode != 0, done.stdout
    assert "violations in `getCreditUsage`)" in done.stdout
    section = done.stdout.split("## `getCreditUsage`")[1].split("## ")[0]
    assert '| data.remaining | type: "integer" | "plenty" | 1 |' in section


def test_extra_fields_and_codes_are_evidence_not_failures(recorded: Path, tmp_path: Path) -> None:
    def vendor_added(response: dict[str, Any]) -> None:
        response["body"]["json"]["data"]["currency"] = "credits"
        response["body"]["json"]["requestId"] = "abc"

    changed = tmp_path / "changed"
    altered(recorded, changed, vendor_added)
    result = verify_recordings.verify(changed)
    usage = result.reports["getCreditUsage"]
    assert not result.failed
    assert usage.extra_fields == {"response data.currency": 1, "response requestId": 1}
    report = verify_recordings.render(result, changed)
    assert "| `response data.currency` | 1 |" in report


def test_undocumented_statuses_and_codes_are_reported(recorded: Path, tmp_path: Path) -> None:
    def teapot(response: dict[str, Any]) -> None:
        response["status"] = 418
        response["body"]["json"]["code"] = 41800

    odd = tmp_path / "odd"
    altered(recorded, odd, teapot)
    result = verify_recordings.verify(odd)
    usage = result.reports["getCreditUsage"]
    assert result.failed
    assert usage.undocumented_statuses == {418: 1}
    assert usage.undocumented_codes == {(41800, 418): 1}


@pytest.mark.parametrize(
    ("url", "kept", "hidden"),
    [
        ("https://cdn.example/x.png?X-Amz-Signature=abc&X-Amz-Credential=def&w=1", "w=1", "abc"),
        ("https://s3.example/b/k?Signature=s1&Key-Pair-Id=k1&Expires=9", "Expires=9", "s1"),
        ("http://127.0.0.1:8/presigned/eyJ0b2tlbiI6MX0.sig", "/presigned/", "eyJ0b2tlbiI6MX0"),
        ("https://b.oss.example/k.png?OSSAccessKeyId=ak1&Signature=s2&Expires=9", "k.png", "ak1"),
        ("http://h/v1/api/download?id=1&downloadFormat=png", "downloadFormat=png", "never"),
    ],
)
def test_urls_lose_their_credentials(url: str, kept: str, hidden: str) -> None:
    redacted = redact_url(url)
    assert kept in redacted
    assert hidden not in redacted
