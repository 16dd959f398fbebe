"""The SQLite store. Only this module writes SQL.

One connection per process, shared by the event loop and worker threads under a lock: requests
are short and SQLite serialises writers anyway, so a pool would add cost without adding
throughput. The database runs in WAL mode; a request's writes form one transaction, committed
before the domain call that made them returns, so an answer is only ever sent for work that is
already on disk.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    api_key TEXT NOT NULL UNIQUE,
    total INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS uploads (
    file_key TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    format TEXT NOT NULL,
    stored INTEGER NOT NULL DEFAULT 0,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    operation TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at REAL NOT NULL,
    running_at REAL NOT NULL,
    finish_at REAL NOT NULL,
    settled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tasks_progress ON tasks (account_id, operation, finish_at);
CREATE INDEX IF NOT EXISTS tasks_unsettled ON tasks (account_id, settled, finish_at);
CREATE TABLE IF NOT EXISTS results (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    credits INTEGER NOT NULL,
    fails INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT
);
CREATE INDEX IF NOT EXISTS results_task ON results (task_id, idx);
CREATE TABLE IF NOT EXISTS downloads (
    result_id TEXT NOT NULL,
    format TEXT NOT NULL,
    uhd INTEGER NOT NULL,
    token TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (result_id, format, uhd)
);
CREATE TABLE IF NOT EXISTS result_errors (
    result_id TEXT PRIMARY KEY,
    code INTEGER NOT NULL,
    msg TEXT NOT NULL
);
"""


class UploadRow(NamedTuple):
    file_key: str
    account_id: int
    format: str
    stored: bool
    width: int
    height: int
    size: int
    created_at: float


class TaskRow(NamedTuple):
    id: str
    account_id: int
    operation: str
    params: str
    created_at: float
    running_at: float
    finish_at: float
    settled: bool


class ResultRow(NamedTuple):
    id: str
    task_id: str
    idx: int
    credits: int
    fails: bool
    kind: str
    status: str | None


# The columns are the row types' fields, in their order.
_UPLOAD_COLUMNS = ", ".join(UploadRow._fields)
_TASK_COLUMNS = ", ".join(TaskRow._fields)
_RESULT_COLUMNS = ", ".join(ResultRow._fields)
_TASK_COLUMNS_OF_T = ", ".join(f"t.{name}" for name in TaskRow._fields)
_RESULT_COLUMNS_OF_R = ", ".join(f"r.{name}" for name in ResultRow._fields)


def _task(row: tuple[object, ...]) -> TaskRow:
    # The columns hold what the row types say (SQLite keeps the types it was given); `settled`
    # comes back as 0 or 1, which reads as the flag it is.
    return TaskRow._make(row)


def _result(row: tuple[object, ...]) -> ResultRow:
    return ResultRow._make(row)


