"""A `sellerpic-mock serve` subprocess that can be killed and started again on its data dir, and
a read of its ledger (tasks, results, credits) through the simulator's storage API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from sellerpic_mock.domain.ids import account_id_for
from sellerpic_mock.storage.db import ResultRow, Store, TaskRow
from sellerpic_spec import catalog

BIN = Path(sys.executable).parent


class SimulatorError(RuntimeError):
    pass


class Simulator:
    """One simulator over `data_dir`; `restart()` kills it (SIGKILL) and starts it again.

    Accounts come from a config file, not from `--api-key`, so keys never appear in a
    process listing.
    """

    def __init__(
        self,
        data_dir: Path,
        accounts: dict[str, int],
        extra_args: Sequence[str] = (),
        log_level: str = "debug",
    ) -> None:
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_file = data_dir.parent / f"{data_dir.name}.accounts.json"
        self.config_file.write_text(json.dumps({"accounts": accounts}), encoding="utf-8")
        os.chmod(self.config_file, 0o600)
        self.extra_args = list(extra_args)
        self.log_level = log_level
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.port = 0
        self.starts = 0
        self.same_port_restarts = 0
        self.logs: list[Path] = []

    # --- life cycle ------------------------------------------------------------------------
    def start(self, port: int = 0, timeout: float = 20.0) -> str:
        self.starts += 1
        out = self.data_dir.parent / f"{self.data_dir.name}.stdout.{self.starts}.log"
        err = self.data_dir.parent / f"{self.data_dir.name}.stderr.{self.starts}.log"
        self.logs += [out, err]
        cmd = [
            str(BIN / "sellerpic-mock"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(self.data_dir),
            "--config",
            str(self.config_file),
            "--no-demo-key",
            "--log-level",
            self.log_level,
            *self.extra_args,
        ]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            self.proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, cwd=self.data_dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            first = out.read_text(encoding="utf-8").split("\n", 1)
            if len(first) == 2 and first[0].startswith("http://"):
                self.url = first[0].strip()
                self.port = int(self.url.rsplit(":", 1)[1])
                if self._healthy():
                    return self.url
            if self.proc.poll() is not None:
                raise SimulatorError(
                    f"simulator exited with {self.proc.returncode}: {err.read_text()[-2000:]}"
                )
            time.sleep(0.05)
        self.stop()
        raise SimulatorError("simulator did not start in time")

    def _healthy(self) -> bool:
        try:
            answer = httpx.get(
                f"{self.url}/v1/api/presets", params={"type": "BACKGROUND"}, timeout=2
            )
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def restart(self, downtime: float = 0.3) -> str:
        """Kill, wait `downtime`, start on the same port if it can be bound again, else on a
        new one (the caller must then point its client at the new URL)."""
        port = self.port
        self.kill()
        time.sleep(downtime)
        try:
            url = self.start(port)
        except SimulatorError:
            return self.start(0)
        self.same_port_restarts += 1
        return url

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def log_text(self) -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs)

    def __enter__(self) -> Simulator:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


# --- the server's ledger -----------------------------------------------------------------------
@dataclass(frozen=True)
class ServerTask:
    task: TaskRow
    results: list[ResultRow]
    file_keys: frozenset[str]

    @property
    def charged(self) -> int:
        return sum(r.credits for r in self.results)

    @property
    def refunded(self) -> int:
        return sum(r.credits for r in self.results if r.status == "FAILED")

    @property
    def succeeded(self) -> list[ResultRow]:
        return [r for r in self.results if r.status == "SUCCESS"]

    @property
    def settled(self) -> bool:
        return bool(self.task.settled)


@dataclass(frozen=True)
class Ledger:
    tasks: list[ServerTask]
    total: int
    used: int

    @property
    def charged(self) -> int:
        return sum(t.charged for t in self.tasks)

    @property
    def refunded(self) -> int:
        return sum(t.refunded for t in self.tasks)


def read_ledger(data_dir: Path, api_key: str) -> Ledger:
    """Tasks, results and credits of the account, read with the simulator's own `Store`."""
    store = Store(data_dir / "sellerpic-mock.sqlite3")
    try:
        account_id = account_id_for(api_key)
        tasks = []
        for row in store.tasks_of(account_id):
            body = json.loads(row.params)
            facts = catalog().operation(row.operation)
            keys = frozenset(key for _, key in facts.file_keys(body))
            tasks.append(ServerTask(row, store.results(row.id), keys))
        total, used = store.credits(account_id)
        return Ledger(tasks, total, used)
    finally:
        store.close()
