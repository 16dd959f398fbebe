"""`Control`: the control plane as a Python object (`app.control`), which the HTTP routes under
/_sellerpic/ and test fixtures both call.

It steers the simulator from outside the API: the clock, a reset, accounts and credits, forced
outcomes, fault settings, and reads what the API cannot show (every task, each account's
ledger, the request journal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import MockConfig
from ..domain.errors import bad_request, not_found
from ..domain.ids import account_id_for
from ..domain.lifecycle import CREATED, FAILED, GENERATION_FAILED, GENERATION_FAILED_MSG, RUNNING
from ..domain.outcomes import Outcomes, ResultOutcome, conflict
from ..domain.overview import AccountView, LedgerEntry, Overview
from ..domain.pictures import Pictures
from ..domain.reset import rebuilt
from ..domain.services import Services
from ..faults import FaultMiddleware, FaultSettings
from ..storage.db import ResultRow, TaskRow
from .journal import Entry, Journal, Query

if TYPE_CHECKING:
    from ..app import Simulator

#: One call moves the clock at most this far (about 10 years), and never past the year 9000:
#: dates beyond what the standard library formats would break file keys.
MAX_ADVANCE_S = 315_576_000.0
MAX_NOW = 221_845_392_000.0
DEFAULT_TASK_LIMIT = 100


@dataclass(frozen=True)
class ResultView:
    id: str
    status: str
    credits: int
    error_code: int
    error_msg: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "credits": self.credits,
            "errorCode": self.error_code,
            "errorMsg": self.error_msg,
        }


@dataclass(frozen=True)
class TaskView:
    id: str
    account_id: int
    operation: str
    #: CREATED, RUNNING, SUCCESS, FAILED, or PARTIAL when some results failed and some did not.
    status: str
    created_at: float
    running_at: float
    finish_at: float
    params: str
    results: list[ResultView] = field(default_factory=list)

    @property
    def credits(self) -> int:
        return sum(r.credits for r in self.results)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account_id": str(self.account_id),
            "operation": self.operation,
            "status": self.status,
            "created_at": self.created_at,
            "running_at": self.running_at,
            "finish_at": self.finish_at,
            "credits": self.credits,
            "results": [r.as_json() for r in self.results],
        }


def task_status(statuses: list[str]) -> str:
    distinct = set(statuses)
    if len(distinct) == 1:
        return statuses[0]
    if not distinct:
        return CREATED
    return PARTIAL if distinct <= {"SUCCESS", FAILED} else RUNNING


PARTIAL = "PARTIAL"


class Control:
    def __init__(self, simulator: Simulator, faults: FaultMiddleware) -> None:
        self._simulator = simulator
        self._faults = faults
        config = simulator.services.config
        self.journal = Journal(config.journal_size, config.duplicate_window_s)
        #: Seconds the clock was moved by `advance` in total.
        self.advanced = 0.0

    @property
    def _services(self) -> Services:
        return self._simulator.services

    @property
    def config(self) -> MockConfig:
        return self._services.config

    # --- clock ---------------------------------------------------------------------------
    def clock(self) -> dict[str, float]:
        """Simulated now (epoch seconds), the task speed factor, and how far it was advanced."""
        return {
            "now": self.config.clock.now(),
            "speed": self.config.speed,
            "advanced": self.advanced,
        }

    def advance(self, seconds: float) -> dict[str, float]:
        """Move simulated time forward, as if `seconds` had passed."""
        clock = self.config.clock
        advance = getattr(clock, "advance", None)
        if not callable(advance):
            raise conflict(f"clock: a {type(clock).__name__} cannot be advanced")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise bad_request(f"seconds: must be a number, got {seconds!r}")
        if not 0 <= seconds <= MAX_ADVANCE_S:
            raise bad_request(f"seconds: must be between 0 and {MAX_ADVANCE_S:.0f}, got {seconds}")
        if clock.now() + seconds > MAX_NOW:
            raise conflict("seconds: the clock would pass the year 9000; reset or advance less")
        advance(seconds)
        self.advanced += seconds
        return self.clock()

    # --- reset ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the configured accounts and credits; tasks, uploads, results, the journal
        and the fault settings made since the start are gone. The clock keeps its time."""
        self._simulator.services = rebuilt(self._services)
        self.journal.reset()
        self._faults.reset()

    # --- accounts ------------------------------------------------------------------------
    def _overview(self) -> Overview:
        svc = self._services
        return Overview(svc.store, svc.lifecycle)

    def accounts(self) -> list[AccountView]:
        return self._overview().accounts()

    def account(self, account_id: int) -> AccountView:
        for view in self.accounts():
            if view.id == account_id:
                return view
        raise not_found(f"account {account_id}: no such account")

    def set_account(self, key: str, credits: int) -> tuple[AccountView, bool]:
        """Create the account of `key` with `credits` in total, or set the total of the
        existing one (what it used stays used). Returns it and whether it is new."""
        if not isinstance(key, str) or not key or not key.isprintable() or " " in key:
            raise bad_request("key: must be a non-empty string without spaces")
        if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
            raise bad_request(f"credits: must be a whole number >= 0, got {credits!r}")
        account_id = account_id_for(key)
        store = self._services.store
        existed = store.account_id_for_key(key) is not None
        store.upsert_account(account_id, key, credits)
        return self.account(account_id), not existed

    def ledger(self, account_id: int) -> list[LedgerEntry]:
        overview = self._overview()
        if not overview.account_exists(account_id):
            raise not_found(f"account {account_id}: no such account")
        return overview.ledger(account_id)

    # --- tasks ---------------------------------------------------------------------------
    def tasks(
        self, limit: int = DEFAULT_TASK_LIMIT, account_id: int | None = None
    ) -> list[TaskView]:
        """Tasks newest first, with the status each result shows now."""
        now = self.config.clock.now()
        return [
            self._view(task, results, now)
            for task, results in self._overview().tasks(limit, account_id)
        ]

    def task(self, task_id: str) -> TaskView:
        svc = self._services
        task = svc.store.task(task_id)
        if task is None:
            raise not_found(f"task {task_id}: no such task")
        return self._view(task, svc.store.results(task_id), self.config.clock.now())

    def _view(self, task: TaskRow, results: list[ResultRow], now: float) -> TaskView:
        svc = self._services
        views = []
        for result in results:
            status = svc.lifecycle.status(task, result, now)
            code, msg = 0, ""
            if status == FAILED:
                forced = svc.store.result_error(result.id) if result.status else None
                code, msg = forced or (GENERATION_FAILED, GENERATION_FAILED_MSG)
            views.append(ResultView(result.id, status, result.credits, code, msg))
        statuses = [v.status for v in views]
        if not views:
            statuses = [CREATED if now < task.running_at else RUNNING]
        return TaskView(
            task.id,
            task.account_id,
            task.operation,
            task_status(statuses),
            task.created_at,
            task.running_at,
            task.finish_at,
            task.params,
            views,
        )

    def force_outcome(
        self,
        task_id: str,
        status: str | None = None,
        error_code: int | None = None,
        error_msg: str | None = None,
        results: dict[str, ResultOutcome] | None = None,
    ) -> TaskView:
        """End an unfinished task now: every result `status` (or, per result, its entry in
        `results`), failed ones refunded. Without `status`, unlisted results keep the outcome
        they were drawn to have."""
        if status is None and not results:
            raise bad_request("status: give a status for the task, or results with a status each")
        default = None if status is None else ResultOutcome(status, error_code, error_msg)
        svc = self._services
        Outcomes(svc.store, svc.credits, svc.lifecycle).force(task_id, default, results or {})
        return self.task(task_id)

    # --- faults --------------------------------------------------------------------------
    @property
    def faults(self) -> FaultSettings:
        return self._faults.settings

    def set_faults(self, settings: FaultSettings) -> FaultSettings:
        self._faults.settings = settings
        return settings

    # --- pictures (the inspector) ----------------------------------------------------------
    def pictures(self) -> Pictures:
        svc = self._services
        return Pictures(svc.store, svc.uploads, svc.downloads, svc.lifecycle)

    # --- journal -------------------------------------------------------------------------
    def requests(self, query: Query | None = None) -> list[Entry]:
        return self.journal.entries(query)

    def clear_requests(self) -> None:
        self.journal.clear()
