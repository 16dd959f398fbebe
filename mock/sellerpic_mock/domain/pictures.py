"""The pictures the inspector shows: a task's inputs and its results, whole or as thumbnails.

Inputs are the uploaded files the task's body names; results are rendered as a download would
render them (and kept, so a later download reuses the file). Thumbnails are small PNGs made on
request: the inspector is a developer's page, not a hot path.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
from PIL import Image

from sellerpic_spec import catalog

from ..rendering.formats import CONTENT_TYPES
from ..storage.db import Store
from .downloads import Downloads, default_format
from .errors import bad_request, not_found
from .lifecycle import SUCCESS, Lifecycle
from .uploads import Uploads

THUMBNAIL_PX = 160


def task_inputs(operation: str, params: str) -> list[tuple[str, str]]:
    """(field, file key) of every file the task's body refers to (the spec's file-key
    fields of its operation)."""
    body: Any = orjson.loads(params)
    return catalog().operation(operation).file_keys(body) if isinstance(body, dict) else []


def thumbnail(path: Path) -> bytes:
    with Image.open(path) as picture:
        picture.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        small = picture.convert("RGBA") if picture.mode not in ("RGB", "RGBA") else picture
        buffer = io.BytesIO()
        small.save(buffer, format="PNG")
    return buffer.getvalue()


class Pictures:
    def __init__(
        self, store: Store, uploads: Uploads, downloads: Downloads, lifecycle: Lifecycle
    ) -> None:
        self._store = store
        self._uploads = uploads
        self._downloads = downloads
        self._lifecycle = lifecycle

    def upload(self, file_key: str) -> tuple[Path, str]:
        """An uploaded file (any account's: the inspector sees everything) and its type."""
        # Only a key the store holds becomes a path: nothing else names a file.
        row = self._store.upload(file_key)
        path = None if row is None else self._uploads.path(file_key)
        if row is None or path is None or not path.exists():
            raise not_found(f"upload {file_key!r}: no such uploaded file")
        return path, CONTENT_TYPES.get(row.format, "application/octet-stream")

    def result(self, result_id: str) -> tuple[Path, str]:
        """A SUCCESS result in its default format, rendered on first use."""
        result = self._store.result(result_id)
        task = None if result is None else self._store.task(result.task_id)
        if result is None or task is None:
            raise not_found(f"result {result_id}: no such result")
        status = self._lifecycle.status(task, result, self._lifecycle.now())
        if status != SUCCESS:
            raise bad_request(f"result {result_id} is {status}; only SUCCESS results have a file")
        fmt = default_format(result.kind)
        return self._downloads.rendered(task, result, fmt, False), CONTENT_TYPES[fmt]
