"""Run many jobs within the per-operation concurrency limits, resumably.

Progress is kept in a state file, a journal of JSON lines: a header line (format and version),
then one line per change of a job holding the whole job record; the last line of a job wins.
A save appends the lines of the jobs that changed and fsyncs, so it costs the same whatever
the number of jobs. Each run starts by compacting the file (one line per job, written to a temp
file, fsynced and renamed over the old one). A crash while a line is appended leaves at most
the last line torn; loading ignores it (that change was never acted on). A job moves through

    pending -> uploaded -> creating -> created -> downloading -> done
                                    \\-> ambiguous     \\-> failed

* `uploaded`: its local files are uploaded and their keys recorded (a resume does not upload
  them again).
* `creating` is written *before* the create request is sent and `created` (with the task id)
  right after the answer, before anything else. A resumed job with a task id is only polled,
  never created again.
* `downloading`: the task finished on the server, which frees its slot there; its results are
  not on disk yet. It does not count as in flight, so the slot is refilled *before* the
  download. A resumed job in this state is downloaded, never created again. The move from
  `created` needs no save of its own: it is written with the next save (the next job's
  `creating`, or this job's `done`); a crash before that leaves `created`, which a resume
  polls and downloads the same way.
* The one ambiguous case: the process died, or the request timed out or the connection dropped,
  while a create request was in flight. The server may or may not have created (and charged) the
  task, and the API cannot list tasks to find out. Such jobs are marked `ambiguous` and are not
  sent again unless `retry_ambiguous=True` (CLI: `--retry-ambiguous`), which accepts the risk
  of a duplicate task.

Concurrency: per operation, at most its documented limit is in flight. A 30003 answer (slots
taken by other clients of the same account) lowers the batch's own cap to what it has in flight
and pauses creation of that operation with jittered backoff. Each task in flight is polled once
per interval, timed from its own creation (not in rounds); a finished task's slot is refilled
at once, before the other tasks' polls, and its results are downloaded while no poll is due.
Jobs start in job order. The runner indexes jobs by state, so a step costs time in proportion
to the jobs it touches, not to the size of the batch.
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

from ._operations import find_operation
from ._transport import Sleep, Steps, log
from .errors import (
    APIConnectionError,
    AuthenticationError,
    ConcurrencyLimitError,
    PermissionDeniedError,
    SellerPicError,
    ServerError,
    TaskFailedError,
)
from .tasks import Settings, TaskState, download_steps, refresh_steps, resolve_inputs, submit_steps

JobState = Literal[
    "pending", "uploaded", "creating", "created", "downloading", "done", "failed", "ambiguous"
]
JOB_STATES: frozenset[str] = frozenset(get_args(JobState))
#: Jobs not started yet: the runner creates them as slots free up.
WAITING: frozenset[str] = frozenset({"pending", "uploaded"})
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


@dataclass(frozen=True)
class Job:
    """One unit of work: an operation and its inputs (paths or file keys, and parameters)."""

    operation: str
    inputs: Mapping[str, Any]
    id: str | None = None


@dataclass
class JobRecord:
    """A job's progress as kept in the state file."""

    id: str
    operation: str
    state: JobState = "pending"
    task_id: str | None = None
    keys: dict[str, Any] | None = None
    files: list[str] = field(default_factory=list)
    error: str | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)


_RECORD_FIELDS = frozenset(f.name for f in fields(JobRecord))


@dataclass(frozen=True)
class BatchReport:
    records: list[JobRecord]

    def with_state(self, *states: JobState) -> list[JobRecord]:
        return [r for r in self.records if r.state in states]

    @property
    def ok(self) -> bool:
        return all(r.state == "done" and not r.failures for r in self.records)


def normalise_jobs(jobs: Iterable[Job | Mapping[str, Any]]) -> list[Job]:
    """Accept `Job`s or mappings `{"operation", "inputs", "id"?}`; give ids to jobs without one.

    Generated ids are `<position>-<operation>`: give explicit ids if the job list may change
    between a run and its resume.
    """
    result: list[Job] = []
    for index, job in enumerate(jobs, start=1):
        if not isinstance(job, Job):
            job = Job(
                operation=str(job["operation"]),
                inputs=dict(job.get("inputs") or {}),
                id=str(job["id"]) if job.get("id") else None,
            )
        op = find_operation(job.operation)
        result.append(Job(op.name, dict(job.inputs), job.id or f"{index}-{op.cli_name}"))
    ids = [j.id for j in result]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        from .errors import InvalidInputError

        raise InvalidInputError(f"duplicate job ids: {', '.join(sorted(map(str, duplicates)))}")
    return result


