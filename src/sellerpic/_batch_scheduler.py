"""The steps of a batch run: start waiting jobs as slots free up, poll each task in flight,
download the finished ones.

Concurrency: per operation, at most its documented limit is in flight. A 30003 answer (slots
taken by other clients of the same account) lowers the batch's own cap to what it has in flight
and pauses creation of that operation with jittered backoff. Each task in flight is polled once
per interval, timed from its own creation (not in rounds); a finished task's slot is refilled
at once, before the other tasks' polls, and its results are downloaded while no poll is due.
Jobs start in job order. The runner indexes jobs by state, so a step costs time in proportion
to the jobs it touches, not to the size of the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ._batch_resume import merge_records
from ._batch_run import Run
from ._batch_types import WAITING, BatchProgress, BatchReport, Job, JobRecord
from ._effects import Sleep, Steps
from ._operations import find_operation
from ._results import BadResultError, inside
from .errors import (
    APIConnectionError,
    AuthenticationError,
    ConcurrencyLimitError,
    NotFoundError,
    PermissionDeniedError,
    SellerPicError,
    ServerError,
    TaskFailedError,
)
from .tasks import (
    Settings,
    TaskState,
    download_steps,
    refresh_steps,
    resolve_inputs,
    submit_steps,
)


def run_steps(
    jobs: list[Job],
    settings: Settings,
    *,
    state_file: Path,
    output_dir: Path,
    poll_interval: float | None,
    retry_ambiguous: bool,
    retry_failed: bool,
    on_event: Callable[[JobRecord], None] | None,
    on_progress: Callable[[BatchProgress], None] | None,
) -> Steps[BatchReport]:
    interval = settings.poll_interval if poll_interval is None else poll_interval
    # Absolute, so the paths the state file records mean the same from any folder.
    output_dir = output_dir.absolute()
    run = Run(
        merge_records(jobs, state_file, retry_ambiguous, retry_failed),
        {j.id or "": j for j in jobs},
        state_file,
        on_event,
        on_progress,
        now=settings.clock.monotonic,
    )
    # The one O(jobs) write of the run; every later save appends.
    run.compact()
    run.report_progress()
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


def _can_start(run: Run, operation: str) -> bool:
    op = find_operation(operation)
    cap = run.caps.get(op.name, op.concurrency_limit)
    return run.in_flight_count(op.name) < cap and run.paused_until.get(op.name, 0.0) <= run.now()


def _start_waiting(run: Run, settings: Settings, interval: float) -> Steps[None]:
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


def _start(run: Run, record: JobRecord, settings: Settings, interval: float) -> Steps[None]:
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


def _poll(run: Run, record: JobRecord, settings: Settings, interval: float) -> Steps[bool]:
    """One status call; True when the task is done."""
    state = run.tasks[record.id]
    # Spaced from the start of this call, so request latency does not stretch the period.
    run.next_poll[record.id] = run.now() + interval
    status = yield from refresh_steps(state, settings)
    return status.done


def _finished(run: Run, record: JobRecord) -> None:
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


def _collect(run: Run, record: JobRecord, settings: Settings, output_dir: Path) -> Steps[None]:
    state = run.tasks[record.id]
    try:
        files = yield from download_steps(state, settings, inside(output_dir, record.id))
    except (BadResultError, NotFoundError, PermissionDeniedError) as exc:
        # This job's files cannot be had now (refused twice, gone, or denied after a new URL):
        # it fails alone, keeping its task id and no failures, so the next run downloads it
        # again without creating it. The other jobs go on.
        run.update(record, "failed", error=str(exc), files=[], failures=[])
        return
    status = state.status
    assert status is not None
    failures = [asdict(f) for f in status.failures]
    run.update(record, "done", files=[str(f) for f in files], failures=failures)
