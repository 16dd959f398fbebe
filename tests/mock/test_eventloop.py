"""The serving loop: every waiting connection accepted at once, and no Nagle delay on any."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import pytest

from sellerpic_mock import eventloop
from sellerpic_mock.cli import listen_on
from sellerpic_mock.eventloop import new_event_loop

LoopFactory = Callable[[], asyncio.AbstractEventLoop]
LOOPS: dict[str, LoopFactory] = {"serving": new_event_loop, "asyncio": asyncio.new_event_loop}


class Recorder(asyncio.Protocol):
    def __init__(self, made: list[asyncio.BaseTransport]) -> None:
        self._made = made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._made.append(transport)


@contextmanager
def clients(sock: socket.socket, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that the kernel completed and that wait in the backlog."""
    with ExitStack() as stack:
        opened = []
        for _ in range(count):
            client = stack.enter_context(socket.create_connection(sock.getsockname()[:2]))
            opened.append(client)
        yield opened


def accepted_now(sock: socket.socket) -> bool:
    """True when the backlog still held a connection (which is then closed)."""
    sock.setblocking(False)
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


@contextmanager
def serving(
    loop: asyncio.AbstractEventLoop, sock: socket.socket
) -> Iterator[tuple[asyncio.AbstractServer, list[asyncio.BaseTransport]]]:
    """A server of `loop` on `sock` and the transports of the connections it made; then
    closes them, the server, the loop and the socket."""
    made: list[asyncio.BaseTransport] = []
    try:
        server = loop.run_until_complete(loop.create_server(lambda: Recorder(made), sock=sock))
        yield server, made
        for transport in made:
            transport.close()
        server.close()
        loop.run_until_complete(server.wait_closed())
    finally:
        loop.close()
        sock.close()


def test_one_loop_iteration_accepts_every_waiting_connection() -> None:
    # libuv takes one connection per loop iteration: under load, the last of 50 clients
    # connecting at once waited 50 iterations.
    loop = new_event_loop()
    sock = listen_on("127.0.0.1", 0)
    with serving(loop, sock) as (_, made), clients(sock, 20):
        loop.run_until_complete(asyncio.sleep(0))
        assert not accepted_now(sock)
        loop.run_until_complete(asyncio.sleep(0.05))
        assert len(made) == 20


def test_a_closed_server_accepts_nothing_more() -> None:
    loop = new_event_loop()
    sock = listen_on("127.0.0.1", 0)
    with serving(loop, sock) as (server, made):
        server.close()
        with clients(sock, 3):
            loop.run_until_complete(asyncio.sleep(0.05))
            assert made == []
            assert accepted_now(sock)


@pytest.mark.parametrize("loop_name", LOOPS)
def test_accepted_connections_send_without_nagle_delay(loop_name: str) -> None:
    # A response goes out as two writes (head, body); with Nagle on, the second waits for the
    # client's delayed ACK: 40 ms a request. asyncio sets TCP_NODELAY only on sockets that
    # say they are TCP, which a socket made with proto 0 does not.
    loop = LOOPS[loop_name]()
    sock = listen_on("127.0.0.1", 0)
    with serving(loop, sock) as (_, made), clients(sock, 1):
        loop.run_until_complete(asyncio.sleep(0.05))
        assert len(made) == 1
        accepted = made[0].get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


class OutOfDescriptors(socket.socket):
    """A listening socket whose first accept fails as if the process had no descriptor left."""

    failures = 1

    def accept(self) -> tuple[socket.socket, object]:
        if self.failures:
            self.failures -= 1
            raise OSError(errno.EMFILE, "Too many open files")
        return super().accept()


def test_accepting_pauses_after_running_out_of_descriptors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The listening socket stays readable while the backlog holds a client: retrying at once
    # would spin. The client waits in the backlog and is accepted after the pause.
    monkeypatch.setattr(eventloop, "ACCEPT_RETRY_S", 0.2)
    loop = new_event_loop()
    sock = OutOfDescriptors(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    with serving(loop, sock) as (_, made), clients(sock, 1):
        loop.run_until_complete(asyncio.sleep(0.1))
        assert made == [] and sock.failures == 0
        loop.run_until_complete(asyncio.sleep(0.3))
        assert len(made) == 1
