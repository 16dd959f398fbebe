"""Both upload flows (presigned PUT and multipart POST) and the file-key registry.

Bodies arrive as async chunk iterators and are counted as they come: an oversized body is
refused once the limit is crossed, without reading or buffering the rest.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sellerpic_spec import ImageRules, catalog
from sellerpic_spec.images import (
    ImageInfo,
    ImageRuleError,
    check_image,
    check_mask,
    inspect_image,
    inspect_image_file,
    normalise_format,
)

from ..clock import Clock
from ..signing import PresignedRefused, Signer, expired
from ..storage.db import Store, UploadRow
from ..storage.files import FileStore
from .accounts import Account
from .errors import ApiError, bad_request, too_large

#: Account id of the built-in sample files every account may use (the docs' sample keys).
SAMPLE_OWNER = 0
# Multipart framing (boundaries, part headers) around a file at the 40 MB limit.
_MULTIPART_SLACK = 64 * 1024
#: Mask verdicts kept before the cache starts over.
_MAX_MASK_VERDICTS = 4096


@dataclass(frozen=True)
class IssuedUpload:
    file_key: str
    image_url: str


def rule_error(error: ImageRuleError, field: str = "file") -> ApiError:
    """400 naming the field and the rule, or 413 when the rule is the size limit."""
    message = f"{field}: {error.rule}: {error.message}"
    return too_large(message) if error.rule == "size" else bad_request(message)


class Uploads:
    def __init__(self, store: Store, files: FileStore, signer: Signer, clock: Clock) -> None:
        self._store = store
        self._files = files
        self._signer = signer
        self._clock = clock
        #: file key -> (image width, height) -> the mask rule broken ((rule, message)) or None.
        self._mask_verdicts: dict[str, dict[tuple[int, int], tuple[str, str] | None]] = {}

    def _new_key(self, account: Account, extension: str) -> str:
        day = time.strftime("%Y/%m/%d", time.gmtime(self._clock.now()))
        return f"UPLOAD/{account.id}/{day}/{secrets.token_hex(16)}.{extension}"

    # --- presigned flow ------------------------------------------------------------------
    def issue_url(self, account: Account, fmt: str, base_url: str, expired: bool) -> IssuedUpload:
        formats = catalog().upload_formats
        if fmt not in formats:
            raise bad_request(f"format: must be one of {', '.join(formats)}")
        now = self._clock.now()
        key = self._new_key(account, fmt)
        self._store.insert_upload(UploadRow(key, account.id, fmt, False, 0, 0, 0, now))
        # The expired-url fault hands out a URL that is already past its time.
        lifetime = catalog().url_lifetime("getUploadUrl")
        issued = now - lifetime - 1 if expired else now
        path = self._signer.presign("PUT", key, issued, lifetime)
        return IssuedUpload(key, f"{base_url}{path}")

    def _pending(self, key: str, query: Mapping[str, str], force_expired: bool) -> UploadRow:
        """The reserved upload a presigned PUT may write, or PresignedRefused (403)."""
        now = self._clock.now()
        grant = self._signer.verify("PUT", key, query, now)
        if force_expired:
            raise expired(grant.expires_in, grant.expires_at, now)
        row = self._store.upload(key)
        if row is None:
            # Signed by this simulator, but for a key its store no longer holds.
            raise PresignedRefused("AccessDenied", "Access Denied")
        return row

    async def receive_presigned(
        self,
        key: str,
        query: Mapping[str, str],
        chunks: AsyncIterator[bytes],
        force_expired: bool = False,
    ) -> None:
        """Store the body of a PUT to the presigned URL of `key` (its path) with `query`."""
        row = self._pending(key, query, force_expired)
        rules = catalog().upload_rules("uploadFile")
        limit = rules.max_bytes
        target = self._files.upload_path(row.file_key)
        fd, tmp = self._files.temp_file(target)
        try:
            size = 0
            with os.fdopen(fd, "wb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > limit:
                        raise too_large(
                            f"file: size: more than {limit} bytes; the limit is "
                            f"{limit // (1024 * 1024)} MB"
                        )
                    handle.write(chunk)
            # Checked from the file: reading it back whole would hold the upload in memory.
            self._check(tmp, row.format, rules)
            os.replace(tmp, target)
            self._mask_verdicts.pop(row.file_key, None)
        finally:
            tmp.unlink(missing_ok=True)
        info = inspect_image_file(target)
        self._store.mark_stored(row.file_key, info.width, info.height, info.size)

    # --- multipart flow ------------------------------------------------------------------
    async def receive_multipart(
        self, account: Account, content_type: str, chunks: AsyncIterator[bytes]
    ) -> str:
        boundary = _boundary(content_type)
        rules = catalog().upload_rules("uploadAssetFile")
        limit = rules.max_bytes + _MULTIPART_SLACK
        parts: list[bytes] = []
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise too_large(f"file: size: the upload limit is {rules.max_bytes // 2**20} MB")
            parts.append(chunk)
        filename, data = _file_part(b"".join(parts), boundary)
        declared = Path(filename).suffix.lower().lstrip(".")
        known = declared if declared in catalog().upload_formats else None
        info = self._check(data, known, rules)
        key = self._new_key(account, info)
        self._files.write_atomic(self._files.upload_path(key), data)
        meta = inspect_image(data)
        self._store.insert_upload(
            UploadRow(
                key, account.id, info, True, meta.width, meta.height, meta.size, self._clock.now()
            )
        )
        return key

    @staticmethod
    def _check(data: bytes | Path, declared: str | None, rules: ImageRules) -> str:
        """Apply the shared image rules; returns the extension of the real format."""
        try:
            info = inspect_image_file(data) if isinstance(data, Path) else inspect_image(data)
            check_image(info, rules, expected_format=declared)
        except ImageRuleError as exc:
            raise rule_error(exc) from None
        if declared and normalise_format(declared) == info.format:
            return declared
        extension: str = info.extension
        return extension

    # --- registry ------------------------------------------------------------------------
    def owned(self, account: Account, keys: list[tuple[str, str]]) -> dict[str, UploadRow]:
        """field -> the stored upload behind each (field, file key) the account may use; the
        first field whose key it may not use is a 400 naming it."""
        rows = self._store.uploads([key for _, key in keys])
        found = {}
        for field, file_key in keys:
            row = rows.get(file_key)
            if row is None or row.account_id not in (account.id, SAMPLE_OWNER):
                raise bad_request(f"{field}: file key not found: {file_key}")
            if not row.stored:
                raise bad_request(f"{field}: nothing was uploaded to this file key yet: {file_key}")
            found[field] = row
        return found

    def path(self, file_key: str) -> Path:
        return self._files.upload_path(file_key)

    def check_mask(self, mask: UploadRow, image: ImageInfo) -> None:
        """`check_mask` on a stored mask, decoded once per key and image size: create requests
        reuse the same masks, and decoding one costs more than the rest of a create. The verdict
        is dropped when the key's file is replaced."""
        verdicts = self._mask_verdicts.setdefault(mask.file_key, {})
        size = (image.width, image.height)
        if size not in verdicts:
            if sum(len(v) for v in self._mask_verdicts.values()) > _MAX_MASK_VERDICTS:
                self._mask_verdicts.clear()
                verdicts = self._mask_verdicts.setdefault(mask.file_key, {})
            try:
                check_mask(self.path(mask.file_key).read_bytes(), image)
                verdicts[size] = None
            except ImageRuleError as exc:
                verdicts[size] = (exc.rule, exc.message)
        broken = verdicts[size]
        if broken is not None:
            raise ImageRuleError(*broken)

    def install_sample(self, file_key: str, data: bytes) -> None:
        """Register a built-in sample file (the docs' UPLOAD/MANAGE/SAMPLE keys)."""
        if self._store.upload(file_key) is not None:
            return
        info = inspect_image(data)
        self._files.write_atomic(self._files.upload_path(file_key), data)
        self._store.insert_upload(
            UploadRow(
                file_key,
                SAMPLE_OWNER,
                info.extension,
                True,
                info.width,
                info.height,
                info.size,
                0.0,
            )
        )


def _boundary(content_type: str) -> bytes:
    media, _, rest = content_type.partition(";")
    if media.strip().lower() != "multipart/form-data":
        raise bad_request("Content-Type: must be multipart/form-data with a field named file")
    for param in rest.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1")
    raise bad_request("Content-Type: multipart boundary missing")


def _file_part(body: bytes, boundary: bytes) -> tuple[str, bytes]:
    """Find the part named `file`; returns its filename and bytes."""
    delimiter = b"--" + boundary
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers = head.decode("latin-1").lower()
        original = head.decode("latin-1")
        if 'name="file"' not in headers:
            continue
        if content.endswith(b"\r\n"):
            content = content[:-2]
        filename = ""
        marker = 'filename="'
        start = headers.find(marker)
        if start >= 0:
            end = original.find('"', start + len(marker))
            filename = original[start + len(marker) : end]
        return filename, content
    raise bad_request("file: field required (multipart part named file)")
