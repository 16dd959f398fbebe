"""The request journal: every request to the API surface, newest last, in a bounded deque.

Entries are recorded at the ASGI boundary (`JournalMiddleware`), so the journal sees what the
client saw (the status, or a dropped connection) and, from the route's own answer, what the
request did (the task it created or read, the credits it moved), even when a fault lost that
answer. No key is kept (only the account id). A request only adds a tuple of what it saw;
its entry, the path's tokens and signatures redacted, is worked out when the journal is read,
so no secret leaves the process through the journal. It lives in memory only.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..clock import Clock
from ..domain.meter import Meter, current_meter
from ..routes.common import ACCOUNT_KEY, CREATED_KEY
from ..scope import fault_label, mark_operation
from ..spec import CREATE_PREFIX
from .operations import OperationNames

#: Entries kept before the oldest are dropped (`--journal-size`).
DEFAULT_JOURNAL_SIZE = 10_000
#: Seconds of simulated time within which a create equal to an earlier one of the same account
#: is marked as a suspected duplicate (`--duplicate-window`).
DEFAULT_DUPLICATE_WINDOW_S = 600.0
#: Earlier creates remembered for the duplicate check, whatever the window.
MAX_REMEMBERED_CREATES = 10_000
#: Create bodies larger than this are not kept in the entry (they are still compared).
MAX_KEPT_BODY_BYTES = 16 * 1024

#: Set by the simulator: the route's own answer (a Response).
ANSWER_KEY = "sellerpic_mock.answer"
REDACTED = "REDACTED"

#: Query parameters whose value is a credential: names with one of these words, or these names.
_SECRET_NAME = re.compile(r"signature|credential|token|secret|password|api[_-]?key", re.IGNORECASE)
_SECRET_NAMES = frozenset({"sig", "key"})
#: Any of those words anywhere in a query: only such a query is looked at parameter by parameter.
_SECRET_HINT = re.compile(rb"sig|key|token|credential|secret|password", re.IGNORECASE)
#: Path segments that carry a capability: the presigned routes' tokens, or anything this long.
_TOKEN_ROUTES = ("presigned", "files")
_LONG_SEGMENT = 40
_STATUS_ID = re.compile(rb"(?:^|&)id=([^&]*)")


def redact(path: str, query: bytes) -> str:
    """The path and query with tokens and signatures replaced by REDACTED."""
    if len(path) >= _LONG_SEGMENT or path.startswith(("/presigned/", "/files/")):
        segments = path.split("/")
        for index, segment in enumerate(segments):
            after_token_route = index > 0 and segments[index - 1] in _TOKEN_ROUTES
            if len(segment) >= _LONG_SEGMENT or (after_token_route and segment):
                segments[index] = REDACTED
        path = "/".join(segments)
    if not query:
        return path
    text = query.decode("latin-1")
    if _SECRET_HINT.search(query) is None:
        return f"{path}?{text}"
    params = text.split("&")
    for index, param in enumerate(params):
        name = param.partition("=")[0]
        if name.lower() in _SECRET_NAMES or _SECRET_NAME.search(name):
            params[index] = f"{name}={REDACTED}"
    return f"{path}?{'&'.join(params)}"


@dataclass(slots=True)
class Entry:
    id: int
    wall_time: float
    sim_time: float
    method: str
    path: str
    operation: str | None
    status: int | None
    code: int | None
    account_id: int | None
    task_id: str | None
    credits_charged: int
    credits_refunded: int
    duration_ms: float
    fault: str | None
    suspected_duplicate_of: str | None = None
    body: Any = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "wall_time": self.wall_time,
            "sim_time": self.sim_time,
            "method": self.method,
            "path": self.path,
            "operation": self.operation,
            "status": self.status,
            "code": self.code,
            "account_id": None if self.account_id is None else str(self.account_id),
            "task_id": self.task_id,
            "credits_charged": self.credits_charged,
            "credits_refunded": self.credits_refunded,
            "duration_ms": round(self.duration_ms, 3),
            "fault": self.fault,
            "suspected_duplicate_of": self.suspected_duplicate_of,
            "body": self.body,
        }


@dataclass(frozen=True)
class Query:
    """Filters of `Journal.entries`; None matches everything."""

    operation: str | None = None
    account_id: int | None = None
    #: An HTTP status (200), a class ("4xx"), or "dropped" for answers never sent.
    status: str | None = None
    #: Entries recorded at or after this wall-clock time (epoch seconds).
    since: float | None = None
    #: Entries with an id greater than this, to read the journal incrementally.
    after: int | None = None
    limit: int | None = None

    def matches(self, entry: Entry) -> bool:
        if self.operation is not None and entry.operation != self.operation:
            return False
        if self.account_id is not None and entry.account_id != self.account_id:
            return False
        if self.since is not None and entry.wall_time < self.since:
            return False
        if self.after is not None and entry.id <= self.after:
            return False
        return self.status is None or status_matches(self.status, entry.status)


def status_matches(wanted: str, status: int | None) -> bool:
    if wanted == "dropped":
        return status is None
    if status is None:
        return False
    if len(wanted) == 3 and wanted.endswith("xx"):
        return str(status)[0] == wanted[0]
    return str(status) == wanted


class Journal:
    def __init__(
        self,
        size: int = DEFAULT_JOURNAL_SIZE,
        duplicate_window_s: float = DEFAULT_DUPLICATE_WINDOW_S,
    ) -> None:
        self.size = size
        self.duplicate_window_s = duplicate_window_s
        #: Entries, or the raw rows the middleware records (see `_entry_of`): what a request
        #: costs the journal is building one tuple; the rest is worked out when it is read.
        self._rows: deque[Entry | tuple[Any, ...]] = deque(maxlen=size or 1)
        self._ids = itertools.count(1)
        #: (account id, operation, body digest) -> (task id, simulated time of the create).
        self._creates: OrderedDict[tuple[int, str, bytes], tuple[str, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def new_id(self) -> int:
        return next(self._ids)

    def add_row(self, row: tuple[Any, ...]) -> None:
        """What the middleware records of one request (see `_entry_of`)."""
        self._rows.append(row)

    def add(self, entry: Entry) -> None:
        self._rows.append(entry)

    def entries(self, query: Query | None = None) -> list[Entry]:
        """Matching entries, oldest first; with a limit, the newest `limit` of them."""
        query = query or Query()
        found = [entry for entry in map(_entry_of, self._rows) if query.matches(entry)]
        if query.limit is not None:
            found = found[-query.limit :] if query.limit else []
        return found

    def clear(self) -> None:
        """Forget the entries (ids keep counting; earlier creates stay known)."""
        self._rows.clear()

    def reset(self) -> None:
        """Forget everything, earlier creates included: their tasks are gone."""
        self.clear()
        self._creates.clear()

    def duplicate_of(
        self, account_id: int, operation: str, digest: bytes, now: float
    ) -> str | None:
        """The task of an earlier create with the same body within the window, if any."""
        earlier = self._creates.get((account_id, operation, digest))
        if earlier is None or now - earlier[1] > self.duplicate_window_s:
            return None
        return earlier[0]

    def remember_create(
        self, account_id: int, operation: str, digest: bytes, task_id: str, now: float
    ) -> None:
        key = (account_id, operation, digest)
        self._creates.pop(key, None)
        self._creates[key] = (task_id, now)
        while len(self._creates) > MAX_REMEMBERED_CREATES:
            self._creates.popitem(last=False)


def body_digest(raw: bytes) -> bytes:
    """A digest that two equal JSON bodies share whatever their key order and spacing."""
    try:
        canonical = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
    # Not JSON, or nested past the encoder's 255 levels (the route refuses such a body).
    except (orjson.JSONDecodeError, TypeError):
        canonical = raw
    return hashlib.sha256(canonical).digest()


def envelope_code(body: bytes) -> int | None:
    """The `code` of an envelope the simulator wrote (it always writes `code` first)."""
    if not body.startswith(b'{"code":'):
        return None
    end = body.find(b",", 8)
    try:
        return int(body[8:end])
    except ValueError:
        return None


class JournalMiddleware:
    """Records one entry per request to the wrapped app; names each request's operation in the
    scope for the fault rules."""

    def __init__(
        self,
        app: ASGIApp,
        journal: Journal,
        operations: OperationNames,
        clock: Clock,
    ) -> None:
        self._app = app
        self._journal = journal
        self._operations = operations
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        operation = self._operations.of(method, path)
        mark_operation(scope, operation)
        journal = self._journal
        if not journal.size:
            await self._app(scope, receive, send)
            return
        wall, sim, started = time.time(), self._clock.now(), time.perf_counter()
        meter = Meter()
        token = current_meter.set(meter)
        chunks: list[bytes] | None = None
        if method == "POST" and path.startswith(CREATE_PREFIX):
            chunks = []
            receive = _keeping(receive, chunks)
        answered = False
        try:
            await self._app(scope, receive, send)
            answered = True
        finally:
            current_meter.reset(token)
            # Written out here, not in a method: this runs on every request.
            # Only numbers, strings and bytes (the fault aside): the collector stops tracking
            # such a tuple, so ten thousand of them cost its passes nothing.
            answer = scope.get(ANSWER_KEY)
            status = code = None
            if answer is not None:
                status, body = answer.status_code, getattr(answer, "body", None)
                # The code, not the answer: an entry shows no more, and a full journal held
                # ten thousand answers (a status answer is over a kilobyte).
                code = None if body is None else envelope_code(body)
            account_id = scope.get(ACCOUNT_KEY)
            create = None
            if chunks is not None and operation is not None:
                task_id = scope.get(CREATED_KEY) if code == 0 else None
                create = self._create(journal, task_id, account_id, operation, chunks, sim)
            journal.add_row(
                (
                    journal.new_id(),
                    wall,
                    sim,
                    time.perf_counter() - started,
                    method,
                    path,
                    scope["query_string"],
                    operation,
                    answered,
                    status,
                    code,
                    fault_label(scope),
                    account_id,
                    meter.charged,
                    meter.refunded,
                    create,
                )
            )

    @staticmethod
    def _create(
        journal: Journal,
        task_id: str | None,
        account_id: int | None,
        operation: str,
        chunks: list[bytes],
        sim: float,
    ) -> tuple[str | None, str | None, bytes | None]:
        """The task a create made, the earlier one it seems to repeat, and its body: worked
        out at once, since the duplicate check depends on the order of creates."""
        raw = b"".join(chunks)
        digest = body_digest(raw)
        duplicate = None
        if account_id is not None:
            duplicate = journal.duplicate_of(account_id, operation, digest, sim)
            if task_id is not None:
                journal.remember_create(account_id, operation, digest, task_id, sim)
        return task_id, duplicate, raw if len(raw) <= MAX_KEPT_BODY_BYTES else None


def _entry_of(row: Entry | tuple[Any, ...]) -> Entry:
    """The entry of a row the middleware recorded: what the client saw, redacted."""
    if isinstance(row, Entry):
        return row
    (entry_id, wall, sim, duration, method, path, query, operation, answered, answered_status,
     answered_code, fault, account_id, charged, refunded, create) = row  # fmt: skip
    status, code = _seen(fault, answered, answered_status, answered_code)
    task_id = duplicate = kept = None
    if create is not None:
        task_id, duplicate, raw = create
        kept = _parsed(raw)
    elif operation == "getTaskStatus":
        found = _STATUS_ID.search(query)
        task_id = found.group(1).decode("latin-1") if found else None
    return Entry(
        entry_id,
        wall,
        sim,
        method,
        redact(path, query),
        operation,
        status,
        code,
        account_id,
        task_id,
        charged,
        refunded,
        duration * 1000,
        fault,
        duplicate,
        kept,
    )


def _seen(
    fault: str | None, answered: bool, status: int | None, code: int | None
) -> tuple[int | None, int | None]:
    """The HTTP status and envelope code the client received: what the route answered,
    unless a fault replaced the answer or the connection was cut."""
    kind = None if fault is None else fault.partition("=")[0]
    if not answered or kind in ("drop", "drop-after"):
        return None, None
    if kind in ("server-error", "server-error-after"):
        return 500, 500  # the injected answer, not the route's
    return status, code


def _parsed(raw: bytes | None) -> Any:
    """A kept create body as JSON, or None (not kept, or not JSON)."""
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _keeping(receive: Receive, chunks: list[bytes]) -> Receive:
    """`receive`, keeping the request body's chunks in `chunks` as they are read."""

    async def keeping() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
        return message

    return keeping
