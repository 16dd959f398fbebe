"""What a rerun picks up: the state file's records merged with the job list, a create that was
in flight when the last run stopped marked `ambiguous`, failed jobs put back in line.

A rerun puts failed jobs back in line when that cannot charge twice: a job that failed before
any task existed (no `task_id`: a local check, or a create the API refused) starts over from
`pending`; a job whose task succeeded but whose results were refused (a `task_id` and no
`failures`) goes back to `downloading`; a job whose task failed on the server (a `task_id` and
its `failures`) starts over only with `retry_failed=True` (CLI `--retry-failed`), which charges
again.
"""

from __future__ import annotations

from pathlib import Path

from ._batch_state import load_state
from ._batch_types import Job, JobRecord
from ._logging import log


def merge_records(
    jobs: list[Job], state_file: Path, retry_ambiguous: bool, retry_failed: bool
) -> dict[str, JobRecord]:
    """The state file's records merged with the job list, in job order (then the jobs only in
    the state file), with the failed jobs that may run again put back in line."""
    saved = load_state(state_file)
    records: dict[str, JobRecord] = {}
    for job in jobs:
        assert job.id is not None
        record = saved.pop(job.id) if job.id in saved else JobRecord(job.id, job.operation)
        records[job.id] = record
    listed = set(records)
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
        if record.state == "failed" and record.id in listed:
            _retry_failed(record, retry_failed)
    return records


def _retry_failed(record: JobRecord, recreate: bool) -> None:
    """Put a failed job back in line when that cannot charge twice, or when asked to."""
    if record.task_id is None:
        # No task exists: a local check or a create the API refused (nothing was charged).
        log.info("job %s: trying again (it failed before any task existed)", record.id)
        _start_over(record)
    elif not record.failures:
        # The task succeeded on the server but its download was refused: fetch it again.
        log.info("job %s: downloading task %s again", record.id, record.task_id)
        record.state, record.error = "downloading", None
    elif recreate:
        log.warning(
            "job %s: creating again; its task %s failed on the server (charged again)",
            record.id,
            record.task_id,
        )
        _start_over(record)


def _start_over(record: JobRecord) -> None:
    # Inputs are checked and uploaded again: the user may have replaced a file (uploads are free).
    record.state, record.task_id, record.keys, record.error = "pending", None, None, None
    record.files, record.failures = [], []
