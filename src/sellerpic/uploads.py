"""Uploading input images: local checks first, then one of the two upload flows.

* `presigned` (API 1.0.0): `getUploadUrl` reserves a file key and a presigned URL; the bytes are
  PUT there with plain httpx, without the API key, as `application/octet-stream`. A 403 means
  the URL expired (30 minutes): a new URL is requested and the PUT tried once more.
* `multipart` (API 1.0.1): `uploadAssetFile` posts the file as `multipart/form-data`.

What is a file key: a `FileKey` instance, or a `str` starting with `UPLOAD/` (the prefix of
every uploaded file and of the vendor's sample files). Any other `str`, and every `Path`, is a
local file. Wrap keys with other prefixes (e.g. a previous task's output) in `FileKey(...)`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO, Literal

from sellerpic_client.api.upload import get_upload_url, upload_asset_file
from sellerpic_client.models import UploadAssetFileRequest, UploadFormat
from sellerpic_client.types import File
from sellerpic_spec import ImageRules, images

from ._effects import ProgressCallback, PutBytes, Steps, api_call
from ._envelope import envelope_data
from ._logging import log
from ._redaction import loggable_url
from ._request import call_api
from ._retry import RetryPolicy
from .errors import InvalidInputError, PermissionDeniedError, ServerError

UploadMode = Literal["presigned", "multipart"]
UPLOAD_MODES: tuple[UploadMode, ...] = ("presigned", "multipart")
FILE_KEY_PREFIXES = ("UPLOAD/",)

Source = str | Path | bytes | BinaryIO


class FileKey(str):
    """Marks a string as a file key already stored server-side, whatever its prefix."""


def is_file_key(value: object) -> bool:
    """See the module docstring for the rule."""
    if isinstance(value, FileKey):
        return True
    return isinstance(value, str) and value.startswith(FILE_KEY_PREFIXES)


@dataclass(frozen=True)
class PreparedImage:
    """An input that passed the local checks, with what the upload needs: its bytes, or the
    path of a local file, which the presigned upload streams from disk."""

    source: bytes | Path
    info: images.ImageInfo
    label: str

    @property
    def data(self) -> bytes:
        return self.source if isinstance(self.source, bytes) else self.source.read_bytes()

    @property
    def extension(self) -> str:
        return self.info.extension


def _label(source: Source) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    if isinstance(source, bytes):
        return "<bytes>"
    return str(getattr(source, "name", "<file object>"))


def read_input(source: Source, label: str) -> bytes:
    try:
        return images.read_source(source)
    except FileNotFoundError:
        raise InvalidInputError(f"{label}: no such file", rule="missing", field=label) from None
    except (OSError, TypeError) as exc:
        raise InvalidInputError(
            f"{label}: cannot read ({exc})", rule="unreadable", field=label
        ) from None


def prepare_image(
    source: Source,
    *,
    field: str = "file",
    rules: ImageRules | None = None,
    mask_for: PreparedImage | None = None,
) -> PreparedImage:
    """Run the documented image (and mask) rules on a local file; raise before any request.
    `rules`: an operation's (`Operation.image_rules`), else the common rules of task inputs."""
    label = _label(source)
    # A local image is checked from its header and later streamed: never read whole.
    data: bytes | Path
    if isinstance(source, (str, Path)) and mask_for is None:
        data = Path(source)
    else:
        data = read_input(source, label)
    with rule_errors_as_invalid_input(field, label):
        info = _inspect(data, label)
        images.check_image(info, rules)
        if mask_for is not None:
            assert isinstance(data, bytes)
            images.check_mask(data, mask_for.info)
    return PreparedImage(data, info, label)


@contextmanager
def rule_errors_as_invalid_input(field: str, label: str) -> Iterator[None]:
    """Report a broken image rule as the caller's input error, naming the field and the file."""
    try:
        yield
    except images.ImageRuleError as exc:
        raise InvalidInputError(
            f"{field} ({label}) breaks the {exc.rule} rule: {exc.message}",
            rule=exc.rule,
            field=field,
        ) from None


def _inspect(data: bytes | Path, label: str) -> images.ImageInfo:
    if isinstance(data, bytes):
        return images.inspect_image(data)
    try:
        return images.inspect_image_file(data)
    except FileNotFoundError:
        raise InvalidInputError(f"{label}: no such file", rule="missing", field=label) from None
    except OSError as exc:
        raise InvalidInputError(
            f"{label}: cannot read ({exc})", rule="unreadable", field=label
        ) from None


def prepare_mask_alone(source: Source, *, field: str) -> PreparedImage:
    """A mask whose image is a file key: only black-and-white can be checked, not the size."""
    prepared = prepare_image(source, field=field)
    with rule_errors_as_invalid_input(field, prepared.label):
        images.check_mask(prepared.data, prepared.info)
    return prepared


_MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def upload_steps(
    image: PreparedImage,
    mode: UploadMode,
    policy: RetryPolicy,
    on_progress: ProgressCallback | None = None,
) -> Steps[str]:
    """Upload a checked image and return its file key."""
    if mode == "multipart":
        return (yield from _upload_multipart(image, policy, on_progress))
    return (yield from _upload_presigned(image, policy, on_progress))


def _upload_multipart(
    image: PreparedImage, policy: RetryPolicy, on_progress: ProgressCallback | None
) -> Steps[str]:
    def request() -> object:
        # A fresh BytesIO per attempt: a consumed stream would re-send nothing.
        body = UploadAssetFileRequest(
            file=File(
                payload=io.BytesIO(image.data),
                file_name=f"upload.{image.extension}",
                mime_type=_MIME.get(image.extension, "application/octet-stream"),
            )
        )
        return api_call("uploadAssetFile", upload_asset_file, body=body)

    raw = yield from call_api(request, "uploadAssetFile", policy)  # type: ignore[arg-type]
    if on_progress:
        on_progress(len(image.data), len(image.data))
    return _file_key(envelope_data(raw), "uploadAssetFile")


def _upload_presigned(
    image: PreparedImage, policy: RetryPolicy, on_progress: ProgressCallback | None
) -> Steps[str]:
    for attempt in range(2):
        raw = yield from call_api(
            lambda: api_call("getUploadUrl", get_upload_url, format_=UploadFormat(image.extension)),
            "getUploadUrl",
            policy,
        )
        data = envelope_data(raw)
        key, url = _file_key(data, "getUploadUrl"), data.get("imageUrl")
        if not isinstance(url, str) or not url:
            raise ServerError("getUploadUrl answered without an imageUrl")
        try:
            yield from call_api(
                partial(PutBytes, url, image.source, "application/octet-stream", on_progress),
                f"PUT {loggable_url(url)}",
                policy,
                plain=True,
            )
        except PermissionDeniedError:
            if attempt == 1:
                raise
            # The presigned URL expired (valid 30 minutes) or was rejected: get a new one.
            log.info("presigned URL refused with 403; requesting a new one")
            continue
        return key
    raise AssertionError("unreachable")


def _file_key(data: dict[str, object], what: str) -> str:
    key = data.get("fileKey")
    if not isinstance(key, str) or not key:
        raise ServerError(f"{what} answered without a fileKey")
    return key
