"""The batch state file: its journal format, its load, save and append, and its lock.

Progress is kept in a state file, a journal of JSON lines: a header line (format and version),
then one line per change of a job holding the whole job record; the last line of a job wins.
A save appends the lines of the jobs that changed and fsyncs, so it costs the same whatever
the number of jobs. Each run starts by compacting the file (one line per job, written to a temp
file, fsynced and renamed over the old one). A crash while a line is appended leaves at most
the last line torn; loading ignores it (that change was never acted on).

A run holds an exclusive lock on `STATE.lock` beside the state file for its whole length
(`hold_state_lock`): a second run of the same batch stops before sending anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ._batch_jobs import check_job_id
from ._batch_types import JOB_STATES, JobRecord
from ._logging import log
from .errors import InvalidInputError
from .tasks import is_task_id

try:
    import fcntl
except ImportError:  # Windows: no advisory locks of this kind
    fcntl = None  # type: ignore[assignment]

#: Version 2: the journal. Version 1 (still read): one JSON object `{"jobs": {...}, "version": 1}`
#: rewritten whole on every save, which made a save cost O(number of jobs).
STATE_VERSION = 2
STATE_FORMAT = "sellerpic-batch-state"
STATE_HEADER = json.dumps(
    {
        "format": STATE_FORMAT,
        "note": "JSON lines: one line per change of a job; the last line of a job id wins",
        "version": STATE_VERSION,
    },
    sort_keys=True,
)

_RECORD_FIELDS = frozenset(f.name for f in fields(JobRecord))


class StateFileError(ValueError):
    """The state file cannot be read: damaged (other than a torn last line), or written by a
    newer version. The message names the file and, for a damaged line, its number."""


class StateFileLockedError(StateFileError):
    """Another run holds the state file (its lock file beside it); nothing was sent."""

    def __init__(self, path: Path, pid: int | None) -> None:
        holder = f"another batch run (pid {pid})" if pid else "another batch run"
        super().__init__(
            f"{path} is in use by {holder}; nothing was sent. Wait for that run to finish (or "
            f"stop it), then run again; two runs of one batch would create its tasks twice"
        )
        self.path = path
        self.pid = pid


def lock_path(state_file: Path) -> Path:
    """The lock file of a state file: `STATE.lock` beside it (left in place after a run)."""
    return state_file.with_name(f"{state_file.name}.lock")


@contextlib.contextmanager
def hold_state_lock(state_file: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on the state file's lock file, or raise
    `StateFileLockedError` at once. The lock goes with the process: a killed run frees it."""
    if fcntl is None:
        yield
        return
    path = lock_path(state_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            pid = int(holder) if holder.isdigit() else None
            raise StateFileLockedError(state_file, pid) from None
        except OSError as exc:
            # A file system without locks (some network mounts): run, but say so.
            log.warning("%s: cannot lock (%s); do not start a second run of this batch", path, exc)
            yield
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def _parse_record(raw: Any) -> JobRecord:
    """A job record from one decoded line; ValueError when it is not one."""
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    unknown = set(raw) - _RECORD_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    if not isinstance(raw.get("id"), str) or not isinstance(raw.get("operation"), str):
        raise ValueError("no string `id` and `operation`")
    task_id = raw.get("task_id")
    if task_id is not None and not is_task_id(task_id):
        raise ValueError(f"task id {task_id!r} is not a digit string")
    try:
        check_job_id(raw["id"], "job")
    except InvalidInputError as exc:
        raise ValueError(str(exc)) from None
    if raw.get("state", "pending") not in JOB_STATES:
        raise ValueError(f"unknown job state {raw.get('state')!r}")
    return JobRecord(**raw)


def _load_object(path: Path, data: bytes) -> dict[str, JobRecord]:
    """Version 1: one JSON object `{"jobs": {id: record}, "version": 1}`."""
    if not data.strip():
        raise StateFileError(
            f"{path}: the state file is empty; delete it to start the batch from scratch"
        )
    try:
        raw = json.loads(data)
        jobs = raw["jobs"]
        if not isinstance(jobs, dict) or raw.get("version", 1) != 1:
            raise ValueError("not a version 1 state object")
        return {jid: _parse_record(rec) for jid, rec in jobs.items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise StateFileError(f"{path}: not a batch state file ({exc})") from exc


def load_state(path: Path) -> dict[str, JobRecord]:
    """The jobs of a state file, in the order they first appear; empty when there is none.

    Reads the journal (the last line of each job wins) and the version 1 object. A last line
    that does not decode is a torn append (a crash while it was written, before its fsync
    returned, so nothing acted on it) and is ignored; a bad line anywhere else raises
    `StateFileError` naming the file and the line.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    lines = data.split(b"\n")
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = None
    if not (isinstance(header, dict) and header.get("format") == STATE_FORMAT):
        return _load_object(path, data)
    version = header.get("version")
    if not isinstance(version, int) or version > STATE_VERSION:
        raise StateFileError(
            f"{path}: state file version {version!r}; this version of sellerpic reads up to "
            f"{STATE_VERSION}"
        )
    if lines[-1] == b"":
        lines.pop()  # the file ends with a newline, as every complete append does
    last = len(lines) - 1
    records: dict[str, JobRecord] = {}
    for index in range(1, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        try:
            record = _parse_record(json.loads(line.decode("utf-8")))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            if index == last:
                log.warning(
                    "%s: line %d is torn (a crash while it was appended); ignored", path, index + 1
                )
                break
            raise StateFileError(f"{path}: line {index + 1} is damaged ({exc})") from exc
        records[record.id] = record
    return records


def record_line(record: JobRecord) -> str:
    """One job's line of the state file (JSON on one line, keys sorted, ASCII)."""
    return json.dumps(asdict(record), sort_keys=True)


def _fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable, where the platform allows it (not on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_state(path: Path, records: Mapping[str, JobRecord]) -> None:
    """Write a snapshot (the header, then one line per job) to a temp file in the same
    directory, fsync, rename it over the old file and fsync the directory: a crash leaves
    either the old or the new file, never a torn one. O(number of jobs): once per run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{line}\n" for line in [STATE_HEADER, *map(record_line, records.values())])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def append_state(path: Path, records: Iterable[JobRecord]) -> int:
    """Append one line per record (one write) and fsync: a save whose cost does not depend on
    the number of jobs. `path` must hold a journal (`save_state` writes one). Returns the
    number of bytes appended."""
    data = "".join(f"{record_line(r)}\n" for r in records).encode("ascii")
    with path.open("ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return len(data)
