"""`Run`: the bookkeeping of one batch run: its records indexed by state, their saves to the
state file (appends, and compaction when the journal grows) and the progress they add up to."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._batch_queue import JobQueue
from ._batch_state import append_state, save_state
from ._batch_types import WAITING, BatchProgress, Job, JobRecord, JobState
from .tasks import TaskState


def _compact_after(jobs: int) -> int:
    """Lines appended before the journal is compacted again mid-run. A run appends about 5
    lines per job, so only a run with many 30003 retries gets there; compacting then keeps
    the file O(jobs) at an amortised O(1) per save."""
    return 8 * jobs + 1000


@dataclass
class Run:
    """Mutable bookkeeping of one batch run. Jobs are indexed by state (waiting per operation,
    in flight, downloading), so no step scans every record."""

    records: dict[str, JobRecord]
    jobs: dict[str, Job]
    state_file: Path
    on_event: Callable[[JobRecord], None] | None
    on_progress: Callable[[BatchProgress], None] | None = None
    caps: dict[str, int] = field(default_factory=dict)
    paused_until: dict[str, float] = field(default_factory=dict)
    busy_attempts: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, TaskState] = field(default_factory=dict)
    #: The client's clock (`Settings.clock.monotonic`): every pause and deadline reads it.
    now: Callable[[], float] = time.monotonic
    #: When each task in flight is next polled (by `now`).
    next_poll: dict[str, float] = field(default_factory=dict)
    #: Jobs changed since the last save, oldest change first (written by the next save).
    dirty: dict[str, None] = field(default_factory=dict)
    #: Lines appended to the journal since it was last compacted.
    appended: int = 0
    #: Each job's position in job order.
    rank: dict[str, int] = field(init=False)
    waiting: dict[str, JobQueue] = field(init=False)
    created: JobQueue = field(init=False)
    created_per_op: Counter[str] = field(init=False)
    downloading: JobQueue = field(init=False)
    #: Jobs per state.
    counts: Counter[str] = field(init=False)

    def __post_init__(self) -> None:
        self.counts = Counter(r.state for r in self.records.values())
        self.rank = {jid: n for n, jid in enumerate(self.records)}
        self.waiting = {}
        self.created = JobQueue()
        self.created_per_op = Counter()
        self.downloading = JobQueue()
        for record in self.records.values():
            self._index(record)

    # indexes
    def _index(self, record: JobRecord) -> None:
        rank = self.rank[record.id]
        if record.state in WAITING:
            self.waiting.setdefault(record.operation, JobQueue()).add(rank, record)
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
            self.counts[record.state] -= 1
            self.counts[state] += 1
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
        self.report_progress()

    def progress(self) -> BatchProgress:
        c = self.counts
        return BatchProgress(
            total=len(self.records),
            done=c["done"],
            failed=c["failed"],
            ambiguous=c["ambiguous"],
            in_flight=c["creating"] + c["created"] + c["downloading"],
            waiting=c["pending"] + c["uploaded"],
        )

    def report_progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress())
