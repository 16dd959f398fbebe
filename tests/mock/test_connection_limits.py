"""Hostile or broken clients over real sockets: oversized and slow heads, bodies that never
end, abandoned bodies, and hundreds of idle connections under a 1,024 file limit."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sellerpic_mock.config import DEMO_API_KEY
from sellerpic_mock.testing import announced_server, serve_command

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@contextmanager
def served(
    *args: str, log: Path | None = None, files: int | None = None
) -> Iterator[tuple[str, int]]:
    """An ephemeral simulator in its own process (under `ulimit -n files`); yields its host
    and port."""
    command = serve_command("--ephemeral", *args)
    if files is not None:
        command = ["sh", "-c", f'ulimit -n {files} && exec "$@"', "sh", *command]
    stderr = log.open("w") if log is not None else subprocess.DEVNULL
    try:
        with announced_server(command, stderr=stderr) as (url, _):
            host, port = url.removeprefix("http://").rsplit(":", 1)
            yield host, int(port)
    finally:
        if not isinstance(stderr, int):
            stderr.close()


def read_answer(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (or `timeout`)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    return data


def envelope(answer: bytes) -> dict[str, object]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), answer
    found: dict[str, object] = json.loads(body)
    return found


def test_a_head_past_the_limit_is_answered_431() -> None:
    with served() as (host, port):
        answer = httpx.get(
            f"http://{host}:{port}/v1/api/usage", headers={**AUTH, "X-Pad": "a" * 70_000}
        )
        assert answer.status_code == 431
        assert answer.json()["code"] == 431 and "65536 bytes" in answer.json()["msg"]
        with socket.create_connection((host, port)) as sock:
            # A head that never ends: refused once past the limit, not read to its end.
            sock.sendall(b"GET /v1/api/usage HTTP/1.1\r\nX-Pad: " + b"a" * 66_000)
            assert envelope(read_answer(sock, 5))["code"] == 431
        assert httpx.get(f"http://{host}:{port}/v1/api/usage", headers=AUTH).status_code == 200


def test_slow_heads_and_bodies_time_out() -> None:
    with served("--head-timeout", "0.5", "--body-timeout", "0.5") as (host, port):
        with socket.create_connection((host, port)) as sock:
            started = time.monotonic()
            sock.sendall(b"GET /v1/api/usage HTTP/1.1\r\nHost: x\r\n")
            answer = read_answer(sock, 10)
            assert envelope(answer)["code"] == 408 and time.monotonic() - started < 5
        with socket.create_connection((host, port)) as sock:
            # Content-Length promises more than is sent: on main this waited forever.
            sock.sendall(
                b"POST /v1/api/generate/removeBackground HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + DEMO_API_KEY.encode() + b"\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            started = time.monotonic()
            answer = read_answer(sock, 10)
            assert envelope(answer)["code"] == 408 and time.monotonic() - started < 5
        assert httpx.get(f"http://{host}:{port}/v1/api/usage", headers=AUTH).status_code == 200


def test_an_abandoned_body_is_one_log_line(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    with served(log=log) as (host, port):
        for _ in range(3):
            with socket.create_connection((host, port)) as sock:
                sock.sendall(
                    b"POST /v1/api/generate/removeBackground HTTP/1.1\r\nHost: x\r\n"
                    b"Authorization: Bearer " + DEMO_API_KEY.encode() + b"\r\n"
                    b'Content-Length: 1000\r\n\r\n{"productImageKey"'
                )
                time.sleep(0.1)
        assert httpx.get(f"http://{host}:{port}/v1/api/usage", headers=AUTH).status_code == 200
    text = log.read_text()
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if "before sending the whole body" in line]
    assert len(lines) == 3, text


@pytest.mark.parametrize("idle", [300, 1100], ids=["a-few-hundred", "more-than-the-files"])
def test_idle_clients_do_not_starve_others_under_1024_files(idle: int) -> None:
    """`idle` connections, half of them stuck inside a head, then normal requests on fresh
    connections: each answered promptly. On main the accept loop ran out of descriptors
    (EMFILE) and a request waited 19.7 s."""
    with served(files=1024) as (host, port):
        idlers: list[socket.socket] = []
        try:
            for n in range(idle):
                sock = socket.create_connection((host, port))
                if n % 2:
                    sock.sendall(b"GET /v1/api/usage HTTP/1.1\r\nHost: x\r\n")
                idlers.append(sock)
            time.sleep(0.5)
            worst = 0.0
            for _ in range(20):
                started = time.monotonic()
                answer = httpx.get(f"http://{host}:{port}/v1/api/usage", headers=AUTH, timeout=10)
                worst = max(worst, time.monotonic() - started)
                assert answer.status_code == 200
            print(f"{idle} idle connections: slowest of 20 requests {worst * 1000:.0f} ms")
            assert worst < 2.0
        finally:
            for sock in idlers:
                sock.close()
