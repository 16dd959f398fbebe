"""Forcing the outcome of an unfinished task (the control plane's `tasks/{id}/outcome`).

The task ends at once, as if it had finished now: its results take the forced statuses, and
the credits of the failed ones are refunded by the same rule as a natural failure, in the
same unit of work as the statuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.db import Store, TaskRow
from .credits import Credits
from .errors import ApiError, bad_request, not_found
from .lifecycle import FAILED, GENERATION_FAILED, GENERATION_FAILED_MSG, SUCCESS, Lifecycle

OUTCOMES = (SUCCESS, FAILED)


@dataclass(frozen=True)
class ResultOutcome:
    """The forced status of one result; the error fields apply when it is FAILED."""

    status: str
    error_code: int | None = None
    error_msg: str | None = None


def conflict(msg: str) -> ApiError:
    return ApiError(409, msg, 409)


class Outcomes:
    def __init__(self, store: Store, credits: Credits, lifecycle: Lifecycle) -> None:
        self._store = store
        self._credits = credits
        self._lifecycle = lifecycle

    def force(
        self,
        task_id: str,
        default: ResultOutcome | None,
        per_result: dict[str, ResultOutcome],
    ) -> TaskRow:
        """End the task now; results not in `per_result` take `default`, or the outcome they
        were drawn to have when there is none. Returns the task as it is now."""
        task = self._store.task(task_id)
        if task is None:
            raise not_found(f"task {task_id}: no such task")
        now = self._lifecycle.now()
        if task.settled or now >= task.finish_at:
            raise conflict(
                f"task {task_id}: it has already finished; outcomes can be forced only on "
                "CREATED or RUNNING tasks"
            )
        results = self._store.results(task_id)
        unknown = sorted(set(per_result) - {r.id for r in results})
        if unknown:
            raise bad_request(f"results: task {task_id} has no result {', '.join(unknown)}")
        statuses: dict[str, str] = {}
        errors: dict[str, tuple[int, str]] = {}
        refund = 0
        for result in results:
            natural = ResultOutcome(FAILED if result.fails else SUCCESS)
            outcome = per_result.get(result.id) or default or natural
            if outcome.status not in OUTCOMES:
                raise bad_request(f"status: {outcome.status!r}; use SUCCESS or FAILED")
            statuses[result.id] = outcome.status
            if outcome.status == FAILED:
                refund += result.credits
                errors[result.id] = (
                    outcome.error_code or GENERATION_FAILED,
                    outcome.error_msg or GENERATION_FAILED_MSG,
                )
        with self._store.transaction():
            if not self._store.finish_now(task_id, now, statuses, errors):
                raise conflict(f"task {task_id}: it finished while its outcome was being forced")
            self._credits.refund(task.account_id, refund)
        ended = self._store.task(task_id)
        assert ended is not None  # tasks are never deleted but by a reset
        return ended
