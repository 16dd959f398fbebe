"""Typed exceptions raised by `sellerpic`.

Every error the API can report arrives in the same envelope (`code`, `msg`, `traceId`), sometimes
with an HTTP error status and sometimes as HTTP 200 with `success: false`. Both shapes end up as
one of the classes below, so callers can catch by meaning instead of inspecting codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Business codes the API answers with HTTP 200 and `success: false`.
CODE_CONCURRENCY_LIMIT = 30003
CODE_INSUFFICIENT_CREDITS = 30004


class SellerPicError(Exception):
    """Base class: `code` and `msg` from the envelope, `trace_id` to quote to support."""

    def __init__(
        self,
        msg: str,
        *,
        code: int | None = None,
        trace_id: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.trace_id = trace_id
        self.status_code = status_code

    def __str__(self) -> str:
        details = []
        if self.status_code is not None:
            details.append(f"HTTP {self.status_code}")
        if self.code is not None:
            details.append(f"code {self.code}")
        if self.trace_id:
            details.append(f"trace id {self.trace_id}")
        return f"{self.msg} ({', '.join(details)})" if details else self.msg

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(msg={self.msg!r}, code={self.code!r}, "
            f"trace_id={self.trace_id!r}, status_code={self.status_code!r})"
        )


class AuthenticationError(SellerPicError):
    """401: the API key is missing or unknown."""


class PermissionDeniedError(SellerPicError):
    """403: access denied (an expired presigned URL is renewed before this is raised)."""


class NotFoundError(SellerPicError):
    """404: the task, result or file does not exist."""


class BadRequestError(SellerPicError):
    """400 (or 413/422): the server refused the request; `msg` names the field or rule."""


class RateLimitError(SellerPicError):
    """429 from a gateway in front of the API."""


class ConcurrencyLimitError(SellerPicError):
    """Code 30003: too many tasks of this type are `CREATED` or `RUNNING` for the account."""


class InsufficientCreditsError(SellerPicError):
    """Code 30004: the account has not enough credits for the task."""


class ServerError(SellerPicError):
    """5xx, or an answer that is not the documented envelope."""


class InvalidInputError(SellerPicError):
    """A local check failed before any request was sent (image rules, missing fields)."""

    def __init__(self, msg: str, *, rule: str | None = None, field: str | None = None) -> None:
        super().__init__(msg)
        self.rule = rule
        self.field = field


class APIConnectionError(SellerPicError):
    """The request did not complete at the network level."""

    def __init__(self, msg: str, *, maybe_processed: bool = False) -> None:
        super().__init__(msg)
        #: True when the server may have acted on the request (e.g. created a task) even
        #: though no answer arrived.
        self.maybe_processed = maybe_processed


class APITimeoutError(APIConnectionError):
    """The request timed out."""


@dataclass(frozen=True)
class FailedResult:
    """One failed output of a task, as reported by `getTaskStatus`."""

    result_id: str
    error_code: int | None
    error_msg: str


class TaskFailedError(SellerPicError):
    """Every output of the task failed; `failures` has each item's errorCode and errorMsg."""

    def __init__(self, task_id: str, failures: Sequence[FailedResult]) -> None:
        reasons = "; ".join(
            f"{f.result_id}: {f.error_msg or 'no message'} (code {f.error_code})" for f in failures
        )
        super().__init__(f"task {task_id} failed: {reasons}")
        self.task_id = task_id
        self.failures = list(failures)


class TaskTimeoutError(SellerPicError):
    """The task did not finish before the overall deadline given to `wait`."""

    def __init__(self, task_id: str, timeout: float, last_statuses: Sequence[str]) -> None:
        super().__init__(
            f"task {task_id} still unfinished after {timeout:g} s "
            f"(statuses: {', '.join(last_statuses) or 'none yet'}); "
            "it keeps running server-side: wait for it again with the same id"
        )
        self.task_id = task_id
        self.timeout = timeout


class TaskNotFinishedError(SellerPicError):
    """`download` was asked for a task whose outputs are not all final yet."""

    def __init__(self, task_id: str, statuses: Sequence[str]) -> None:
        super().__init__(
            f"task {task_id} is not finished (statuses: {', '.join(statuses) or 'none yet'}); "
            f"nothing was downloaded. Wait for it first: `sellerpic wait {task_id}`, "
            f"`sellerpic download {task_id} --wait`, or task.wait() in Python"
        )
        self.task_id = task_id
        self.statuses = list(statuses)


def error_from_envelope(
    status_code: int, code: int | None, msg: str, trace_id: str | None
) -> SellerPicError:
    """Pick the exception class for an error answer, by business code first, then status."""

    def make(cls: type[SellerPicError]) -> SellerPicError:
        return cls(msg, code=code, trace_id=trace_id, status_code=status_code)

    if code == CODE_CONCURRENCY_LIMIT:
        return make(ConcurrencyLimitError)
    if code == CODE_INSUFFICIENT_CREDITS:
        return make(InsufficientCreditsError)
    # Error answers sent with HTTP 200 carry the meaning in `code`, which mirrors HTTP statuses.
    effective = status_code if status_code >= 400 else (code or status_code)
    classes: dict[int, type[SellerPicError]] = {
        400: BadRequestError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        413: BadRequestError,
        422: BadRequestError,
        429: RateLimitError,
    }
    if effective in classes:
        return make(classes[effective])
    if 500 <= effective < 600:
        return make(ServerError)
    return make(SellerPicError)
