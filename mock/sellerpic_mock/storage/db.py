"""The SQLite store. Only this module writes SQL.

One connection per process, shared by the event loop and worker threads under a lock: requests
are short and SQLite serialises writers anyway, so a pool would add cost without adding
throughput.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import sqlite3
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
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


log = logging.getLogger("sellerpic_mock")

#: How long a database in memory lets staged writes gather before it writes them out.
_WRITE_OUT_DELAY_S = 0.01

#: Set when the current request (asyncio task) wrote, so only writers wait for the commit.
_wrote: ContextVar[bool] = ContextVar("sellerpic_mock_wrote", default=False)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_TASK_COLUMNS = "id, account_id, operation, params, created_at, running_at, finish_at, settled"
_RESULT_COLUMNS = "id, task_id, idx, credits, fails, kind, status"


def _task(row: tuple[object, ...]) -> TaskRow:
    return TaskRow(
        str(row[0]),
        int(str(row[1])),
        str(row[2]),
        str(row[3]),
        float(str(row[4])),
        float(str(row[5])),
        float(str(row[6])),
        bool(row[7]),
    )


def _result(row: tuple[object, ...]) -> ResultRow:
    return ResultRow(
        str(row[0]),
        str(row[1]),
        int(str(row[2])),
        int(str(row[3])),
        bool(row[4]),
        str(row[5]),
        None if row[6] is None else str(row[6]),
    )


@dataclass
class _Staged:
    """Writes made in memory, waiting for the next write-out."""

    tasks: list[TaskRow] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    #: Credits charged per account.
    used: dict[int, int] = field(default_factory=dict)

    def empty(self) -> bool:
        return not (self.tasks or self.results or self.used)

    def absorb(self, other: _Staged) -> None:
        self.tasks += other.tasks
        self.results += other.results
        for account_id, amount in other.used.items():
            self.used[account_id] = self.used.get(account_id, 0) + amount


class _UnitOfWork:
    """The context manager of `Store.transaction`: one per store, no generator per use
    (an accepted create enters three nested units)."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> None:
        self._store._enter_unit()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._store._exit_unit(failed=error is not None)


