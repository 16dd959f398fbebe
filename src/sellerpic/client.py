"""`SellerPic` and `AsyncSellerPic`: the entry points.

Both share every line of workflow logic: the methods build generator steps (see `_transport`)
and hand them to a sync or an async driver. Every method is written once, in `_Client` (the ten
create methods in its base `_Operations`), generic over what the methods return: the value for
`SellerPic`, a coroutine of it for `AsyncSellerPic`. Each class adds only its httpx client,
driver and task type, and how it closes. The values come from `account`, the settings from
`_config`, the create methods from `_create_methods`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import httpx

from sellerpic_client.client import AuthenticatedClient

from . import _recording
from . import batch as _batch
from ._auth import redact_key
from ._clock import Clock
from ._config import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, attach, check_base_url, resolve_settings
from ._create_methods import ImageInput, _Operations
from ._drivers import AsyncDriver, SyncDriver, whole_request_seconds
from ._effects import ProgressCallback, Steps
from ._logging import configure_logging_from_environment
from ._operations import find_operation
from ._retry import RetryPolicy
from .account import PRESET_TYPES, Credits, Preset, PresetPage, credits_steps, presets_steps
from .errors import InvalidInputError
from .tasks import (
    AsyncTask,
    Awaited,
    RunResult,
    Settings,
    Task,
    TaskState,
    TaskStatus,
    create_steps,
    run_steps,
)
from .uploads import Source, UploadMode, prepare_image, upload_steps

#: What this module offered before its values, settings and create methods moved out.
__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "PRESET_TYPES",
    "AsyncSellerPic",
    "Credits",
    "ImageInput",
    "Preset",
    "PresetPage",
    "SellerPic",
    "check_base_url",
]


# --- steps for the client's own methods ----------------------------------------------------------
def _upload_one_steps(
    source: Source,
    mask_for: Source | None,
    settings: Settings,
    on_progress: ProgressCallback | None,
) -> Steps[str]:
    image = prepare_image(mask_for, field="mask_for") if mask_for is not None else None
    prepared = prepare_image(source, field="file", mask_for=image)
    return (yield from upload_steps(prepared, settings.upload_mode, settings.retry, on_progress))


_TaskT = TypeVar("_TaskT")
_HttpT = TypeVar("_HttpT", bound=httpx.Client | httpx.AsyncClient)
_DriverT = TypeVar("_DriverT", bound=SyncDriver | AsyncDriver)
_HandleT = TypeVar("_HandleT", bound=Task | AsyncTask)
_KeyT = TypeVar("_KeyT")
_CreditsT = TypeVar("_CreditsT")
_PresetsT = TypeVar("_PresetsT")
_RunT = TypeVar("_RunT")
_BatchT = TypeVar("_BatchT")
_R = TypeVar("_R")


def _deferred(build: Callable[[], Steps[_R]]) -> Steps[_R]:
    """Build the steps on the first step: an async method checks its arguments when awaited."""
    return (yield from build())


class _Client(
    _Operations[_TaskT],
    Generic[_HttpT, _DriverT, _HandleT, _TaskT, _KeyT, _CreditsT, _PresetsT, _RunT, _BatchT],
):
    """`SellerPic` and `AsyncSellerPic`, written once.

    Every method builds steps and hands them to the driver. The type parameters after the
    httpx client and the driver are what the methods give back: `task()`, the create methods,
    `upload`, `credits`, `presets`, `run` and `batch`. `SellerPic` binds them to the values,
    `AsyncSellerPic` to coroutines of the same values (but for `task()`, which sends nothing).

    `clock` is the time the client waits in (polling, back-off, deadlines): real time unless a
    test hands it one that moves a simulator's clock instead of sleeping (`sellerpic._clock`).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        upload_mode: UploadMode = "presigned",
        poll_interval: float | None = None,
        http_client: _HttpT | None = None,
        record_dir: str | Path | None = None,
        clock: Clock | None = None,
    ) -> None:
        try:
            configure_logging_from_environment()
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="SELLERPIC_LOG") from None
        key, self._settings = resolve_settings(
            api_key, base_url, max_retries, retry_policy, upload_mode, poll_interval, clock
        )
        self._key_hint = redact_key(key)
        self._owns_http = http_client is None
        self._http: _HttpT = http_client or self._new_http()
        # Opt-in (record_dir= or SELLERPIC_RECORD): every exchange as a redacted JSON line.
        _recording.install(self._http, record_dir, [key])
        attach(
            self._http,
            self._settings.base_url,
            key,
            timeout or (DEFAULT_TIMEOUT if self._owns_http else None),
        )
        self._driver = self._new_driver(
            AuthenticatedClient(base_url=self._settings.base_url, token=""),
            whole_request_seconds(self._http.timeout),
        )

    def _new_http(self) -> _HttpT:
        raise NotImplementedError

    def _new_driver(self, api: AuthenticatedClient, deadline: float | None) -> _DriverT:
        """The driver over `self._http`, with `api` set to use that same client; `deadline`
        bounds each attempt of each request as a whole."""
        raise NotImplementedError

    def _new_task(self, state: TaskState) -> _HandleT:
        raise NotImplementedError

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(base_url={self._settings.base_url!r}, api_key={self._key_hint})"

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def poll_interval(self) -> float:
        return self._settings.poll_interval

    def _create(
        self,
        operation: str,
        values: dict[str, Any],
        on_upload: ProgressCallback | None = None,
    ) -> _TaskT:
        return cast(_TaskT, self._driver.run(self._create_steps(operation, values, on_upload)))

    def _create_steps(
        self, operation: str, values: dict[str, Any], on_upload: ProgressCallback | None
    ) -> Steps[_HandleT]:
        op = find_operation(operation)
        state = yield from create_steps(op, values, self._settings, on_upload=on_upload)
        return self._new_task(state)

    def task(self, task_id: str, operation: str | None = None) -> _HandleT:
        """A handle on an existing task, e.g. to resume waiting after a restart."""
        name = find_operation(operation).name if operation else None
        return self._new_task(TaskState(str(task_id), name))

    def upload(
        self,
        source: Source,
        *,
        mask_for: Source | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> _KeyT:
        """Check a file locally, upload it and return its file key. With `mask_for`, `source`
        is a mask checked against that image (black and white, same size)."""
        steps = _upload_one_steps(source, mask_for, self._settings, on_progress)
        return cast(_KeyT, self._driver.run(steps))

    def credits(self) -> _CreditsT:
        return cast(_CreditsT, self._driver.run(credits_steps(self._settings)))

    def presets(self, type: str, *, page: int = 1, page_size: int = 10) -> _PresetsT:
        steps = presets_steps(self._settings, type, page, page_size)
        return cast(_PresetsT, self._driver.run(steps))

    def run(
        self,
        operation: str,
        *,
        output_dir: str | Path = ".",
        format: str | None = None,
        uhd: bool = False,
        poll_interval: float | None = None,
        timeout: float | None = None,
        on_update: Callable[[TaskStatus], None] | None = None,
        **inputs: Any,
    ) -> _RunT:
        """Create, wait and download in one call. Raises TaskFailedError when every output
        failed; on partial failure returns the files and lists the failures."""
        steps = _deferred(
            lambda: run_steps(
                find_operation(operation),
                inputs,
                self._settings,
                output_dir=Path(output_dir),
                fmt=format,
                uhd=uhd,
                poll_interval=poll_interval,
                timeout=timeout,
                on_update=on_update,
            )
        )
        return cast(_RunT, self._driver.run(steps))

    def batch(
        self,
        jobs: Iterable[_batch.Job | Mapping[str, Any]],
        *,
        state_file: str | Path,
        output_dir: str | Path = ".",
        poll_interval: float | None = None,
        retry_ambiguous: bool = False,
        retry_failed: bool = False,
        on_event: Callable[[_batch.JobRecord], None] | None = None,
        on_progress: Callable[[_batch.BatchProgress], None] | None = None,
    ) -> _BatchT:
        """Run many jobs within the concurrency limits, resumable through `state_file`.

        Jobs are `Job`s or mappings shaped like a manifest's jobs. A rerun tries again the
        jobs that failed before any task existed (nothing was charged) and downloads again
        those whose results were refused; `retry_failed=True` also creates again the jobs
        whose task failed on the server, which charges for them again."""
        steps = _deferred(
            lambda: _batch.batch_steps(
                _batch.normalise_jobs(jobs),
                self._settings,
                state_file=Path(state_file),
                output_dir=Path(output_dir),
                poll_interval=poll_interval,
                retry_ambiguous=retry_ambiguous,
                retry_failed=retry_failed,
                on_event=on_event,
                on_progress=on_progress,
            )
        )
        return cast(_BatchT, self._driver.run(steps))


class SellerPic(
    _Client[
        httpx.Client,
        SyncDriver,
        Task,  # task()
        Task,  # the create methods
        str,  # upload()
        Credits,  # credits()
        PresetPage,  # presets()
        RunResult,  # run()
        _batch.BatchReport,  # batch()
    ]
):
    """Blocking client.

    >>> client = SellerPic()                       # SELLERPIC_API_KEY, SELLERPIC_BASE_URL
    >>> task = client.remove_background(image="shoe.png")
    >>> task.wait()
    >>> task.download("out/")
    """

    def _new_http(self) -> httpx.Client:
        return httpx.Client()

    def _new_driver(self, api: AuthenticatedClient, deadline: float | None) -> SyncDriver:
        api.set_httpx_client(self._http)
        return SyncDriver(self._http, api, deadline, self._settings.clock)

    def _new_task(self, state: TaskState) -> Task:
        return Task(state, self._settings, self._driver)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> SellerPic:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSellerPic(
    _Client[
        httpx.AsyncClient,
        AsyncDriver,
        AsyncTask,
        Awaited[AsyncTask],
        Awaited[str],
        Awaited[Credits],
        Awaited[PresetPage],
        Awaited[RunResult],
        Awaited[_batch.BatchReport],
    ]
):
    """Async client; same methods as `SellerPic`, awaited."""

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient()

    def _new_driver(self, api: AuthenticatedClient, deadline: float | None) -> AsyncDriver:
        api.set_async_httpx_client(self._http)
        return AsyncDriver(self._http, api, deadline, self._settings.clock)

    def _new_task(self, state: TaskState) -> AsyncTask:
        return AsyncTask(state, self._settings, self._driver)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncSellerPic:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