# --- state file --------------------------------------------------------------------------------
class StateFileError(ValueError):
    """The state file cannot be read: damaged (other than a torn last line), or written by a
    newer version. The message names the file and, for a damaged line, its number."""


def _parse_record(raw: Any) -> JobRecord:
    """A job record from one decoded line; ValueError when it is not one."""
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    unknown = set(raw) - _RECORD_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    if not isinstance(raw.get("id"), str) or not isinstance(raw.get("operation"), str):
        raise ValueError("no string `id` and `operation`")
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


# --- the runner --------------------------------------------------------------------------------
class _Queue:
    """Job records kept in job order (by rank): add and discard in O(log n), the first one in
    O(log n) amortised. A discarded id stays in the heap until it reaches the top."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, str]] = []
        self._queued: set[str] = set()
        self._members: dict[str, tuple[int, JobRecord]] = {}

    def __len__(self) -> int:
        return len(self._members)

    def add(self, rank: int, record: JobRecord) -> None:
        self._members[record.id] = (rank, record)
        if record.id not in self._queued:
            self._queued.add(record.id)
            heapq.heappush(self._heap, (rank, record.id))

    def discard(self, job_id: str) -> None:
        self._members.pop(job_id, None)

    def first(self) -> JobRecord | None:
        heap = self._heap
        while heap:
            member = self._members.get(heap[0][1])
            if member is not None:
                return member[1]
            self._queued.discard(heapq.heappop(heap)[1])
        return None

    def ordered(self) -> list[JobRecord]:
        """All members in job order: O(k log k) for k members (meant for small sets)."""
        return [record for _, record in sorted(self._members.values(), key=lambda m: m[0])]


def _compact_after(jobs: int) -> int:
    """Lines appended before the journal is compacted again mid-run. A run appends about 5
    lines per job, so only a run with many 30003 retries gets there; compacting then keeps
    the file O(jobs) at an amortised O(1) per save."""
    return 8 * jobs + 1000


@dataclass
class _Run:
    """Mutable bookkeeping of one batch run. Jobs are indexed by state (waiting per operation,
    in flight, downloading), so no step scans every record."""

    records: dict[str, JobRecord]
    jobs: dict[str, Job]
    state_file: Path
    on_event: Callable[[JobRecord], None] | None
    caps: dict[str, int] = field(default_factory=dict)
    paused_until: dict[str, float] = field(default_factory=dict)
    busy_attempts: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, TaskState] = field(default_factory=dict)
    #: The client's clock (`Settings.clock.monotonic`).
    now: Callable[[], float] = time.monotonic
    #: When each task in flight is next polled (by `now`).
    next_poll: dict[str, float] = field(default_factory=dict)
    #: Jobs changed since the last save, oldest change first (written by the next save).
    dirty: dict[str, None] = field(default_factory=dict)
    #: Lines appended to the journal since it was last compacted.
    appended: int = 0
    #: Each job's position in job order.
    rank: dict[str, int] = field(init=False)
    waiting: dict[str, _Queue] = field(init=False)
    created: _Queue = field(init=False)
    created_per_op: Counter[str] = field(init=False)
    downloading: _Queue = field(init=False)

    def __post_init__(self) -> None:
        self.rank = {jid: n for n, jid in enumerate(self.records)}
        self.waiting = {}
        self.created = _Queue()
        self.created_per_op = Counter()
        self.downloading = _Queue()
        for record in self.records.values():
            self._index(record)

    # indexes
    def _index(self, record: JobRecord) -> None:
        rank = self.rank[record.id]
        if record.state in WAITING:
            self.waiting.setdefault(record.operation, _Queue()).add(rank, record)
        elif record.state == "created":
            self.created.add(rank, record)
            self.created_per_op[record.operation] += 1
        elif record.state == "downloading":
            self.downloading.add(rank, record)

    def _unindex(self, record: JobRecord, state: JobState) -> None:
        if state in WAITING:
            self.waiting[record.operation].discard(record.id)
        elif state == "created":
            self.created.discard(record.id)
            self.created_per_op[record.operation] -= 1
        elif state == "downloading":
            self.downloading.discard(record.id)

    def waiting_count(self) -> int:
        return sum(len(queue) for queue in self.waiting.values())

    def waiting_operations(self) -> list[str]:
        return [op for op, queue in self.waiting.items() if len(queue)]

    def in_flight(self) -> list[JobRecord]:
        """The tasks in flight, in job order (at most the sum of the operations' limits)."""
        return self.created.ordered()

    def in_flight_count(self, operation: str | None = None) -> int:
        return len(self.created) if operation is None else self.created_per_op[operation]

    # the state file
    def compact(self) -> None:
        save_state(self.state_file, self.records)
        self.dirty.clear()
        self.appended = 0

    def save(self) -> None:
        """A durability point: every change so far is on disk when this returns."""
        if self.appended + len(self.dirty) > _compact_after(len(self.records)):
            self.compact()
            return
        if self.dirty:
            append_state(self.state_file, (self.records[jid] for jid in self.dirty))
            self.appended += len(self.dirty)
            self.dirty.clear()

    def update(
        self, record: JobRecord, state: JobState, *, save: bool = True, **changes: Any
    ) -> None:
        """Change a job; `save=False` leaves the write to the next save (only for changes
        that need no durability point of their own)."""
        if state != record.state:
            self._unindex(record, record.state)
            record.state = state
            self._index(record)
        for name, value in changes.items():
            setattr(record, name, value)
        self.dirty.pop(record.id, None)
        self.dirty[record.id] = None
        if save:
            self.save()
        if self.on_event is not None:
            self.on_event(record)


def _merge(jobs: list[Job], state_file: Path, retry_ambiguous: bool) -> dict[str, JobRecord]:
    """The state file's records merged with the job list, in job order (then the jobs only in
    the state file)."""
    saved = load_state(state_file)
    records: dict[str, JobRecord] = {}
    for job in jobs:
        assert job.id is not None
        record = saved.pop(job.id) if job.id in saved else JobRecord(job.id, job.operation)
        records[job.id] = record
    records.update(saved)
    for record in records.values():
        if record.state == "creating":
            # Died while a create was in flight: it may exist server-side.
            record.state = "ambiguous"
            record.error = "interrupted while the create request was in flight"
        if record.state == "ambiguous" and retry_ambiguous:
            log.warning("job %s: creating again although it may already exist", record.id)
            record.state = "uploaded" if record.keys is not None else "pending"
            record.error = None
    return records


def batch_steps(
    jobs: list[Job],
    settings: Settings,
    *,
    state_file: Path,
    output_dir: Path,
    poll_interval: float | None = None,
    retry_ambiguous: bool = False,
    on_event: Callable[[JobRecord], None] | None = None,
) -> Steps[BatchReport]:
    interval = settings.poll_interval if poll_interval is None else poll_interval
    run = _Run(
        _merge(jobs, state_file, retry_ambiguous),
        {j.id or "": j for j in jobs},
        state_file,
        on_event,
        now=settings.clock.monotonic,
    )
    # The one O(jobs) write of the run; every later save appends.
    run.compact()
    for record in run.in_flight():
        assert record.task_id is not None
        run.tasks[record.id] = TaskState(record.task_id, record.operation)
        run.next_poll[record.id] = run.now()
    for record in run.downloading.ordered():
        # Finished before the stop: download (the first step fetches its status again).
        assert record.task_id is not None
        run.tasks[record.id] = TaskState(record.task_id, record.operation)
    while run.waiting_count() or run.in_flight_count() or len(run.downloading):
        yield from _start_waiting(run, settings, interval)
        if not run.in_flight_count():
            first = run.downloading.first()
            if first is not None:
                yield from _collect(run, first, settings, output_dir)
            elif run.waiting_count():
                # Everything left is paused by 30003 from other clients: wait for a slot.
                now = run.now()
                resume = min(run.paused_until.get(op, now) for op in run.waiting_operations())
                yield Sleep(max(resume - now, 0.0) or interval)
            continue
        # Each task is polled `interval` after its own creation or last poll. Polling all of
        # them in rounds would hold every task to the round's phase, and a slot that frees
        # just after a round would stay empty for almost a whole interval.
        due = min(run.next_poll[r.id] for r in run.in_flight())
        # Downloads wait for the time between polls: a due poll may free a slot.
        while (ready := run.downloading.first()) is not None and due > run.now():
            yield from _collect(run, ready, settings, output_dir)
        pause = due - run.now()
        if pause > 0:
            yield Sleep(pause)
        for record in run.in_flight():
            if run.next_poll[record.id] > run.now():
                continue
            done = yield from _poll(run, record, settings, interval)
            if done:
                _finished(run, record)
                # Refill the freed slot now, before the download and the other polls.
                yield from _start_waiting(run, settings, interval)
    return BatchReport(list(run.records.values()))


def _can_start(run: _Run, operation: str) -> bool:
    op = find_operation(operation)
    cap = run.caps.get(op.name, op.concurrency_limit)
    return run.in_flight_count(op.name) < cap and run.paused_until.get(op.name, 0.0) <= run.now()


def _start_waiting(run: _Run, settings: Settings, interval: float) -> Steps[None]:
    """Start waiting jobs in job order while their operation has a free slot and is not paused.

    Only the first waiting job of each operation is looked at, so a pass costs time in
    proportion to the jobs it starts (and the number of operations), not to the jobs waiting.
    """
    stopped: set[str] = set()
    while True:
        best: JobRecord | None = None
        for operation, queue in run.waiting.items():
            if operation in stopped or not len(queue) or not _can_start(run, operation):
                continue
            head = queue.first()
            if head is not None and (best is None or run.rank[head.id] < run.rank[best.id]):
                best = head
        if best is None:
            return
        yield from _start(run, best, settings, interval)
        if best.state in WAITING:
            # Not started (30003 paused the operation): its other jobs wait for the next pass.
            stopped.add(best.operation)


def _start(run: _Run, record: JobRecord, settings: Settings, interval: float) -> Steps[None]:
    op = find_operation(record.operation)
    if not _can_start(run, op.name):
        return
    job = run.jobs.get(record.id)
    try:
        if record.keys is None:
            if job is None:
                raise SellerPicError(
                    f"job {record.id} is in the state file but not in the job list"
                )
            keys = yield from resolve_inputs(op, job.inputs, settings)
            run.update(record, "uploaded", keys=keys)
        assert record.keys is not None
        run.update(record, "creating")
        task_id = yield from submit_steps(op, record.keys, settings, retry_busy=False)
    except ConcurrencyLimitError:
        attempt = run.busy_attempts.get(op.name, 0)
        run.busy_attempts[op.name] = attempt + 1
        run.caps[op.name] = max(1, run.in_flight_count(op.name))
        run.paused_until[op.name] = run.now() + settings.retry.busy_delay(attempt)
        run.update(record, "uploaded")
        return
    except (AuthenticationError, PermissionDeniedError):
        if record.state == "creating":
            run.update(record, "uploaded")
        raise
    except (APIConnectionError, ServerError) as exc:
        if record.state != "creating" or (
            isinstance(exc, APIConnectionError) and not exc.maybe_processed
        ):
            raise
        run.update(record, "ambiguous", error=str(exc))
        return
    except SellerPicError as exc:
        run.update(record, "failed", error=str(exc))
        return
    run.busy_attempts[op.name] = 0
    run.update(record, "created", task_id=task_id, error=None)
    run.tasks[record.id] = TaskState(task_id, op.name)
    run.next_poll[record.id] = run.now() + interval


def _poll(run: _Run, record: JobRecord, settings: Settings, interval: float) -> Steps[bool]:
    """One status call; True when the task is done."""
    state = run.tasks[record.id]
    # Spaced from the start of this call, so request latency does not stretch the period.
    run.next_poll[record.id] = run.now() + interval
    status = yield from refresh_steps(state, settings)
    return status.done


def _finished(run: _Run, record: JobRecord) -> None:
    """A polled task is final: failed outright, or `downloading` (saved with the next save)."""
    state = run.tasks[record.id]
    status = state.status
    assert status is not None
    if not status.successes:
        error = TaskFailedError(state.task_id, status.failures)
        failures = [asdict(f) for f in status.failures]
        run.update(record, "failed", error=str(error), failures=failures)
        return
    run.next_poll.pop(record.id, None)
    run.update(record, "downloading", save=False)


def _collect(run: _Run, record: JobRecord, settings: Settings, output_dir: Path) -> Steps[None]:
    state = run.tasks[record.id]
    files = yield from download_steps(state, settings, output_dir / record.id)
    status = state.status
    assert status is not None
    failures = [asdict(f) for f in status.failures]
    run.update(record, "done", files=[str(f) for f in files], failures=failures)
