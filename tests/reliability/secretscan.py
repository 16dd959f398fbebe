"""Look for API keys in log records, exception texts and reprs.

Suites that care use keys that contain `SECRET` (e.g. `sk-live-SECRET-...`), so a match is never
a coincidence. `SecretScan.install()` adds a root logging handler that formats every record at
DEBUG level (message, arguments and traceback) and checks it.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

#: Any key of the shape the reliability suites use.
SECRET_PATTERN = re.compile(r"sk-[A-Za-z]+-SECRET-[A-Za-z0-9-]+")


class SecretScan:
    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.keys = [k for k in keys if k]
        self.problems: list[str] = []
        self.checked = 0

    def _forms(self) -> Iterator[str]:
        """Each key as it may appear: as given, without the whitespace a `.env` adds, and
        escaped the way repr() and JSON write control characters (`\\r`, `\\u0000`)."""
        for key in self.keys:
            yield key
            for form in (key.strip(), key.encode("unicode_escape").decode("ascii")):
                if form and form != key:
                    yield form
            yield json.dumps(key)[1:-1]
            # The printable run before the first control character is the key, too.
            head = re.split(r"[\x00-\x20\x7f]", key.strip(), maxsplit=1)[0]
            if len(head) >= 12:
                yield head

    def findings(self, where: str, text: str) -> list[str]:
        self.checked += 1
        found = [k for k in self._forms() if k in text]
        found += [m for m in SECRET_PATTERN.findall(text) if m not in found]
        return [f"API key found in {where}: {text[:200]!r}" for _ in found[:1]]

    def check_text(self, text: str, where: str) -> None:
        self.problems.extend(self.findings(where, text))

    def check_json(self, text: str, where: str) -> None:
        """`--json` output: the text as printed, and every string in it once decoded (JSON
        escapes control and non-ASCII characters, which a plain search would miss)."""
        self.check_text(text, where)
        try:
            document = json.loads(text)
        except ValueError:
            self.problems.append(f"{where} is not JSON: {text[:200]!r}")
            return
        for value in _strings(document):
            self.check_text(value, f"{where} (decoded)")

    def check_exception(self, exc: BaseException) -> None:
        self.check_text(str(exc), f"str({type(exc).__name__})")
        self.check_text(repr(exc), f"repr({type(exc).__name__})")
        self.check_text("".join(traceback.format_exception(exc)), "formatted traceback")
        for name, value in vars(exc).items():
            self.check_text(repr(value), f"{type(exc).__name__}.{name}")

    def install(self, debug: bool = False) -> logging.Handler:
        """Add the checking handler to the root logger; `debug` also lowers the root level so
        DEBUG and INFO records are produced at all (scripts; tests use caplog.set_level)."""
        handler = _ScanHandler(self)
        root = logging.getLogger()
        root.addHandler(handler)
        if debug:
            root.setLevel(logging.DEBUG)
        return handler


def _strings(document: Any) -> Iterator[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from _strings(value)


class _ScanHandler(logging.Handler):
    def __init__(self, scan: SecretScan) -> None:
        super().__init__(logging.DEBUG)
        self.scan = scan
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            text = f"{record.msg!r} {record.args!r}"
        self.scan.check_text(text, f"log record {record.name}")
