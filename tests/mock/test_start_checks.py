"""A simulator that cannot start as asked says why and what to do, exit 2, no traceback:
a data dir in use, read-only or with a broken database, a busy port; and --no-demo-key means
the demo key is refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sellerpic_mock.app import Simulator
from sellerpic_mock.cli import _parser, banner, config_from_args
from sellerpic_mock.config import DEMO_API_KEY
from sellerpic_mock.storage.datadir import DataDirError
from sellerpic_mock.testing import asgi_client, serve_command, serve_in_subprocess


def start(*args: str) -> subprocess.CompletedProcess[str]:
    """`sellerpic-mock serve --port 0 ARGS` expected to stop at once."""
    return subprocess.run(serve_command(*args), capture_output=True, text=True, timeout=60)


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout == "", "nothing may be announced"
    for word in words:
        assert word in done.stderr, done.stderr


def test_a_second_simulator_on_a_data_dir_in_use_exits_2_naming_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    with serve_in_subprocess("--data-dir", str(data_dir)) as (url, process):
        done = start("--data-dir", str(data_dir))
        assert_refused(done, str(data_dir), "in use", f"pid {process.pid}", "--data-dir")
        # The first one still serves, alone.
        answer = httpx.get(
            url + "/v1/api/usage", headers={"Authorization": f"Bearer {DEMO_API_KEY}"}
        )
        assert answer.status_code == 200


def test_in_process_a_second_app_on_the_same_data_dir_is_refused(
    make_app: Callable[..., Simulator], tmp_path: Path
) -> None:
    make_app()
    with pytest.raises(DataDirError, match="in use"):
        make_app()


def test_a_busy_port_exits_2_with_the_flags_to_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "sellerpic_mock", "serve", "--port", str(port), "--ephemeral"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith(
        f"port {port} is in use; choose another with --port, or --port 0 for a free one"
    )
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", ["empty (0 bytes)"]), (b"this is not a database" * 100, ["cannot be opened"])],
    ids=["zero-bytes", "corrupt"],
)
def test_a_broken_database_stops_the_start(
    tmp_path: Path, content: bytes, words: list[str]
) -> None:
    data_dir = tmp_path / "state"
    data_dir.mkdir()
    database = data_dir / "sellerpic-mock.sqlite3"
    database.write_bytes(content)
    done = start("--data-dir", str(data_dir))
    assert_refused(done, str(database), "move it away", *words)
    assert database.read_bytes() == content, "the broken file is left as it was"


@contextmanager
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to: a read-only tmpfs as root (root ignores permission
    bits), permission bits otherwise."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield folder
        finally:
            folder.chmod(0o700)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_data_dir_stops_the_start(tmp_path: Path) -> None:
    with read_only_dir(tmp_path) as folder:
        done = start("--data-dir", str(folder))
    assert_refused(done, str(folder), "not writable", "--data-dir")


async def test_no_demo_key_refuses_the_demo_key_on_an_existing_data_dir(
    make_app: Callable[..., Simulator],
) -> None:
    app = make_app()
    async with asgi_client(app, DEMO_API_KEY) as client:
        assert (await client.get("/v1/api/usage")).status_code == 200
    app.services.close()
    app = make_app(demo_key=False)
    async with asgi_client(app, DEMO_API_KEY) as client:
        answer = await client.get("/v1/api/usage")
    assert answer.status_code == 401
    assert answer.json()["code"] == 401


def test_the_banner_names_only_keys_that_work(tmp_path: Path) -> None:
    args = ["serve", "--data-dir", str(tmp_path), "--api-key", "sk-secret-1:5"]
    on = config_from_args(_parser().parse_args(args))
    off = config_from_args(_parser().parse_args([*args, "--no-demo-key"]))
    assert DEMO_API_KEY in banner(on)
    assert DEMO_API_KEY not in banner(off) and "--no-demo-key" in banner(off)
    for config in (on, off):
        assert "sk-secret-1" not in banner(config), "other keys are secrets: counted only"
        assert "1 key(s)" in banner(config)
