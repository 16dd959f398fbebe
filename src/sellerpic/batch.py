"""Run many jobs within the per-operation concurrency limits, resumably.

Progress is kept in a state file (`_batch_state`). A job moves through

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

The public names of a batch are here; the machinery is private, one job per module:
`_batch_types` (the value types), `_batch_jobs` (job lists read into `Job`s), `_batch_state`
(the state file: journal, compaction, lock), `_batch_resume` (what a rerun puts back in line),
`_batch_queue` and `_batch_run` (one run's records indexed by state), `_batch_scheduler` (the
steps that start, poll and download jobs within the concurrency limits).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ._batch_jobs import check_job_id, job_from_mapping, normalise_jobs
from ._batch_scheduler import run_steps
from ._batch_state import (
    STATE_FORMAT,
    STATE_HEADER,
    STATE_VERSION,
    StateFileError,
    StateFileLockedError,
    append_state,
    hold_state_lock,
    load_state,
    lock_path,
    record_line,
    save_state,
)
from ._batch_types import JOB_STATES, WAITING, BatchProgress, BatchReport, Job, JobRecord, JobState
from ._effects import Steps
from .tasks import Settings

__all__ = [
    "JOB_STATES",
    "STATE_FORMAT",
    "STATE_HEADER",
    "STATE_VERSION",
    "WAITING",
    "BatchProgress",
    "BatchReport",
    "Job",
    "JobRecord",
    "JobState",
    "StateFileError",
    "StateFileLockedError",
    "append_state",
    "batch_steps",
    "check_job_id",
    "hold_state_lock",
    "job_from_mapping",
    "load_state",
    "lock_path",
    "normalise_jobs",
    "record_line",
    "save_state",
]


def batch_steps(
    jobs: list[Job],
    settings: Settings,
    *,
    state_file: Path,
    output_dir: Path,
    poll_interval: float | None = None,
    retry_ambiguous: bool = False,
    retry_failed: bool = False,
    on_event: Callable[[JobRecord], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> Steps[BatchReport]:
    """Run the batch holding the state file's lock from before the first request to the end:
    a second run of the same batch stops at once (`StateFileLockedError`), having sent
    nothing."""
    with hold_state_lock(state_file):
        return (
            yield from run_steps(
                jobs,
                settings,
                state_file=state_file,
                output_dir=output_dir,
                poll_interval=poll_interval,
                retry_ambiguous=retry_ambiguous,
                retry_failed=retry_failed,
                on_event=on_event,
                on_progress=on_progress,
            )
        )
