"""SellerPic AI in Python: upload, create a task, wait, download; sync or async.

>>> from sellerpic import SellerPic
>>> with SellerPic() as client:          # key from SELLERPIC_API_KEY
...     result = client.run("remove_background", image="shoe.png", output_dir="out/")

The names below are imported on first use: `import sellerpic` (and the `sellerpic` command's
help) does not load httpx, the generated client or Pillow until something needs them.
"""

from __future__ import annotations

import importlib

from ._version import __version__

# Not `typing.TYPE_CHECKING`: importing typing costs the CLI's start-up more than all of
# its own code (`sellerpic --help` must not wait for it); type checkers honour the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._retry import RetryPolicy
    from .account import Credits, Preset, PresetPage
    from .batch import BatchProgress, BatchReport, Job, JobRecord
    from .client import AsyncSellerPic, SellerPic
    from .errors import (
        APIConnectionError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientClosedError,
        ConcurrencyLimitError,
        FailedResult,
        InsufficientCreditsError,
        InvalidInputError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        SellerPicError,
        ServerError,
        TaskFailedError,
        TaskNotFinishedError,
        TaskTimeoutError,
    )
    from .tasks import AsyncTask, ResultItem, RunResult, Task, TaskStatus
    from .uploads import FileKey

_ERRORS = (
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConcurrencyLimitError",
    "FailedResult",
    "InsufficientCreditsError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SellerPicError",
    "ServerError",
    "TaskFailedError",
    "TaskNotFinishedError",
    "TaskTimeoutError",
)
#: public name -> the module that defines it
_HOMES: dict[str, str] = {
    "RetryPolicy": "._retry",
    **dict.fromkeys(("BatchProgress", "BatchReport", "Job", "JobRecord"), ".batch"),
    **dict.fromkeys(("Credits", "Preset", "PresetPage"), ".account"),
    **dict.fromkeys(("AsyncSellerPic", "SellerPic"), ".client"),
    **dict.fromkeys(_ERRORS, ".errors"),
    **dict.fromkeys(("AsyncTask", "ResultItem", "RunResult", "Task", "TaskStatus"), ".tasks"),
    "FileKey": ".uploads",
}

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AsyncSellerPic",
    "AsyncTask",
    "AuthenticationError",
    "BadRequestError",
    "BatchProgress",
    "BatchReport",
    "ClientClosedError",
    "ConcurrencyLimitError",
    "Credits",
    "FailedResult",
    "FileKey",
    "InsufficientCreditsError",
    "InvalidInputError",
    "Job",
    "JobRecord",
    "NotFoundError",
    "PermissionDeniedError",
    "Preset",
    "PresetPage",
    "RateLimitError",
    "ResultItem",
    "RetryPolicy",
    "RunResult",
    "SellerPic",
    "SellerPicError",
    "ServerError",
    "Task",
    "TaskFailedError",
    "TaskNotFinishedError",
    "TaskStatus",
    "TaskTimeoutError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
