"""`SellerPic` and `AsyncSellerPic`: the entry points.

Both share every line of workflow logic: the methods build generator steps (see `_transport`)
and hand them to a sync or an async driver. Every method is written once, in `_Client` (the ten
create methods in its base `_Operations`), generic over what the methods return: the value for
`SellerPic`, a coroutine of it for `AsyncSellerPic`. Each class adds only its httpx client,
driver and task type, and how it closes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import httpx

from sellerpic_client.api.account import get_credit_usage, list_presets
from sellerpic_client.client import AuthenticatedClient
from sellerpic_client.models import PresetType

from . import _recording
from . import batch as _batch
from ._auth import BearerAuth, check_api_key, redact_key
from ._clock import SYSTEM_CLOCK, Clock
from ._drivers import AsyncDriver, SyncDriver, whole_request_seconds
from ._effects import ProgressCallback, Steps, api_call
from ._envelope import envelope_data, int_field
from ._logging import configure_logging_from_environment
from ._operations import find_operation
from ._request import call_api
from ._retry import RetryPolicy
from .errors import AuthenticationError, InvalidInputError, ServerError
from .tasks import (
    AsyncTask,
    Awaited,
    RunResult,
    Settings,
    Task,
    TaskState,
    TaskStatus,
    create_steps,
    default_poll_interval,
    run_steps,
)
from .uploads import UPLOAD_MODES, FileKey, Source, UploadMode, prepare_image, upload_steps

DEFAULT_BASE_URL = "https://api.sellerpic.ai"
#: A finite default: the generated client alone would wait forever.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
PRESET_TYPES = tuple(t.value for t in PresetType)

ImageInput = str | Path | bytes | FileKey


@dataclass(frozen=True)
class Credits:
    total: int
    used: int
    remaining: int


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    image_url: str
    thumb_url: str


@dataclass(frozen=True)
class PresetPage:
    items: list[Preset]
    total: int | None
    has_more: bool


# --- steps for the account operations ----------------------------------------------------------
def _upload_one_steps(
    source: Source,
    mask_for: Source | None,
    settings: Settings,
    on_progress: ProgressCallback | None,
) -> Steps[str]:
    image = prepare_image(mask_for, field="mask_for") if mask_for is not None else None
    prepared = prepare_image(source, field="file", mask_for=image)
    return (yield from upload_steps(prepared, settings.upload_mode, settings.retry, on_progress))


def _credits_steps(settings: Settings) -> Steps[Credits]:
    raw = yield from call_api(
        lambda: api_call("getCreditUsage", get_credit_usage), "getCreditUsage", settings.retry
    )
    data = envelope_data(raw)
    return Credits(
        total=int_field(data, "total", "data"),
        used=int_field(data, "usage", "data"),
        remaining=int_field(data, "remaining", "data"),
    )


def _presets_steps(settings: Settings, type_: str, page: int, page_size: int) -> Steps[PresetPage]:
    if type_.upper() not in PRESET_TYPES:
        raise InvalidInputError(
            f"preset type must be one of {', '.join(PRESET_TYPES)}", field="type"
        )
    raw = yield from call_api(
        lambda: api_call(
            "listPresets",
            list_presets,
            type_=PresetType(type_.upper()),
            page_num=page,
            page_size=page_size,
        ),
        "listPresets",
        settings.retry,
    )
    data = envelope_data(raw)
    rows = data.get("list")
    rows = [] if rows is None else rows
    if not isinstance(rows, list):
        raise ServerError("the answer's `data.list` is not a list as documented", field="list")
    items = [
        Preset(
            id=str(r.get("id", "")),
            name=str(r.get("name") or ""),
            image_url=str(r.get("imageUrl") or ""),
            thumb_url=str(r.get("thumbUrl") or ""),
        )
        for r in rows or []
        if isinstance(r, dict)
    ]
    total = int_field(data, "total", "data") if data.get("total") is not None else None
    has_more = data.get("hasMore", False)
    if not isinstance(has_more, bool):
        raise ServerError(
            "the answer's `data.hasMore` is not true or false as documented", field="hasMore"
        )
    return PresetPage(items, total, has_more)


# --- shared configuration ----------------------------------------------------------------------
def _resolve_settings(
    api_key: str | None,
    base_url: str | None,
    max_retries: int | None,
    retry_policy: RetryPolicy | None,
    upload_mode: UploadMode,
    poll_interval: float | None,
    clock: Clock | None = None,
) -> tuple[str, Settings]:
    key = (api_key or os.environ.get("SELLERPIC_API_KEY") or "").strip()
    if not key:
        raise AuthenticationError("no API key: pass api_key= or set SELLERPIC_API_KEY")
    try:
        key = check_api_key(key)
    except ValueError as exc:
        raise AuthenticationError(str(exc)) from None
    url = check_base_url(base_url or os.environ.get("SELLERPIC_BASE_URL") or DEFAULT_BASE_URL)
    if upload_mode not in UPLOAD_MODES:
        raise InvalidInputError(f"upload_mode must be one of {', '.join(UPLOAD_MODES)}")
    policy = retry_policy or RetryPolicy()
    if max_retries is not None:
        policy = RetryPolicy(
            max_retries=max_retries,
            base_delay=policy.base_delay,
            max_delay=policy.max_delay,
            busy_base_delay=policy.busy_base_delay,
            busy_max_delay=policy.busy_max_delay,
        )
    interval = default_poll_interval(url) if poll_interval is None else poll_interval
    return key, Settings(url, policy, upload_mode, interval, clock or SYSTEM_CLOCK)


#: Paths the base URL must not end with: the operations' paths already start with them.
_API_PREFIXES = ("/v1/api", "/v1")


def check_base_url(base_url: str) -> str:
    """The server's root URL, checked before any request: a scheme is required (httpx would
    refuse `127.0.0.1:8080` only after the retries), and a trailing `/v1` or `/v1/api` would
    double the operations' paths (every call a 404)."""
    url = base_url.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise InvalidInputError(
            f"base URL {base_url!r} has no scheme: write http://{url} (the simulator) or "
            f"https://{url}",
            field="base_url",
        )
    if scheme.lower() not in ("http", "https"):
        raise InvalidInputError(
            f"base URL {base_url!r}: the scheme must be http or https, not {scheme!r}",
            field="base_url",
        )
    for prefix in _API_PREFIXES:
        if url.lower().endswith(prefix):
            root = url[: -len(prefix)]
            raise InvalidInputError(
                f"base URL {base_url!r} ends with {prefix}: give the server's root, "
                f"{root} (the paths of the operations start with /v1/api)",
                field="base_url",
            )
    return url


