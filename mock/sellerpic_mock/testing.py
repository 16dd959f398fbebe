"""Helpers for tests that use the simulator: in-process clients, a real server, test images."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import uvicorn
from PIL import Image, ImageDraw
from starlette.types import ASGIApp

from .app import Simulator, create_app
from .cli import limits_of, listen_on, url_of, uvicorn_config
from .clock import FakeClock
from .config import DEMO_API_KEY, MockConfig
from .faults import silence_drop_tracebacks

__all__ = [
    "DEMO_API_KEY",
    "FakeClock",
    "announced_server",
    "asgi_client",
    "close_app",
    "image_bytes",
    "mask_bytes",
    "run_server",
    "serve_in_subprocess",
    "stop_process",
]


def asgi_client(app: Simulator, api_key: str | None = DEMO_API_KEY) -> httpx.AsyncClient:
    """An httpx client wired straight to the app, no sockets; base URL http://testserver."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


def close_app(app: Simulator) -> None:
    """Release the database (and the temporary data dir of an ephemeral app)."""
    app.services.close()


@contextmanager
def run_server(
    config: MockConfig | None = None, host: str = "127.0.0.1", app: ASGIApp | None = None
) -> Iterator[str]:
    """Serve `app` (a fresh simulator of `config` by default; a given app is served with the
    connection limits of `config`) with uvicorn on a free port in a thread; yields its base
    URL."""
    if app is None:
        simulator = create_app(config)
        app, config = simulator, simulator.services.config
    sock = listen_on(host, 0)
    silence_drop_tracebacks()
    server = uvicorn.Server(uvicorn_config(app, limits=limits_of(config or MockConfig())))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the simulator did not start")
        time.sleep(0.01)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def serve_in_subprocess(
    *args: str, stderr: IO[str] | int | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`sellerpic-mock serve --port 0 ARGS` in its own process, as a user starts it (its own core,
    no shared GIL); yields the URL it printed on its first line and the process, then stops it."""
    with announced_server(serve_command(*args), stderr=stderr) as served:
        yield served


def serve_command(*args: str) -> list[str]:
    """The command line of `sellerpic-mock serve --port 0 ARGS` with this interpreter."""
    return [sys.executable, "-m", "sellerpic_mock", "serve", "--port", "0", *args]


@contextmanager
def announced_server(
    command: list[str],
    stderr: IO[str] | int | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A server process that prints its URL as its first stdout line once it listens;
    yields that URL and the process, then stops it."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=cwd, env=env
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"{' '.join(command)} did not start (first line {url!r})")
        yield url, process
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def image_bytes(
    size: tuple[int, int] = (64, 64),
    fmt: str = "PNG",
    colour: tuple[int, int, int] = (200, 60, 40),
    frames: int = 1,
) -> bytes:
    """A product-like picture: a coloured square on white (animated when frames > 1)."""
    pictures = []
    for n in range(frames):
        img = Image.new("RGB", size, (255, 255, 255))
        w, h = size
        ImageDraw.Draw(img).rectangle((w // 4 + n, h // 4, w * 3 // 4, h * 3 // 4), fill=colour)
        pictures.append(img)
    buffer = io.BytesIO()
    if frames > 1:
        pictures[0].save(
            buffer, format=fmt, save_all=True, append_images=pictures[1:], duration=100
        )
    else:
        pictures[0].save(buffer, format=fmt)
    return buffer.getvalue()


def mask_bytes(size: tuple[int, int] = (64, 64), grey: bool = False) -> bytes:
    """A black mask with a white centre square; `grey` makes it invalid (mid-grey pixels)."""
    img = Image.new("L", size, 0)
    w, h = size
    ImageDraw.Draw(img).rectangle(
        (w // 4, h // 4, w * 3 // 4, h * 3 // 4), fill=128 if grey else 255
    )
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()
