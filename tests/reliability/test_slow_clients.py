"""The long variant of the idle-client test (`make soak`): waves of slow clients for a minute
under `ulimit -n 1024`, normal requests measured throughout."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.mock.test_connection_limits import AUTH, served
from tests.reliability.conftest import LONG


@pytest.mark.skipif(not LONG, reason="the long run belongs to make soak")
def test_slow_clients_soak() -> None:
    with served(files=1024) as (host, port):
        worst = 0.0
        answered = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            wave = []
            for n in range(1200):
                sock = socket.create_connection((host, port))
                # A third say nothing, a third trickle a head, a third promise a body.
                if n % 3 == 1:
                    sock.sendall(b"GET /v1/api/usage HTTP/1.1\r\nHost: x\r\n")
                elif n % 3 == 2:
                    sock.sendall(b"POST /v1/api/upload HTTP/1.1\r\nContent-Length: 99\r\n\r\n")
                wave.append(sock)
            for _ in range(20):
                started = time.monotonic()
                answer = httpx.get(f"http://{host}:{port}/v1/api/usage", headers=AUTH, timeout=10)
                worst = max(worst, time.monotonic() - started)
                assert answer.status_code == 200
                answered += 1
            for sock in wave:
                sock.close()
        print(f"slow-client soak: {answered} requests, slowest {worst * 1000:.0f} ms")
        assert worst < 2.0
