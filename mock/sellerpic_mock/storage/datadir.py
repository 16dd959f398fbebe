"""The data dir a simulator starts on: one simulator at a time, writable, with a database that
opens. Each problem stops the start with a DataDirError naming the path and what to do."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

from .db import Store

LOCK_NAME = "sellerpic-mock.lock"
DATABASE_NAME = "sellerpic-mock.sqlite3"


class DataDirError(Exception):
    """The data dir cannot be used; the message says which path and what to do."""


class DataDirLock:
    """An exclusive lock on the data dir, held until `release()` or the end of the process
    (the kernel drops it even after SIGKILL). Two simulators on one data dir would each count
    credits and limits on their own: an account with 100 credits accepted 199 creates."""

    def __init__(self, data_dir: Path) -> None:
        path = data_dir / LOCK_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DataDirError(
                f"data dir {data_dir} is not writable ({exc.strerror}); make it writable "
                "or choose another with --data-dir (or --ephemeral)"
            ) from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.read(self._fd, 32).decode("ascii", "replace").strip()
            os.close(self._fd)
            by = f" (pid {other})" if other.isdigit() else ""
            raise DataDirError(
                f"data dir {data_dir} is in use by another sellerpic-mock{by}; stop it, "
                "or choose another with --data-dir (or --ephemeral)"
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, str(os.getpid()).encode("ascii"))

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def open_store(data_dir: Path) -> Store:
    """The store of a persistent data dir, refusing a database file that is empty or not a
    SQLite database rather than starting on a blank or broken state."""
    path = data_dir / DATABASE_NAME
    move_away = (
        f"move it away (mv {path} {path}.broken) to start with a fresh state, restore it "
        "from a backup, or choose another --data-dir"
    )
    if path.exists() and path.stat().st_size == 0:
        raise DataDirError(f"database {path} is empty (0 bytes): its state is lost; {move_away}")
    try:
        return Store(path)
    except sqlite3.DatabaseError as exc:
        raise DataDirError(f"database {path} cannot be opened ({exc}); {move_away}") from None