def _attach(http: httpx.Client | httpx.AsyncClient, base_url: str, key: str, timeout: Any) -> None:
    """Point the httpx client at the API. The key travels through `auth`, which the drivers
    switch off for presigned and file URLs."""
    http.base_url = httpx.URL(base_url)
    http.auth = BearerAuth(key)
    if timeout is not None:
        http.timeout = httpx.Timeout(timeout)


_TaskT = TypeVar("_TaskT")


class _Operations(Generic[_TaskT]):
    """The create-task methods, written once for both clients.

    Image inputs accept a path, bytes, or a file key (a `str` starting with `UPLOAD/`, or any
    `FileKey`). Local files are checked against the documented rules, masks against their image,
    and only then uploaded; any failure raises `InvalidInputError` before the first request.
    """

    def _create(
        self,
        operation: str,
        values: dict[str, Any],
        on_upload: ProgressCallback | None = None,
    ) -> _TaskT:
        raise NotImplementedError

    def try_on_accessories(
        self, *, model_image: ImageInput, model_mask: ImageInput, product_image: ImageInput
    ) -> _TaskT:
        """Place an accessory on a model inside the mask (2 results)."""
        return self._create(
            "try_on_accessories",
            {"model_image": model_image, "model_mask": model_mask, "product_image": product_image},
        )

    def try_on_apparel(
        self,
        *,
        model_image: ImageInput,
        top: ImageInput | None = None,
        bottom: ImageInput | None = None,
        one_piece: ImageInput | None = None,
    ) -> _TaskT:
        """Dress a model in exactly one garment (4 results)."""
        return self._create(
            "try_on_apparel",
            {"model_image": model_image, "top": top, "bottom": bottom, "one_piece": one_piece},
        )

    def swap_model(
        self,
        *,
        model_image: ImageInput,
        model_mask: ImageInput | None = None,
        model_id: str | None = None,
        scene_id: str | None = None,
        expression: str | None = None,
    ) -> _TaskT:
        """Replace the fashion model, keep the garment (4 results)."""
        return self._create(
            "swap_model",
            {
                "model_image": model_image,
                "model_mask": model_mask,
                "model_id": model_id,
                "scene_id": scene_id,
                "expression": expression,
            },
        )

    def replace_background(
        self,
        *,
        product_image: ImageInput,
        product_mask: ImageInput | None = None,
        replace_type: str | None = None,
        preset_background_id: str | None = None,
        custom_background_prompt: str | None = None,
        background_color: str | None = None,
        background_image: ImageInput | None = None,
        product_image_scale: float | None = None,
    ) -> _TaskT:
        """Replace the background; `replace_type` is inferred from the one background field
        given (a preset id alone means AI_BACKGROUND)."""
        return self._create(
            "replace_background",
            {
                "product_image": product_image,
                "product_mask": product_mask,
                "replace_type": replace_type,
                "preset_background_id": preset_background_id,
                "custom_background_prompt": custom_background_prompt,
                "background_color": background_color,
                "background_image": background_image,
                "product_image_scale": product_image_scale,
            },
        )

    def instruct_edit(
        self, *, image: ImageInput, prompt: str, ref_image: ImageInput | None = None
    ) -> _TaskT:
        """Edit an image following a text instruction (1 result)."""
        return self._create(
            "instruct_edit", {"image": image, "prompt": prompt, "ref_image": ref_image}
        )

    def segment_by_prompt(self, *, image: ImageInput, prompt: str) -> _TaskT:
        """Mask what the prompt names (1 result, free)."""
        return self._create("segment_by_prompt", {"image": image, "prompt": prompt})

    def segment_by_type(
        self,
        *,
        image: ImageInput,
        segment_type: str | None = None,
        expand_pixels: int | None = None,
    ) -> _TaskT:
        """Mask the subject of a segmentation type (1 result, free; images up to 2000 px)."""
        return self._create(
            "segment_by_type",
            {"image": image, "segment_type": segment_type, "expand_pixels": expand_pixels},
        )

    def image_to_video(
        self,
        *,
        image: ImageInput,
        prompt: str | None = None,
        audio_prompt: str | None = None,
        auto_audio: bool | None = None,
        model: str | None = None,
        video_duration: int | None = None,
    ) -> _TaskT:
        """Turn an image into a short video (1 result; download format mp4 by default)."""
        return self._create(
            "image_to_video",
            {
                "image": image,
                "prompt": prompt,
                "audio_prompt": audio_prompt,
                "auto_audio": auto_audio,
                "model": model,
                "video_duration": video_duration,
            },
        )

    def lifestyle_scene(
        self,
        *,
        product_image: ImageInput,
        product_mask: ImageInput | None = None,
        prompt: str | None = None,
    ) -> _TaskT:
        """Place a product in a generated scene (path and body inferred by the spec)."""
        return self._create(
            "lifestyle_scene",
            {"product_image": product_image, "product_mask": product_mask, "prompt": prompt},
        )

    def remove_background(self, *, image: ImageInput) -> _TaskT:
        """Cut out the subject of an image (1 result)."""
        return self._create("remove_background", {"image": image})

    def create(
        self, operation: str, /, *, on_upload: ProgressCallback | None = None, **inputs: Any
    ) -> _TaskT:
        """Create a task by operation name (`try_on_accessories`, `try-on-accessories` or
        `tryOnAccessories`), with the same inputs as the typed method. `on_upload(done, total)`
        reports the upload of each local file."""
        return self._create(find_operation(operation).name, inputs, on_upload)


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
        key, self._settings = _resolve_settings(
            api_key, base_url, max_retries, retry_policy, upload_mode, poll_interval, clock
        )
        self._key_hint = redact_key(key)
        self._owns_http = http_client is None
        self._http: _HttpT = http_client or self._new_http()
        # Opt-in (record_dir= or SELLERPIC_RECORD): every exchange as a redacted JSON line.
        _recording.install(self._http, record_dir, [key])
        _attach(
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
        return cast(_CreditsT, self._driver.run(_credits_steps(self._settings)))

    def presets(self, type: str, *, page: int = 1, page_size: int = 10) -> _PresetsT:
        steps = _presets_steps(self._settings, type, page, page_size)
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
