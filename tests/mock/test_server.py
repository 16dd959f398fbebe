"""The simulator over real sockets: restart persistence, dropped connections, the CLI."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sellerpic_mock import FakeClock, MockConfig
from sellerpic_mock.cli import is_loopback
from sellerpic_mock.testing import image_bytes, run_server, serve_in_subprocess

KEY = "sk-server-test"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def config(data_dir: Path, clock: FakeClock) -> MockConfig:
    return MockConfig(api_keys={KEY: 50}, data_dir=data_dir, clock=clock)


def test_restart_keeps_accounts_files_tasks_and_results(tmp_path: Path) -> None:
    clock = FakeClock()
    with (
        run_server(config(tmp_path, clock)) as url,
        httpx.Client(base_url=url, headers=HEADERS) as c,
    ):
        up = c.get("/v1/api/upload/url", params={"format": "png"}).json()["data"]
        assert httpx.put(up["imageUrl"], content=image_bytes()).status_code == 200
        task_id = c.post(
            "/v1/api/generate/tryOnApparel",
            json={"modelImageKey": up["fileKey"], "top": {"imageKey": up["fileKey"]}},
        ).json()["data"]["id"]
        clock.advance(10)
        result_id = c.get("/v1/api/generate", params={"id": task_id}).json()["data"]["resultList"][
            0
        ]["id"]
        file_url = c.get(
            "/v1/api/download", params={"id": result_id, "downloadFormat": "png"}
        ).json()["data"]["fileUrl"]
        first = httpx.get(file_url).content
    # Restarted without the key on the command line: the account persists with its balance.
    with (
        run_server(MockConfig(data_dir=tmp_path, clock=clock)) as url,
        httpx.Client(base_url=url, headers=HEADERS) as c,
    ):
        assert c.get("/v1/api/usage").json()["data"] == {"remaining": 46, "total": 50, "usage": 4}
        items = c.get("/v1/api/generate", params={"id": task_id}).json()["data"]["resultList"]
        assert [i["status"] for i in items] == ["SUCCESS"] * 4
        again = c.get("/v1/api/download", params={"id": result_id, "downloadFormat": "png"}).json()[
            "data"
        ]["fileUrl"]
        assert again.rsplit("/", 1)[1] == file_url.rsplit("/", 1)[1]
        assert httpx.get(again).content == first
        assert (
            c.post("/v1/api/generate/removeBackground", json={"imageKey": up["fileKey"]}).json()[
                "code"
            ]
            == 0
        )


def test_drop_over_a_real_socket(tmp_path: Path) -> None:
    with run_server(config(tmp_path, FakeClock())) as url:
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/v1/api/usage", headers={**HEADERS, "X-Sellerpic-Mock-Fault": "drop"})
        assert httpx.get(f"{url}/v1/api/usage", headers=HEADERS).status_code == 200


def test_cli_prints_url_first(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sellerpic_mock",
            "serve",
            "--port",
            "0",
            "--ephemeral",
            "--api-key",
            "sk-cli:7",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        for _ in range(100):
            try:
                answer = httpx.get(
                    f"{url}/v1/api/usage", headers={"Authorization": "Bearer sk-cli"}
                )
                break
            except httpx.ConnectError:
                import time

                time.sleep(0.05)
        assert answer.json()["data"]["total"] == 7
        demo = httpx.get(
            f"{url}/v1/api/usage", headers={"Authorization": "Bearer sk-sellerpic-demo"}
        )
        assert demo.status_code == 200
    finally:
        process.terminate()
        process.wait(10)


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


def test_the_announced_url_answers_at_once() -> None:
    # Scripts read the first line and connect straight away, with no retry loop: the socket
    # must already be listening when the URL is printed (the app is still starting).
    with serve_in_subprocess("--ephemeral", "--api-key", KEY) as (url, _process):
        host, port = url.removeprefix("http://").rsplit(":", 1)
        # A bare connect right away (an httpx client spends tens of ms setting up first).
        socket.create_connection((host, int(port)), timeout=30).close()
        answer = httpx.get(f"{url}/v1/api/usage", headers=HEADERS, timeout=30)
    assert answer.status_code == 200, answer.text
