"""Answers leave in one write: the transport that joins a response's head and body."""

from __future__ import annotations

import asyncio
import socket
from typing import Any, ClassVar

import pytest

from sellerpic_mock import create_app, protocol
from sellerpic_mock.cli import uvicorn_config
from sellerpic_mock.config import DEMO_API_KEY
from sellerpic_mock.protocol import JOIN_LIMIT, CoalescingTransport
from sellerpic_mock.testing import run_server


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closing = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.aborted = self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5555)}.get(name, default)


def coalescing(loop: asyncio.AbstractEventLoop) -> tuple[CoalescingTransport, FakeTransport]:
    real = FakeTransport()
    return CoalescingTransport(real, loop), real  # type: ignore[arg-type]


async def test_a_head_and_its_body_are_one_write() -> None:
    transport, real = coalescing(asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"{}")
    assert real.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    await asyncio.sleep(0)
    assert len(real.writes) == 1


async def test_a_write_with_nothing_after_it_leaves_on_the_next_turn() -> None:
    transport, real = coalescing(asyncio.get_running_loop())
    transport.write(bytearray(b"HTTP/1.1 204 No Content\r\n\r\n"))
    assert real.writes == []
    await asyncio.sleep(0)
    assert real.writes == [b"HTTP/1.1 204 No Content\r\n\r\n"]


async def test_large_chunks_are_not_copied_and_keep_their_order() -> None:
    transport, real = coalescing(asyncio.get_running_loop())
    chunk = b"x" * JOIN_LIMIT
    transport.write(b"head")
    transport.write(chunk)
    transport.write(b"tail")
    await asyncio.sleep(0)
    assert real.writes == [b"head", chunk, b"tail"]


async def test_close_sends_what_is_held_first() -> None:
    transport, real = coalescing(asyncio.get_running_loop())
    transport.write(b"head")
    transport.close()
    assert real.writes == [b"head"] and real.closing
    await asyncio.sleep(0)
    assert real.writes == [b"head"]


async def test_abort_and_a_gone_peer_drop_what_is_held() -> None:
    transport, real = coalescing(asyncio.get_running_loop())
    transport.write(b"head")
    transport.abort()
    assert real.aborted and real.writes == []
    transport, real = coalescing(asyncio.get_running_loop())
    transport.write(b"head")
    real.closing = True
    await asyncio.sleep(0)
    assert real.writes == []


async def test_everything_else_is_the_real_transport() -> None:
    transport, _ = coalescing(asyncio.get_running_loop())
    assert transport.get_extra_info("peername") == ("127.0.0.1", 5555)


def test_the_simulator_is_served_with_it() -> None:
    assert protocol.PROTOCOL_CLASS is not None, "httptools is a dependency"
    assert uvicorn_config(create_app()).http is protocol.PROTOCOL_CLASS


class CountingTransport:
    """The socket's side: counts the writes that reach it."""

    writes: ClassVar[list[bytes]] = []

    def __init__(self, transport: Any) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        CountingTransport.writes.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def exchange(sock: socket.socket, request: bytes) -> bytes:
    sock.sendall(request)
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length and not request.startswith(b"HEAD"):
        body += sock.recv(65536)
    return answer if request.startswith(b"HEAD") else head + b"\r\n\r\n" + body


def test_each_answer_reaches_the_socket_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    class Counted(CoalescingTransport):
        def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
            super().__init__(CountingTransport(transport), loop)  # type: ignore[arg-type]

    monkeypatch.setattr(protocol, "CoalescingTransport", Counted)
    CountingTransport.writes.clear()
    with run_server() as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            auth = f"Host: {host}\r\nAuthorization: Bearer {DEMO_API_KEY}\r\n\r\n"
            get = f"GET /v1/api/usage HTTP/1.1\r\n{auth}".encode()
            first = exchange(sock, get)
            second = exchange(sock, get)  # the same connection, kept alive
            head = exchange(sock, f"HEAD /v1/api/usage HTTP/1.1\r\n{auth}".encode())
    assert first.startswith(b"HTTP/1.1 200 OK") and first.endswith(b"}")
    assert second.startswith(b"HTTP/1.1 200 OK") and second.endswith(b"}")
    assert head.startswith(b"HTTP/1.1 200 OK") and head.endswith(b"\r\n\r\n")
    assert len(CountingTransport.writes) == 3
    assert CountingTransport.writes[0] == first
