"""Start, watch and stop a Prism mock server for the contract tests.

Prism is launched as `node <prism-cli>/dist/index.js`, not through `npx`, so the pid kept here is
the pid of the node process that owns the listening socket (npx would add an npm process and a
shell in between, and killing the wrong one leaves the server running).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import IO

from sellerpic_mock.testing import stop_process

ROOT = Path(__file__).resolve().parents[1]
MOCK_DIR = ROOT / "mock"
PRISM_JS = MOCK_DIR / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
HOST = "127.0.0.1"


class PrismError(RuntimeError):
    """Prism could not be started."""


def prism_available() -> bool:
    return PRISM_JS.is_file() and shutil.which("node") is not None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


class PrismServer:
    """One `prism mock` process on a free 127.0.0.1 port, restartable after a crash."""

    def __init__(
        self,
        spec: Path,
        *,
        log_path: Path,
        dynamic: bool = False,
        errors: bool = True,
        port: int | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.spec = spec
        self.log_path = log_path
        self.dynamic = dynamic
        self.errors = errors
        self.port = port or free_port()
        self.startup_timeout = startup_timeout
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def command(self) -> list[str]:
        node = shutil.which("node") or "node"
        # Node's default 16 KB limit on the request line and headers answers 431 (undocumented) to
        # a 4096-character path token once percent-encoded; raise it so Prism validates the token.
        cmd = [node, "--max-http-header-size=262144", str(PRISM_JS), "mock", str(self.spec)]
        cmd += ["-h", HOST, "-p", str(self.port)]
        if self.dynamic:
            cmd.append("-d")
        if self.errors:
            cmd.append("--errors")
        return cmd

    def start(self) -> str:
        if not prism_available():
            raise PrismError(f"Prism is not installed at {PRISM_JS}: run `make setup`")
        if port_open(self.port):
            raise PrismError(f"port {self.port} is already in use")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh log per server, appended to after a restart so the crash stays readable.
        self._log = self.log_path.open("ab" if self.restarts else "wb")
        self._process = subprocess.Popen(
            self.command(),
            cwd=MOCK_DIR,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                raise PrismError(f"Prism exited with {code} during start-up; see {self.log_path}")
            if port_open(self.port):
                return self.base_url
            time.sleep(0.1)
        self.stop()
        raise PrismError(f"Prism did not listen on {self.port} within {self.startup_timeout} s")

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def ensure_running(self) -> bool:
        """Restart the server (same port) when it has died; return True when it had to."""
        if self.alive():
            return False
        self._close()
        self.restarts += 1
        self.start()
        return True

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process, timeout=5)
        self._close()

    def _close(self) -> None:
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> PrismServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