class Store:
    """Group commit: on an event loop, writes from every request that runs in the same loop
    iteration share one transaction, committed once the iteration is over; each request
    awaits `durable()` before it answers. A commit rewrites the same few B-tree pages
    whatever the number of rows, so at 50 concurrent creates this writes a fraction of what
    one commit per request did. Off the event loop (threads, scripts) every unit commits on
    its own, unless it joins a group the loop has not committed yet.

    The create path's writes (the task and result rows, the credit charge) are staged in
    memory and written at the commit, a few statements per table for the whole group instead
    of four per create: the statements cost as much as the rest of a create. What is staged
    counts where it must (the balance, the in-flight count); readers of tasks and results see
    it because they write it out first. Only this process writes the database.

    Transactions and savepoints open on the first statement that writes: a unit that only
    stages (an accepted create) runs no SQL at all until the commit.

    A database in memory (an ephemeral data dir) keeps the same units and staging, but nobody
    waits for its commits, which are only write-outs: they come a few milliseconds after the
    first staged write, batching more creates.
    """

    def __init__(self, path: Path | None) -> None:
        """`path=None` keeps the database in memory, for a data dir deleted at exit anyway:
        a create then costs about half as much, and nothing outlives the process, which an
        ephemeral data dir promises no more than that. On a file the database runs in WAL
        mode with `synchronous=NORMAL` (safe against a machine crash)."""
        self._lock = threading.RLock()
        self._in_memory = path is None
        # Autocommit mode; multi-statement changes go through transaction().
        self._conn = sqlite3.connect(
            ":memory:" if path is None else path, check_same_thread=False, isolation_level=None
        )
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        #: > 0 while a unit of work runs.
        self._depth = 0
        #: The running unit wrote SQL under its savepoint.
        self._savepoint = False
        #: A group commit is scheduled on the event loop.
        self._commit_scheduled = False
        #: Rows and charges of the running unit, then of the group once the unit succeeded.
        self._unit = _Staged()
        self._group = _Staged()
        #: (total, used) of accounts as the database holds them, without what is staged.
        self._balances: dict[int, tuple[int, int]] = {}
        #: Finish times (a heap) of the tasks of (account, operation) that may be in flight:
        #: read once from the database, then kept up to date by the units that stage tasks.
        self._in_flight: dict[tuple[int, str], list[float]] = {}
        #: Requests waiting for the scheduled group commit.
        self._waiters: list[asyncio.Future[None]] = []
        self._closed = False
        self._unit_of_work = _UnitOfWork(self)

    def close(self) -> None:
        """Commit what a group still holds and close; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._write_staged()
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")
            self._conn.close()

    def transaction(self) -> _UnitOfWork:
        """`with store.transaction():` all statements inside commit together or not at all.
        A nested call joins the unit already running on this thread (the lock is
        re-entrant)."""
        return self._unit_of_work

    def _enter_unit(self) -> None:
        self._lock.acquire()
        self._depth += 1

    def _exit_unit(self, failed: bool) -> None:
        try:
            self._depth -= 1
            if self._depth:
                return
            if failed:
                self._undo_unit()
                return
            if self._savepoint:
                self._conn.execute("RELEASE unit")
            for task in self._unit.tasks:
                heap = self._in_flight.get((task.account_id, task.operation))
                if heap is not None:
                    heapq.heappush(heap, task.finish_at)
            self._group.absorb(self._unit)
            self._unit = _Staged()
            self._end_unit()
            _wrote.set(True)
        finally:
            self._lock.release()

    def _undo_unit(self) -> None:
        self._unit = _Staged()
        if not self._savepoint:
            return  # it wrote nothing but what it staged
        self._savepoint = False
        if self._commit_scheduled:
            # Take back this unit only: the group holds other requests' work.
            self._conn.execute("ROLLBACK TO unit")
            self._conn.execute("RELEASE unit")
        else:
            self._conn.execute("ROLLBACK")

    def _end_unit(self) -> None:
        """After a unit succeeded: leave its work to the group commit if one is coming (on
        the loop, scheduling it), or commit it now."""
        self._savepoint = False
        if self._commit_scheduled:
            return
        if not self._conn.in_transaction and self._group.empty():
            return
        loop = _running_loop()
        if loop is not None:
            self._commit_scheduled = True
            if self._in_memory:
                # Nobody waits for this write-out (see durable()): batching more creates into
                # it makes each cheaper, and a reader writes out what is staged first anyway.
                loop.call_later(_WRITE_OUT_DELAY_S, self._commit_group)
            else:
                loop.call_soon(self._commit_group)
            return
        try:
            self._write_staged()
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._group = _Staged()
            self._forget_cached()
            raise

    def _in_transaction(self) -> sqlite3.Connection:
        """The connection, with a transaction open."""
        if not self._conn.in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def _writing(self) -> sqlite3.Connection:
        """The connection, for a statement that writes: opens the transaction and, inside a
        unit, the unit's savepoint, if this is the first write."""
        self._in_transaction()
        if self._depth and not self._savepoint:
            self._conn.execute("SAVEPOINT unit")
            self._savepoint = True
        return self._conn

    def _write_staged(self) -> None:
        """Write the staged rows and charges of finished units into the transaction (lock
        held, no savepoint open, so undoing a unit cannot take them back)."""
        staged, self._group = self._group, _Staged()
        if staged.empty():
            return
        conn = self._in_transaction()
        if staged.tasks:
            conn.executemany(
                f"INSERT INTO tasks ({_TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (t.id, t.account_id, t.operation, t.params, t.created_at, t.running_at,
                     t.finish_at, int(t.settled))
                    for t in staged.tasks
                ],
            )  # fmt: skip
        if staged.results:
            conn.executemany(
                f"INSERT INTO results ({_RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.id, r.task_id, r.idx, r.credits, int(r.fails), r.kind, r.status)
                    for r in staged.results
                ],
            )
        for account_id, amount in staged.used.items():
            cached = self._balances.get(account_id)
            conn.execute("UPDATE accounts SET used = used + ? WHERE id = ?", (amount, account_id))
            # An account not cached is read after this update, which it then includes.
            if cached is not None:
                self._balances[account_id] = (cached[0], cached[1] + amount)

    def pending_writes(self) -> int:
        """Staged rows and charges that the database does not hold yet."""
        with self._lock:
            staged = self._group
            return len(staged.tasks) + len(staged.results) + len(staged.used)

    def _forget_cached(self) -> None:
        """After a rollback the database may hold less than the caches say: read it again."""
        self._balances.clear()
        self._in_flight.clear()

    def _readable(self) -> None:
        """Before a read of tasks or results: write out what earlier units staged. A unit
        that already wrote under its savepoint writes nothing out (undoing the unit would
        take the rows back): it reads what was written before its first write, plus what
        `count_in_progress` counts. The running unit's own staged rows wait for its end."""
        if self._group.empty():
            return
        with self._lock:
            if not self._savepoint:
                self._write_staged()

    def _commit_group(self) -> None:
        waiters, self._waiters = self._waiters, []
        error: BaseException | None = None
        with self._lock:
            self._commit_scheduled = False
            try:
                # After close() nothing is left to write: it wrote and committed everything.
                if not self._closed:
                    self._write_staged()
                    if self._conn.in_transaction:
                        self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                # Requests still waiting answer with this error; in memory nobody waits, and
                # answered creates are lost, which must not pass silently.
                log.exception("group commit failed; its writes are rolled back")
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                self._group = _Staged()
                self._forget_cached()
                error = exc
        for waiter in waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

    async def durable(self) -> None:
        """Return once every write made by the calling request is committed. In memory
        there is nothing to wait for: no commit makes anything outlive the process, and
        what is staged is already what every reader sees."""
        if self._in_memory or not _wrote.get():
            return
        _wrote.set(False)
        with self._lock:
            if not self._commit_scheduled:
                return
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        await waiter

    def _one(self, sql: str, args: tuple[object, ...]) -> tuple[object, ...] | None:
        with self._lock:
            row: tuple[object, ...] | None = self._conn.execute(sql, args).fetchone()
            return row

    def _all(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, args).fetchall())

    def _run(self, sql: str, args: tuple[object, ...]) -> int:
        with self.transaction():
            return self._writing().execute(sql, args).rowcount

    # --- accounts ------------------------------------------------------------------------
    def upsert_account(self, account_id: int, api_key: str, total: int) -> None:
        self._balances.pop(account_id, None)
        self._run(
            "INSERT INTO accounts (id, api_key, total) VALUES (?, ?, ?) "
            "ON CONFLICT (api_key) DO UPDATE SET total = excluded.total",
            (account_id, api_key, total),
        )

    def account_id_for_key(self, api_key: str) -> int | None:
        row = self._one("SELECT id FROM accounts WHERE api_key = ?", (api_key,))
        return None if row is None else int(str(row[0]))

    def _db_balance(self, account_id: int) -> tuple[int, int]:
        balance = self._balances.get(account_id)
        if balance is None:
            row = self._one("SELECT total, used FROM accounts WHERE id = ?", (account_id,))
            if row is None:
                raise KeyError(account_id)
            balance = self._balances[account_id] = (int(str(row[0])), int(str(row[1])))
        return balance

    def credits(self, account_id: int) -> tuple[int, int]:
        """(total, used), charges staged but not yet written included."""
        with self._lock:
            total, used = self._db_balance(account_id)
            staged = self._group.used.get(account_id, 0) + self._unit.used.get(account_id, 0)
            return total, used + staged

    def try_charge(self, account_id: int, amount: int) -> bool:
        """Charge `amount` if the balance covers it; written with the unit's group."""
        with self.transaction():
            total, used = self.credits(account_id)
            if total - used < amount:
                return False
            self._unit.used[account_id] = self._unit.used.get(account_id, 0) + amount
            return True

    def refund(self, account_id: int, amount: int) -> None:
        self._balances.pop(account_id, None)
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
        row = self._one(
            "SELECT file_key, account_id, format, stored, width, height, size, created_at "
            "FROM uploads WHERE file_key = ?",
            (file_key,),
        )
        if row is None:
            return None
        return UploadRow(
            str(row[0]),
            int(str(row[1])),
            str(row[2]),
            bool(row[3]),
            int(str(row[4])),
            int(str(row[5])),
            int(str(row[6])),
            float(str(row[7])),
        )

    # --- tasks ---------------------------------------------------------------------------
    def insert_task(self, task: TaskRow, results: list[ResultRow]) -> None:
        """Stage the task and its results; they are written with the unit's group."""
        with self.transaction():
            self._unit.tasks.append(task)
            self._unit.results += results

    def task(self, task_id: str) -> TaskRow | None:
        self._readable()
        row = self._one(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        return None if row is None else _task(row)

    def tasks_of(self, account_id: int) -> list[TaskRow]:
        """Every task of an account, oldest first. No route exposes this (the API cannot list
        tasks); audits and tests read it to count what was created and charged."""
        self._readable()
        rows = self._all(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE account_id = ? ORDER BY created_at",
            (account_id,),
        )
        return [_task(row) for row in rows]

    def results(self, task_id: str) -> list[ResultRow]:
        self._readable()
        rows = self._all(
            f"SELECT {_RESULT_COLUMNS} FROM results WHERE task_id = ? ORDER BY idx", (task_id,)
        )
        return [_result(row) for row in rows]

    def result(self, result_id: str) -> ResultRow | None:
        self._readable()
        row = self._one(f"SELECT {_RESULT_COLUMNS} FROM results WHERE id = ?", (result_id,))
        return None if row is None else _result(row)

    def count_in_progress(self, account_id: int, operation: str, now: float) -> int:
        """Tasks of (account, operation) finishing after `now`, staged ones included."""
        with self._lock:
            heap = self._in_flight.get((account_id, operation))
            if heap is None:
                rows = self._all(
                    "SELECT finish_at FROM tasks "
                    "WHERE account_id = ? AND operation = ? AND finish_at > ?",
                    (account_id, operation, now),
                )
                # Plus what earlier units staged; the running unit's tasks join when it ends.
                heap = [float(str(row[0])) for row in rows] + [
                    t.finish_at
                    for t in self._group.tasks
                    if t.account_id == account_id and t.operation == operation
                ]
                heapq.heapify(heap)
                self._in_flight[(account_id, operation)] = heap
            while heap and heap[0] <= now:
                heapq.heappop(heap)
            return len(heap)

    def settle(self, task_id: str, statuses: dict[str, str]) -> bool:
        """Persist final statuses; False when another caller settled the task first."""
        self._readable()
        if self._run("UPDATE tasks SET settled = 1 WHERE id = ? AND settled = 0", (task_id,)) != 1:
            return False
        with self.transaction():
            self._writing().executemany(
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
        self._readable()
        with self.transaction():
            row = self._conn.execute(
                f"SELECT COALESCE(SUM(credits), 0) FROM results WHERE fails = 1 "
                f"AND task_id IN ({due})",
                args,
            ).fetchone()
            self._writing().execute(
                f"UPDATE results SET status = CASE WHEN fails THEN ? ELSE ? END "
                f"WHERE task_id IN ({due})",
                (failed, success, *args),
            )
            self._writing().execute(
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
        """(id, api key, total, used) of every account, staged charges included."""
        with self._lock:
            rows = self._all("SELECT id, api_key FROM accounts ORDER BY id", ())
            return [
                (int(str(row[0])), str(row[1]), *self.credits(int(str(row[0])))) for row in rows
            ]

    def recent_tasks(self, limit: int, account_id: int | None = None) -> list[TaskRow]:
        """Up to `limit` tasks, newest first, of one account or of all."""
        self._readable()
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
        self._readable()
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
        self._readable()
        with self.transaction():
            ended = self._writing().execute(
                "UPDATE tasks SET settled = 1, finish_at = ?, running_at = MIN(running_at, ?) "
                "WHERE id = ? AND settled = 0 AND finish_at > ?",
                (now, now, task_id, now),
            )
            if ended.rowcount != 1:
                return False
            self._writing().executemany(
                "UPDATE results SET status = ? WHERE id = ?",
                [(status, result_id) for result_id, status in statuses.items()],
            )
            self._writing().executemany(
                "INSERT OR REPLACE INTO result_errors (result_id, code, msg) VALUES (?, ?, ?)",
                [(result_id, code, msg) for result_id, (code, msg) in errors.items()],
            )
        # The in-flight heaps hold the old finish time: read them again when next needed.
        self._in_flight.clear()
        return True

    def result_error(self, result_id: str) -> tuple[int, str] | None:
        """The error code and message a forced outcome gave a failed result, if any."""
        row = self._one("SELECT code, msg FROM result_errors WHERE result_id = ?", (result_id,))
        return None if row is None else (int(str(row[0])), str(row[1]))
