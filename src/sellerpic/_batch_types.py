"""The value types of a batch: a `Job`, its `JobRecord` and the states it moves through (see
`sellerpic.batch`), `BatchProgress` and `BatchReport`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

JobState = Literal[
    "pending", "uploaded", "creating", "created", "downloading", "done", "failed", "ambiguous"
]
JOB_STATES: frozenset[str] = frozenset(get_args(JobState))
#: Jobs not started yet: the runner creates them as slots free up.
WAITING: frozenset[str] = frozenset({"pending", "uploaded"})


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


@dataclass(frozen=True)
class BatchProgress:
    """How many jobs are in each phase, handed to `on_progress` after each change."""

    total: int
    done: int
    failed: int
    ambiguous: int
    #: Being created, processed on the server, or downloaded.
    in_flight: int
    #: Not started yet.
    waiting: int


@dataclass(frozen=True)
class BatchReport:
    records: list[JobRecord]

    def with_state(self, *states: JobState) -> list[JobRecord]:
        return [r for r in self.records if r.state in states]

    @property
    def ok(self) -> bool:
        return all(r.state == "done" and not r.failures for r in self.records)
