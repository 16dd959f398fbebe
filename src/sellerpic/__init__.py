"""SellerPic AI in Python: upload, create a task, wait, download; sync or async.

>>> from sellerpic import SellerPic
>>> with SellerPic() as client:          # key from SELLERPIC_API_KEY
...     result = client.run("remove_background", image="shoe.png", output_dir="out")
"""

from ._retry import RetryPolicy
from ._version import __version__
from .batch import BatchProgress, BatchReport, Job, JobRecord
from .client import AsyncSellerPic, Credits, Preset, PresetPage, SellerPic
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
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

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AsyncSellerPic",
    "AsyncTask",
    "AuthenticationError",
    "BadRequestError",
    "BatchProgress",
    "BatchReport",
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
