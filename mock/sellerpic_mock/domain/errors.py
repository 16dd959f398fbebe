"""Errors the domain raises; routes turn them into envelopes with the matching HTTP status.

The codes follow the table in the spec's info.description.
"""

from __future__ import annotations

import errno

CONCURRENCY_LIMIT = 30003
INSUFFICIENT_CREDITS = 30004


#: Messages quote the offending input; a cap keeps a hostile value from bloating the answer past
#: the envelope's documented `msg` maxLength (4096).
MAX_MSG_CHARS = 512


class ApiError(Exception):
    def __init__(self, code: int, msg: str, http_status: int) -> None:
        if len(msg) > MAX_MSG_CHARS:
            msg = msg[: MAX_MSG_CHARS - 1] + "\u2026"
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.http_status = http_status


def bad_request(msg: str) -> ApiError:
    return ApiError(400, msg, 400)


def unauthorized(msg: str = "Unauthorized") -> ApiError:
    return ApiError(401, msg, 401)


def forbidden(msg: str = "Forbidden") -> ApiError:
    return ApiError(403, msg, 403)


def not_found(msg: str = "Record Not Found") -> ApiError:
    return ApiError(404, msg, 404)


def too_large(msg: str) -> ApiError:
    return ApiError(413, msg, 413)


def server_error(msg: str = "Internal Server Error") -> ApiError:
    return ApiError(500, msg, 500)


def concurrency_limit(operation: str, limit: int) -> ApiError:
    # Documented as a business error inside a 200 answer, not as an HTTP error.
    return ApiError(
        CONCURRENCY_LIMIT,
        f"The number of {operation} tasks in progress has reached the limit of {limit}.",
        200,
    )


def insufficient_credits(needed: int, remaining: int) -> ApiError:
    return ApiError(
        INSUFFICIENT_CREDITS,
        f"Insufficient credits: the task needs {needed}, {remaining} remaining.",
        200,
    )


#: Envelope code of an answer refused because the data dir's disk is full (HTTP 507's number).
DISK_FULL = 507
#: SQLite's result code for "database or disk is full".
_SQLITE_FULL = 13


def disk_full(exc: BaseException) -> ApiError | None:
    """The answer to a write that failed for lack of space (a file write or a SQLite commit),
    or None for any other error. Nothing of the request is kept: its transaction is rolled
    back and its temporary files removed, so it can simply be sent again once there is
    space."""
    full = getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    )
    if not full:
        return None
    return ApiError(
        DISK_FULL,
        "Insufficient Storage: the simulator's disk is full; nothing was changed. Free some "
        "space in its data dir and send the request again.",
        500,
    )
