"""Tasks: create one, follow it, download its results.

`Task` (sync) and `AsyncTask` share the steps below and differ only in the driver that performs
them. Polling respects the API's request of at least one minute between status calls: the
default interval is 60 s when the base URL is the real API (`api.sellerpic.ai`) and 1 s for any
other base URL (the offline simulator, a local mock). Pass `poll_interval` to choose.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar, cast
from urllib.parse import urlsplit

from sellerpic_client.api.tasks import get_download_url, get_task_status
from sellerpic_client.models import DownloadFormat

from ._clock import SYSTEM_CLOCK, Clock
from ._drivers import AsyncDriver, SyncDriver
from ._effects import DownloadTo, ProgressCallback, Sleep, Steps, api_call
from ._envelope import envelope_data
from ._logging import log
from ._operations import Operation, find_operation
from ._request import call_api
from ._results import BadResultError, check_result, inside
from ._retry import RetryPolicy
from .errors import (
    FailedResult,
    InvalidInputError,
    PermissionDeniedError,
    ServerError,
    TaskFailedError,
    TaskNotFinishedError,
    TaskTimeoutError,
)
from .uploads import (
    PreparedImage,
    UploadMode,
    is_file_key,
    prepare_image,
    prepare_mask_alone,
    upload_steps,
)

REAL_API_HOST = "api.sellerpic.ai"
REAL_API_POLL_INTERVAL = 60.0
LOCAL_POLL_INTERVAL = 1.0
FINAL_STATUSES = frozenset({"SUCCESS", "FAILED"})
DOWNLOAD_FORMATS = tuple(f.value for f in DownloadFormat)


def is_task_id(value: object) -> bool:
    """Task ids on this API are digit strings (19-digit numbers); they also name result files,
    so nothing else may pass for one."""
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 64


def require_task_id(value: str) -> str:
    if not is_task_id(value):
        raise InvalidInputError(
            f"{value!r} is not a task id: task ids on this API are digit strings", field="task_id"
        )
    return value


def default_poll_interval(base_url: str) -> float:
    """60 s against the real API (its documented minimum); 1 s against anything else."""
    host = urlsplit(base_url).hostname or ""
    return REAL_API_POLL_INTERVAL if host == REAL_API_HOST else LOCAL_POLL_INTERVAL


@dataclass(frozen=True)
class Settings:
    """What the steps need from the client, independent of sync or async."""

    base_url: str
    retry: RetryPolicy
    upload_mode: UploadMode
    poll_interval: float
    clock: Clock = SYSTEM_CLOCK


@dataclass(frozen=True)
class ResultItem:
    """One output of a task."""

    id: str
    status: str
    file_url: str = ""
    file_key: str = ""
    error_code: int | None = None
    error_msg: str = ""

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESS"

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"


@dataclass(frozen=True)
class TaskStatus:
    """A snapshot of `getTaskStatus`. Unknown statuses count as still in progress."""

    task_id: str
    items: tuple[ResultItem, ...]

    @property
    def done(self) -> bool:
        return bool(self.items) and all(item.final for item in self.items)

    @property
    def statuses(self) -> list[str]:
        return [item.status for item in self.items]

    @property
    def successes(self) -> list[ResultItem]:
        return [item for item in self.items if item.succeeded]

    @property
    def failures(self) -> list[FailedResult]:
        return [
            FailedResult(item.id, item.error_code, item.error_msg)
            for item in self.items
            if item.failed
        ]


@dataclass
class TaskState:
    """Mutable state shared by a `Task` and the steps that act on it."""

    task_id: str
    operation: str | None = None
    status: TaskStatus | None = None
    last_poll: float | None = None

    def __post_init__(self) -> None:
        require_task_id(self.task_id)


@dataclass(frozen=True)
class RunResult:
    """What `run` produced: downloaded files and the outputs that failed (partial failure)."""

    task_id: str
    files: list[Path]
    failures: list[FailedResult] = field(default_factory=list)


# --- steps -------------------------------------------------------------------------------------
def _result_item(raw: Mapping[str, Any]) -> ResultItem:
    code = raw.get("errorCode")
    return ResultItem(
        id=str(raw.get("id", "")),
        # An absent or odd status is kept as text; only SUCCESS/FAILED end the wait.
        status=str(raw.get("status") or "UNKNOWN").upper(),
        file_url=str(raw.get("fileUrl") or ""),
        file_key=str(raw.get("fileKey") or ""),
        error_code=code if isinstance(code, int) else None,
        error_msg=str(raw.get("errorMsg") or ""),
    )


def parse_status(task_id: str, data: Mapping[str, Any]) -> TaskStatus:
    items = data.get("resultList")
    if items is not None and not isinstance(items, list):
        # Read as "no results yet", a wrong type would keep a wait polling until its timeout.
        raise ServerError(
            "the answer's `data.resultList` is not a list as documented", field="resultList"
        )
    rows = items or []
    return TaskStatus(task_id, tuple(_result_item(r) for r in rows if isinstance(r, dict)))


def resolve_inputs(
    op: Operation,
    values: Mapping[str, Any],
    settings: Settings,
    on_upload: ProgressCallback | None = None,
) -> Steps[dict[str, Any]]:
    """Check every local file, then upload them; returns the inputs with file keys."""
    unknown = set(values) - {p.name for p in op.params}
    if unknown:
        raise InvalidInputError(f"{op.name} has no input {', '.join(sorted(unknown))}")
    resolved: dict[str, Any] = {}
    local: dict[str, PreparedImage] = {}
    for p in op.params:
        value = values.get(p.name)
        if value is None or value == "":
            if p.required:
                raise InvalidInputError(f"{op.name} needs {p.name}", field=p.name)
            continue
        if p.kind == "image" and not is_file_key(value):
            local[p.name] = prepare_image(value, field=p.name, rules=op.image_rules)
        elif p.kind != "mask" or is_file_key(value):
            resolved[p.name] = p.check(value)
    for p in op.params:
        value = values.get(p.name)
        if p.kind == "mask" and value is not None and value != "" and not is_file_key(value):
            image = local.get(op.mask_image_of(p.name) or "")
            local[p.name] = (
                prepare_image(value, field=p.name, mask_for=image)
                if image is not None
                else prepare_mask_alone(value, field=p.name)
            )
    # Build once with placeholder keys so cross-field rules fail before anything is uploaded.
    op.build({**resolved, **{name: "UPLOAD/pending" for name in local}})
    for name, prepared in local.items():
        resolved[name] = yield from upload_steps(
            prepared, settings.upload_mode, settings.retry, on_upload
        )
    return resolved


def create_steps(
    op: Operation,
    values: Mapping[str, Any],
    settings: Settings,
    *,
    retry_busy: bool = True,
    on_upload: ProgressCallback | None = None,
) -> Steps[TaskState]:
    """Upload local inputs, then create the task (retried only per the create rules)."""
    resolved = yield from resolve_inputs(op, values, settings, on_upload)
    task_id = yield from submit_steps(op, resolved, settings, retry_busy=retry_busy)
    return TaskState(task_id, op.name)


def submit_steps(
    op: Operation, resolved: Mapping[str, Any], settings: Settings, *, retry_busy: bool = True
) -> Steps[str]:
    """Send the create request for inputs that are already file keys; returns the task id."""
    body = op.build(resolved)
    raw = yield from call_api(
        lambda: api_call(op.operation_id, op.module, body=body),
        op.operation_id,
        settings.retry,
        kind="create",
        retry_busy=retry_busy,
    )
    task_id = envelope_data(raw).get("id")
    if task_id is None or task_id == "":
        raise ServerError(
            f"{op.operation_id} answered without a task id; the task may have been created: "
            "it was not sent again, to avoid a second charge",
            maybe_processed=True,
            field="data.id",
        )
    # Ids are 19-digit numbers; a JSON number would lose digits, so always keep the text.
    text = str(task_id) if isinstance(task_id, (str, int)) and not isinstance(task_id, bool) else ""
    if not is_task_id(text):
        # The id names the result files: a server that sends `../x` must not pick the path.
        raise ServerError(
            f"{op.operation_id} answered with task id {task_id!r}, not a digit string; "
            "refused, nothing was written. The task may exist on the server"
        )
    return text


def refresh_steps(state: TaskState, settings: Settings) -> Steps[TaskStatus]:
    raw = yield from call_api(
        lambda: api_call("getTaskStatus", get_task_status, id=state.task_id),
        "getTaskStatus",
        settings.retry,
    )
    state.last_poll = settings.clock.monotonic()
    state.status = parse_status(state.task_id, envelope_data(raw))
    return state.status


def wait_steps(
    state: TaskState,
    settings: Settings,
    *,
    poll_interval: float | None = None,
    timeout: float | None = None,
    on_update: Callable[[TaskStatus], None] | None = None,
) -> Steps[TaskStatus]:
    """Poll until every output is final; raise TaskFailedError when all failed."""
    interval = settings.poll_interval if poll_interval is None else poll_interval
    if (
        interval < REAL_API_POLL_INTERVAL
        and default_poll_interval(settings.base_url) >= REAL_API_POLL_INTERVAL
    ):
        log.warning("polling the real API more often than once a minute (%.1fs)", interval)
    now = settings.clock.monotonic
    deadline = None if timeout is None else now() + timeout
    while True:
        pause = 0.0 if state.last_poll is None else state.last_poll + interval - now()
        if deadline is not None:
            pause = min(pause, deadline - now())
        if pause > 0:
            yield Sleep(pause)
        status = yield from refresh_steps(state, settings)
        if on_update is not None:
            on_update(status)
        if status.done:
            if not status.successes:
                raise TaskFailedError(state.task_id, status.failures)
            return status
        if deadline is not None and now() >= deadline:
            raise TaskTimeoutError(state.task_id, timeout or 0.0, status.statuses)


def _download_url_steps(item: ResultItem, fmt: str, uhd: bool, settings: Settings) -> Steps[str]:
    raw = yield from call_api(
        lambda: api_call(
            "getDownloadUrl",
            get_download_url,
            id=item.id,
            download_format=DownloadFormat(fmt),
            uhd=uhd,
        ),
        "getDownloadUrl",
        settings.retry,
    )
    url = envelope_data(raw).get("fileUrl")
    if not isinstance(url, str) or not url:
        raise ServerError(f"getDownloadUrl gave no fileUrl for result {item.id}")
    return url


def download_steps(
    state: TaskState,
    settings: Settings,
    directory: str | Path,
    *,
    fmt: str | None = None,
    uhd: bool = False,
    on_progress: Callable[[str, int, int | None], None] | None = None,
) -> Steps[list[Path]]:
    """Stream every successful output to `directory/<task id>_<n>.<format>`.

    Raises `TaskNotFinishedError` for a task still in progress and `TaskFailedError` when
    every output failed. Each file is checked (format, size) before it is moved into place; a
    refused one is fetched once more from a new URL, then `BadResultError` is raised."""
    directory = Path(directory)
    if state.status is None or not state.status.done:
        yield from refresh_steps(state, settings)
    assert state.status is not None
    if not state.status.done:
        raise TaskNotFinishedError(state.task_id, state.status.statuses)
    if not state.status.successes:
        raise TaskFailedError(state.task_id, state.status.failures)
    chosen = (fmt or _default_format(state)).lower()
    if chosen not in DOWNLOAD_FORMATS:
        raise InvalidInputError(
            f"format {chosen!r} is not one of {', '.join(DOWNLOAD_FORMATS)}", field="format"
        )
    check = partial(check_result, fmt=chosen)
    files: list[Path] = []
    for index, item in enumerate(state.status.items):
        if not item.succeeded:
            continue
        dest = inside(directory, f"{require_task_id(state.task_id)}_{index}.{chosen}")
        progress = _bind_progress(on_progress, dest.name)
        for attempt in range(2):
            url = yield from _download_url_steps(item, chosen, uhd, settings)
            try:
                yield from call_api(
                    partial(DownloadTo, url, dest, progress, check),
                    f"download {dest.name}",
                    settings.retry,
                    plain=True,
                )
            except PermissionDeniedError:
                if attempt == 1:
                    raise
                # Download URLs expire after 12 hours and then answer 403: ask again.
                continue
            except BadResultError as exc:
                if attempt == 1:
                    raise BadResultError(
                        f"{dest.name}: {exc.msg}; refused twice (each from a new URL), "
                        "nothing was kept"
                    ) from None
                log.warning("%s: %s; asking for a new URL", dest.name, exc.msg)
                continue
            break
        files.append(dest)
    return files


def _bind_progress(
    on_progress: Callable[[str, int, int | None], None] | None, name: str
) -> ProgressCallback | None:
    if on_progress is None:
        return None
    return lambda done, total: on_progress(name, done, total)


def _default_format(state: TaskState) -> str:
    if state.operation:
        return find_operation(state.operation).default_format
    return "png"


def run_steps(
    op: Operation,
    values: Mapping[str, Any],
    settings: Settings,
    *,
    output_dir: Path,
    fmt: str | None,
    uhd: bool,
    poll_interval: float | None,
    timeout: float | None,
    on_update: Callable[[TaskStatus], None] | None,
) -> Steps[RunResult]:
    fmt = op.check_output(fmt, uhd)  # before anything is created and charged
    state = yield from create_steps(op, values, settings)
    status = yield from wait_steps(
        state, settings, poll_interval=poll_interval, timeout=timeout, on_update=on_update
    )
    files = yield from download_steps(state, settings, output_dir, fmt=fmt, uhd=uhd)
    if status.failures:
        log.warning(
            "task %s: %d of %d outputs failed",
            state.task_id,
            len(status.failures),
            len(status.items),
        )
    return RunResult(state.task_id, files, status.failures)


# --- task objects ------------------------------------------------------------------------------
_DriverT = TypeVar("_DriverT", bound=SyncDriver | AsyncDriver)
_StatusT = TypeVar("_StatusT")
_FilesT = TypeVar("_FilesT")
_R = TypeVar("_R")
#: What a method of the async classes returns: a coroutine to await for the value.
Awaited = Coroutine[Any, Any, _R]


class _TaskBase(Generic[_DriverT, _StatusT, _FilesT]):
    """`Task` and `AsyncTask`, written once: their methods build steps and hand them to the
    driver. `_StatusT` and `_FilesT` are what the driver gives back for `refresh`/`wait` and
    `download`: the value itself for `Task`, a coroutine for `AsyncTask`."""

    def __init__(self, state: TaskState, settings: Settings, driver: _DriverT) -> None:
        self._state = state
        self._settings = settings
        self._driver = driver

    @property
    def id(self) -> str:
        return self._state.task_id

    @property
    def operation(self) -> str | None:
        return self._state.operation

    @property
    def status(self) -> TaskStatus | None:
        """The last snapshot fetched (None before the first poll)."""
        return self._state.status

    @property
    def done(self) -> bool:
        return self._state.status is not None and self._state.status.done

    @property
    def results(self) -> list[ResultItem]:
        """Every output as last seen; empty before the first poll."""
        return list(self._state.status.items) if self._state.status else []

    @property
    def failures(self) -> list[FailedResult]:
        return self._state.status.failures if self._state.status else []

    def __repr__(self) -> str:
        statuses = ",".join(self._state.status.statuses) if self._state.status else "unknown"
        name = type(self).__name__
        return f"{name}(id={self.id!r}, operation={self.operation!r}, statuses={statuses})"

    def refresh(self) -> _StatusT:
        """One status call."""
        return cast(_StatusT, self._driver.run(refresh_steps(self._state, self._settings)))

    def wait(
        self,
        poll_interval: float | None = None,
        timeout: float | None = None,
        on_update: Callable[[TaskStatus], None] | None = None,
    ) -> _StatusT:
        """Poll until done. Raises TaskFailedError (all outputs failed) or TaskTimeoutError."""
        steps = wait_steps(
            self._state,
            self._settings,
            poll_interval=poll_interval,
            timeout=timeout,
            on_update=on_update,
        )
        return cast(_StatusT, self._driver.run(steps))

    def download(
        self,
        directory: str | Path = ".",
        *,
        format: str | None = None,
        uhd: bool = False,
        on_progress: Callable[[str, int, int | None], None] | None = None,
    ) -> _FilesT:
        """Stream every successful output to disk; returns the paths written."""
        steps = download_steps(
            self._state, self._settings, directory, fmt=format, uhd=uhd, on_progress=on_progress
        )
        return cast(_FilesT, self._driver.run(steps))


class Task(_TaskBase[SyncDriver, TaskStatus, list[Path]]):
    """A task on the server; `wait()` then `download()`."""


class AsyncTask(_TaskBase[AsyncDriver, Awaited[TaskStatus], Awaited[list[Path]]]):
    """The async twin of `Task`, driven by the same steps: await its methods."""
