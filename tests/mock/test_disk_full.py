"""A full disk: every answer stays a JSON envelope with code 507, a failed write leaves no
temporary file, and the simulator recovers once space is free (a 2 MB tmpfs, as root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sellerpic_mock.config import DEMO_API_KEY
from sellerpic_mock.domain.errors import DISK_FULL
from sellerpic_mock.testing import image_bytes, serve_in_subprocess

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the disk with one file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def envelope(answer: httpx.Response) -> dict[str, object]:
    assert answer.headers["content-type"].startswith("application/json"), answer.text
    found: dict[str, object] = answer.json()
    assert {"code", "msg", "success"} <= set(found), found
    return found


def test_a_full_disk_answers_json_507_and_recovers(small_disk: Path) -> None:
    data_dir = small_disk / "state"
    with serve_in_subprocess("--data-dir", str(data_dir)) as (url, _):
        client = httpx.Client(base_url=url, headers=AUTH, timeout=30)
        picture = image_bytes((256, 256))
        body = {"imageKey": SAMPLE}
        filler = fill(small_disk)
        codes: set[object] = set()
        for _ in range(3):
            upload = client.get("/v1/api/upload/url", params={"format": "png"})
            codes.add(envelope(upload)["code"])
            if upload.json()["code"] == 0:
                put = httpx.put(upload.json()["data"]["imageUrl"], content=picture, timeout=30)
                assert envelope(put)["code"] == DISK_FULL
            multipart = client.post("/v1/api/upload", files={"file": ("x.png", picture)})
            assert envelope(multipart)["code"] == DISK_FULL
            for _ in range(20):
                codes.add(
                    envelope(client.post("/v1/api/generate/removeBackground", json=body))["code"]
                )
            codes.add(envelope(client.get("/v1/api/usage"))["code"])
        assert codes <= {0, DISK_FULL}, codes
        assert list(data_dir.rglob(".part-*")) == [], "a failed write left its temporary file"
        filler.unlink()
        created = client.post("/v1/api/generate/removeBackground", json=body).json()
        assert created["code"] == 0, created
        status = client.get("/v1/api/generate", params={"id": created["data"]["id"]})
        assert envelope(status)["code"] == 0
        multipart = client.post("/v1/api/upload", files={"file": ("x.png", picture)})
        assert envelope(multipart)["code"] == 0
        client.close()
    # And after a restart on the same data dir.
    with serve_in_subprocess("--data-dir", str(data_dir)) as (url, _):
        assert envelope(httpx.get(url + "/v1/api/usage", headers=AUTH))["code"] == 0