class Store:
    """Statements outside `transaction()` commit on their own; inside it they commit together
    when the outermost block ends, or not at all."""

    def __init__(self, path: Path | None) -> None:
        """The database file at `path`, in WAL mode with `synchronous=NORMAL`: a commit is
        safe against a crash of the process at once, and against a crash of the machine from
        the next checkpoint on. `path=None` keeps the database in memory, for a data dir
        deleted at exit anyway: nothing in it can outlive the process, and a commit then
        writes no pages, which made creates about twice as cheap."""
        self._lock = threading.RLock()
        # Autocommit mode; multi-statement changes go through transaction().
        self._conn = sqlite3.connect(
            ":memory:" if path is None else path, check_same_thread=False, isolation_level=None
        )
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        # One cursor for every statement, each read before the next under the lock, where
        # Connection.execute would make and register a new cursor for each.
        self._sql = self._conn.cursor()
        self._closed = False

    def close(self) -> None:
        """Closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """`with store.transaction():` every statement inside commits together or not at all.
        A nested block joins the one already open on this thread (the lock is re-entrant)."""
        with self._lock:
            if self._conn.in_transaction:
                yield
                return
            self._sql.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._sql.execute("COMMIT")
            except BaseException:
                # A COMMIT that failed (a full disk) leaves the transaction open: close it, so
                # the next request starts clean once there is space again.
                if self._conn.in_transaction:
                    self._sql.execute("ROLLBACK")
                raise

    def _one(self, sql: str, args: tuple[object, ...]) -> tuple[object, ...] | None:
        with self._lock:
            row: tuple[object, ...] | None = self._sql.execute(sql, args).fetchone()
            return row

    def _all(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock:
            return list(self._sql.execute(sql, args).fetchall())

    def _run(self, sql: str, args: tuple[object, ...]) -> int:
        with self._lock:
            return self._sql.execute(sql, args).rowcount

    # --- accounts ------------------------------------------------------------------------
    def upsert_account(self, account_id: int, api_key: str, total: int) -> None:
        self._run(
            "INSERT INTO accounts (id, api_key, total) VALUES (?, ?, ?) "
            "ON CONFLICT (api_key) DO UPDATE SET total = excluded.total",
            (account_id, api_key, total),
        )

    def delete_account(self, api_key: str) -> None:
        self._run("DELETE FROM accounts WHERE api_key = ?", (api_key,))

    def account_id_for_key(self, api_key: str) -> int | None:
        row = self._one("SELECT id FROM accounts WHERE api_key = ?", (api_key,))
        return None if row is None else int(str(row[0]))

    def credits(self, account_id: int) -> tuple[int, int]:
        """(total, used)."""
        row = self._one("SELECT total, used FROM accounts WHERE id = ?", (account_id,))
        if row is None:
            raise KeyError(account_id)
        return int(str(row[0])), int(str(row[1]))

    def try_charge(self, account_id: int, amount: int) -> bool:
        """Charge `amount` if the balance covers it, in one statement."""
        return (
            self._run(
                "UPDATE accounts SET used = used + ? WHERE id = ? AND total - used >= ?",
                (amount, account_id, amount),
            )
            == 1
        )

    def refund(self, account_id: int, amount: int) -> None:
        self._run("UPDATE accounts SET used = used - ? WHERE id = ?", (amount, account_id))

    # --- uploads -------------------------------------------------------------------------
    def insert_upload(self, row: UploadRow) -> None:
        self._run(
            "INSERT INTO uploads (file_key, account_id, format, stored, width, height, size, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.file_key,
                row.account_id,
                row.format,
                int(row.stored),
                row.width,
                row.height,
                row.size,
                row.created_at,
            ),
        )

    def mark_stored(self, file_key: str, width: int, height: int, size: int) -> None:
        self._run(
            "UPDATE uploads SET stored = 1, width = ?, height = ?, size = ? WHERE file_key = ?",
            (width, height, size, file_key),
        )

    def upload(self, file_key: str) -> UploadRow | None:
        row = self._one(f"SELECT {_UPLOAD_COLUMNS} FROM uploads WHERE file_key = ?", (file_key,))
        return None if row is None else UploadRow._make(row)

    def uploads(self, file_keys: list[str]) -> dict[str, UploadRow]:
        """The uploads behind `file_keys` that exist, in one statement (a create's inputs)."""
        if not file_keys:
            return {}
        marks = ", ".join("?" * len(file_keys))
        rows = self._all(
            f"SELECT {_UPLOAD_COLUMNS} FROM uploads WHERE file_key IN ({marks})", tuple(file_keys)
        )
        return {str(row[0]): UploadRow._make(row) for row in rows}

    # --- tasks ---------------------------------------------------------------------------
    def insert_task(self, task: TaskRow, results: list[ResultRow]) -> None:
        with self.transaction():
            self._sql.execute(
                f"INSERT INTO tasks ({_TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (task.id, task.account_id, task.operation, task.params, task.created_at,
                 task.running_at, task.finish_at, int(task.settled)),
            )  # fmt: skip
            self._sql.executemany(
                f"INSERT INTO results ({_RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(r.id, r.task_id, r.idx, r.credits, int(r.fails), r.kind, r.status)
                 for r in results],
            )  # fmt: skip

    def task(self, task_id: str) -> TaskRow | None:
        row = self._one(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        return None if row is None else _task(row)

    def tasks_of(self, account_id: int) -> list[TaskRow]:
        """Every task of an account, oldest first. No route exposes this (the API cannot list
        tasks); audits and tests read it to count what was created and charged."""
        rows = self._all(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE account_id = ? ORDER BY created_at",
            (account_id,),
        )
        return [_task(row) for row in rows]

    def results(self, task_id: str) -> list[ResultRow]:
        rows = self._all(
            f"SELECT {_RESULT_COLUMNS} FROM results WHERE task_id = ? ORDER BY idx", (task_id,)
        )
        return [_result(row) for row in rows]

    def task_and_results(self, task_id: str) -> tuple[TaskRow, list[ResultRow]] | None:
        """A task and its results in index order, read in one statement (a status poll)."""
        rows = self._all(
            f"SELECT {_TASK_COLUMNS_OF_T}, {_RESULT_COLUMNS_OF_R} FROM tasks t "
            "LEFT JOIN results r ON r.task_id = t.id WHERE t.id = ? ORDER BY r.idx",
            (task_id,),
        )
        if not rows:
            return None
        width = len(TaskRow._fields)
        # A task without results comes back as one row whose result columns are NULL.
        results = [_result(row[width:]) for row in rows if row[width] is not None]
        return _task(rows[0][:width]), results

    def result(self, result_id: str) -> ResultRow | None:
        row = self._one(f"SELECT {_RESULT_COLUMNS} FROM results WHERE id = ?", (result_id,))
        return None if row is None else _result(row)

    def count_in_progress(self, account_id: int, operation: str, now: float) -> int:
        """Tasks of (account, operation) finishing after `now`."""
        row = self._one(
            "SELECT COUNT(*) FROM tasks WHERE account_id = ? AND operation = ? AND finish_at > ?",
            (account_id, operation, now),
        )
        assert row is not None  # COUNT(*) always answers one row
        return int(str(row[0]))

    def settle(self, task_id: str, statuses: dict[str, str]) -> bool:
        """Persist final statuses; False when another caller settled the task first."""
        with self.transaction():
            claimed = self._run(
                "UPDATE tasks SET settled = 1 WHERE id = ? AND settled = 0", (task_id,)
            )
            if claimed != 1:
                return False
            self._sql.executemany(
                "UPDATE results SET status = ? WHERE id = ?",
                [(status, result_id) for result_id, status in statuses.items()],
            )
        return True

    def settle_due(self, account_id: int, now: float, success: str, failed: str) -> int:
        """Persist the final status of every finished, unsettled task of an account, in
        three statements whatever their number; returns the credits of the failed results.
        Call inside transaction() so that the refund commits with the statuses."""
        due = "SELECT id FROM tasks WHERE account_id = ? AND settled = 0 AND finish_at <= ?"
        args = (account_id, now)
        with self.transaction():
            row = self._sql.execute(
                f"SELECT COALESCE(SUM(credits), 0) FROM results WHERE fails = 1 "
                f"AND task_id IN ({due})",
                args,
            ).fetchone()
            self._sql.execute(
                f"UPDATE results SET status = CASE WHEN fails THEN ? ELSE ? END "
                f"WHERE task_id IN ({due})",
                (failed, success, *args),
            )
            self._sql.execute(
                "UPDATE tasks SET settled = 1 WHERE account_id = ? AND settled = 0 "
                "AND finish_at <= ?",
                args,
            )
        return int(str(row[0]))

    # --- downloads -----------------------------------------------------------------------
    def download(self, result_id: str, fmt: str, uhd: bool) -> tuple[str, float] | None:
        row = self._one(
            "SELECT token, expires_at FROM downloads "
            "WHERE result_id = ? AND format = ? AND uhd = ?",
            (result_id, fmt, int(uhd)),
        )
        return None if row is None else (str(row[0]), float(str(row[1])))

    def put_download(self, result_id: str, fmt: str, uhd: bool, token: str, expires: float) -> None:
        self._run(
            "INSERT INTO downloads (result_id, format, uhd, token, expires_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (result_id, format, uhd) "
            "DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at",
            (result_id, fmt, int(uhd), token, expires),
        )

    # --- control plane: every account and task, forced outcomes ----------------------------
    def all_accounts(self) -> list[tuple[int, str, int, int]]:
        """(id, api key, total, used) of every account."""
        with self._lock:
            rows = self._all("SELECT id, api_key FROM accounts ORDER BY id", ())
            return [
                (int(str(row[0])), str(row[1]), *self.credits(int(str(row[0])))) for row in rows
            ]

    def recent_tasks(self, limit: int, account_id: int | None = None) -> list[TaskRow]:
        """Up to `limit` tasks, newest first, of one account or of all."""
        where, args = (
            ("WHERE account_id = ? ", (account_id,)) if account_id is not None else ("", ())
        )
        rows = self._all(
            f"SELECT {_TASK_COLUMNS} FROM tasks {where}ORDER BY created_at DESC, id DESC LIMIT ?",
            (*args, limit),
        )
        return [_task(row) for row in rows]

    def results_of(self, task_ids: list[str]) -> dict[str, list[ResultRow]]:
        """The results of each task, in order."""
        found: dict[str, list[ResultRow]] = {task_id: [] for task_id in task_ids}
        # SQLite caps the parameters of one statement (999 in older builds).
        for start in range(0, len(task_ids), 500):
            chunk = task_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._all(
                f"SELECT {_RESULT_COLUMNS} FROM results WHERE task_id IN ({marks}) "
                "ORDER BY task_id, idx",
                tuple(chunk),
            )
            for row in rows:
                result = _result(row)
                found[result.task_id].append(result)
        return found

    def finish_now(
        self,
        task_id: str,
        now: float,
        statuses: dict[str, str],
        errors: dict[str, tuple[int, str]],
    ) -> bool:
        """End an unfinished task at `now` with the given result statuses (and error codes and
        messages of failed results); False when it had finished or was settled already. Call
        inside transaction() so that a refund commits with the statuses."""
        with self.transaction():
            ended = self._sql.execute(
                "UPDATE tasks SET settled = 1, finish_at = ?, running_at = MIN(running_at, ?) "
                "WHERE id = ? AND settled = 0 AND finish_at > ?",
                (now, now, task_id, now),
            )
            if ended.rowcount != 1:
                return False
            self._sql.executemany(
                "UPDATE results SET status = ? WHERE id = ?",
                [(status, result_id) for result_id, status in statuses.items()],
            )
            self._sql.executemany(
                "INSERT OR REPLACE INTO result_errors (result_id, code, msg) VALUES (?, ?, ?)",
                [(result_id, code, msg) for result_id, (code, msg) in errors.items()],
            )
        return True

    def result_error(self, result_id: str) -> tuple[int, str] | None:
        """The error code and message a forced outcome gave a failed result, if any."""
        row = self._one("SELECT code, msg FROM result_errors WHERE result_id = ?", (result_id,))
        return None if row is None else (int(str(row[0])), str(row[1]))
