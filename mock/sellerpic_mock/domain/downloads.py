"""Download URLs for results, and the rendered files behind them.

Results are rendered on first download (never on a status call) and kept in the data dir, so
polling stays cheap and each format is drawn once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from sellerpic_spec import catalog

from ..clock import Clock
from ..rendering.formats import CONTENT_TYPES, encode_image
from ..rendering.results import RenderJob, render_image
from ..rendering.video import EncoderMissing, encode, frames
from ..signing import PresignedRefused, Signer, expired
from ..storage.db import ResultRow, Store, TaskRow
from ..storage.files import FileStore
from .accounts import Account
from .errors import ApiError, bad_request, not_found
from .lifecycle import SUCCESS, Lifecycle
from .presets import Presets
from .uploads import Uploads

#: The object key of a result file:
#: `RESULT/<account>/<yyyy>/<mm>/<dd>/<task>_output_<i>[-uhd].<fmt>`.
RESULT_KEY = re.compile(
    r"RESULT/(?P<account>\d+)/\d{4}/\d{2}/\d{2}/"
    r"(?P<task>\d+)_output_(?P<idx>\d+)(?P<uhd>-uhd)?\.(?P<fmt>[a-z0-9]+)"
)


@dataclass(frozen=True)
class DownloadLink:
    name: str
    status: str
    file_url: str
    error_msg: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "fileUrl": self.file_url,
            "errorMsg": self.error_msg,
        }


def default_format(kind: str) -> str:
    """The format of a result's file key and status URL (the spec's first for its kind)."""
    return catalog().result_formats(kind)[0]


def result_name(task: TaskRow, result: ResultRow, fmt: str) -> str:
    return f"{task.id}_output_{result.idx}.{fmt}"


def result_key(task: TaskRow, result: ResultRow, fmt: str | None = None, uhd: bool = False) -> str:
    """The object key of a result in `fmt` (its default format if None); the path of its URLs."""
    day = time.strftime("%Y/%m/%d", time.gmtime(task.finish_at))
    name = result_name(task, result, fmt or default_format(result.kind))
    if uhd and result.kind == "image":
        stem, _, ext = name.rpartition(".")
        name = f"{stem}-uhd.{ext}"
    return f"RESULT/{task.account_id}/{day}/{name}"


class Downloads:
    def __init__(
        self,
        store: Store,
        files: FileStore,
        signer: Signer,
        clock: Clock,
        lifecycle: Lifecycle,
        uploads: Uploads,
        presets: Presets,
    ) -> None:
        self._store = store
        self._files = files
        self._signer = signer
        self._clock = clock
        self._lifecycle = lifecycle
        self._uploads = uploads
        self._presets = presets

    def _path(self, task: TaskRow, result: ResultRow, fmt: str, uhd: bool, issued: float) -> str:
        """Path and query of a presigned GET of the result, valid from `issued` for as long as
        getDownloadUrl's URLs live (the spec's x-url-lifetime)."""
        key = result_key(task, result, fmt, uhd)
        lifetime = catalog().url_lifetime("getDownloadUrl")
        return self._signer.presign("GET", key, issued, lifetime)

    def status_url(self, task: TaskRow, key: str, base_url: str) -> str:
        """The URL of a status item: a presigned GET of the result's `key` (its file key).
        Signed at the finish time, so every poll shows the same URL without a write."""
        lifetime = catalog().url_lifetime("getTaskStatus")
        return base_url + self._signer.presign("GET", key, task.finish_at, lifetime)

    def issue(
        self,
        account: Account,
        result_id: str,
        fmt: str,
        uhd: bool,
        base_url: str,
        expired: bool = False,
    ) -> DownloadLink:
        # Settling the task and remembering the URL commit together.
        with self._store.transaction():
            return self._issue(account, result_id, fmt, uhd, base_url, expired)

    def _issue(
        self, account: Account, result_id: str, fmt: str, uhd: bool, base_url: str, expired: bool
    ) -> DownloadLink:
        result = self._store.result(result_id)
        task = None if result is None else self._store.task(result.task_id)
        if result is None or task is None or task.account_id != account.id:
            raise not_found(f"Record Not Found: no result with id {result_id}")
        now = self._clock.now()
        if self._lifecycle.settle_if_due(task, now):
            result = self._store.result(result_id) or result
        status = self._lifecycle.status(task, result, now)
        if status != SUCCESS:
            raise bad_request(f"id: result is {status}; only SUCCESS results can be downloaded")
        allowed = catalog().result_formats(result.kind)
        if fmt not in allowed:
            raise bad_request(
                f"downloadFormat: {fmt} is not available for a {result.kind} result; "
                f"use one of {', '.join(allowed)}"
            )
        name = result_name(task, result, fmt)
        lifetime = catalog().url_lifetime("getDownloadUrl")
        if expired:
            # The expired-url fault: a URL that is already past its time, not remembered.
            issued = now - lifetime - 1
            return DownloadLink(name, status, base_url + self._path(task, result, fmt, uhd, issued))
        existing = self._store.download(result_id, fmt, uhd)
        if existing is not None and existing[1] > now:
            path = existing[0]
        else:
            # The same URL for 12 hours (1.0.1): remembered with the moment it stops working.
            path = self._path(task, result, fmt, uhd, now)
            self._store.put_download(result_id, fmt, uhd, path, int(now) + lifetime)
        return DownloadLink(name, status, base_url + path)

    def open(
        self, key: str, query: Mapping[str, str], force_expired: bool = False
    ) -> tuple[Path, str]:
        """The file behind a presigned GET of `key`, rendered on first use. Runs in a worker
        thread. Refusals are S3's: PresignedRefused (403, or 404 for a key that names nothing)."""
        now = self._clock.now()
        grant = self._signer.verify("GET", key, query, now)
        if force_expired:
            raise expired(grant.expires_in, grant.expires_at, now)
        found = RESULT_KEY.fullmatch(key)
        task = None if found is None else self._store.task(found["task"])
        results = [] if task is None else self._store.results(task.id)
        result = next((r for r in results if found and r.idx == int(found["idx"])), None)
        if found is None or task is None or result is None:
            raise PresignedRefused("NoSuchKey", "The specified key does not exist.", status=404)
        fmt, uhd = found["fmt"], bool(found["uhd"])
        return self.rendered(task, result, fmt, uhd), CONTENT_TYPES[fmt]

    def rendered(self, task: TaskRow, result: ResultRow, fmt: str, uhd: bool) -> Path:
        """The result's file in `fmt`, rendered and kept on first use."""
        suffix = "-uhd" if uhd and result.kind == "image" else ""
        path = self._files.result_path(f"{result.id}{suffix}.{fmt}")
        if not path.exists():
            self._files.write_atomic(path, self._render(task, result, fmt, uhd))
        return path

    def _job(self, task: TaskRow, result: ResultRow) -> RenderJob:
        body: dict[str, Any] = orjson.loads(task.params)
        facts = catalog().operation(task.operation)
        inputs: dict[str, Path] = {}
        for field, key in facts.file_keys(body):
            inputs[field] = self._uploads.path(key)
        presets: dict[str, bytes] = {}
        for field, kind in facts.presets_in(body):
            presets[field] = self._presets.image(kind, str(body[field]))
        return RenderJob(task.operation, body, inputs, presets, result.idx)

    def _render(self, task: TaskRow, result: ResultRow, fmt: str, uhd: bool) -> bytes:
        job = self._job(task, result)
        if result.kind == "video":
            # Videos are served at their rendered size; uhd applies to images only.
            try:
                return encode(frames(job), fmt)
            except EncoderMissing as exc:
                # Not the API's behaviour but this install's: say so, and what to install.
                raise ApiError(501, str(exc), 501) from None
        return encode_image(render_image(job), fmt, uhd)
