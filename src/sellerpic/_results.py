"""Where a downloaded result goes and what counts as one.

A result is streamed into a temporary file beside its destination and moved into place only
once it is complete, no larger than `MAX_RESULT_BYTES` once decoded, and really of the format
that was asked for. Nothing the server sends chooses a path: the caller builds the file name
from checked parts and `inside` refuses any destination outside the output folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from sellerpic_spec.images import sniff_format

from .errors import InvalidInputError, ServerError

#: The largest result accepted, counted in decoded bytes (a gzip-encoded answer is counted after
#: decoding). Results of this API are images up to 4096 px per side and short videos, far below.
MAX_RESULT_BYTES = 512 * 1024 * 1024

#: What the first bytes of each download format must be (names as `images.sniff_format` gives).
_SIGNATURES = {
    "png": "png",
    "jpg": "jpeg",
    "webp": "webp",
    "gif": "gif",
    "mp4": "heif-or-mp4",  # ISO base media: `ftyp` at offset 4
}
#: The Pillow format name of each image download format, for its `verify()`.
_PILLOW_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP", "gif": "GIF"}


class BadResultError(ServerError):
    """The server sent something that is not the result asked for (wrong format, empty,
    damaged, too large). Nothing was kept; the download is tried once more with a new URL."""


def inside(directory: Path, name: str) -> Path:
    """`directory / name`, refused unless it resolves to a file directly inside `directory`."""
    base = directory.resolve()
    dest = (base / name).resolve()
    if dest.parent != base or name in ("", ".", ".."):
        raise InvalidInputError(
            f"refusing to write {name!r}: it would land outside the output folder {base}",
            field="output",
        )
    return directory / name


def check_result(path: Path, fmt: str) -> None:
    """Raise `BadResultError` unless the file at `path` is a readable `fmt` file."""
    with path.open("rb") as handle:
        head = handle.read(32)
    if not head:
        raise BadResultError(f"the download is empty, not a {fmt} file")
    found = sniff_format(head)
    expected = _SIGNATURES.get(fmt)
    if expected is not None and found != expected:
        what = found or _describe(head)
        raise BadResultError(f"the download is {what}, not a {fmt} file")
    pillow_format = _PILLOW_FORMATS.get(fmt)
    if pillow_format is None:
        return
    # Imported here: only a finished image download needs the decoder.
    from PIL import Image

    try:
        with Image.open(path, formats=[pillow_format]) as img:
            img.verify()
    except Exception as exc:  # Pillow raises many kinds for damaged data
        raise BadResultError(f"the download is a damaged {fmt} file ({exc})") from None


def _describe(head: bytes) -> str:
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<")):
        return "HTML or XML text"
    if text.startswith((b"{", b"[")):
        return "JSON text"
    return "not a recognised file"


def _process_alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill would end the process there; keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


class PartialFile:
    """A temp file beside the destination, renamed into place only once complete and checked.

    Its name carries the process id (`.NAME.<pid>.<random>.part`), so two processes (or two
    downloads in one process) writing the same result never share a temp file, and a leftover
    is removed only when the process that wrote it is gone. It is created with mode 0o666, so
    the kernel applies the umask (and any default ACL) as for any other new file.
    """

    def __init__(
        self,
        dest: Path,
        total: int | None,
        on_progress: Callable[[int, int | None], None] | None,
        max_bytes: int | None = None,
    ) -> None:
        max_bytes = MAX_RESULT_BYTES if max_bytes is None else max_bytes
        if total is not None and total > max_bytes:
            raise BadResultError(
                f"the download announces {total} bytes; results are limited to {max_bytes}"
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        self._prefix = f".{dest.name}."
        while True:
            tmp = dest.with_name(f"{self._prefix}{os.getpid()}.{secrets.token_hex(4)}.part")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
            except FileExistsError:
                continue
            break
        self._file = os.fdopen(fd, "wb")
        self._tmp = tmp
        self._dest = dest
        self._done = 0
        self._total = total
        self._max_bytes = max_bytes
        self._on_progress = on_progress

    def write(self, chunk: bytes) -> None:
        self._done += len(chunk)
        if self._done > self._max_bytes:
            raise BadResultError(
                f"the download exceeds {self._max_bytes} bytes once decoded; "
                "results are limited to that size"
            )
        self._file.write(chunk)
        if self._on_progress:
            self._on_progress(self._done, self._total)

    def commit(self, check: Callable[[Path], None] | None = None) -> None:
        """Flush, check the complete file with `check`, then move it into place."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if check is not None:
            check(self._tmp)
        os.replace(self._tmp, self._dest)
        self._remove_orphans()

    def abort(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def _remove_orphans(self) -> None:
        """A process killed mid-download (SIGKILL, power loss) cannot run abort(): its
        partial file stays behind. Once this result is complete, remove the partial files of
        it whose process is gone; those of running processes are theirs to remove."""
        pattern = f"{glob.escape(self._prefix)}*.part"
        for stale in self._dest.parent.glob(pattern):
            pid_text = stale.name[len(self._prefix) :].split(".", 1)[0]
            if pid_text.isdigit() and (
                int(pid_text) == os.getpid() or _process_alive(int(pid_text))
            ):
                continue
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()


_O_BINARY: int = getattr(os, "O_BINARY", 0)
