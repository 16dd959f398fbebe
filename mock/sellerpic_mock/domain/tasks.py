"""Creating tasks (validation, limits, credits) and reporting their results."""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from sellerpic_spec.images import ImageInfo, ImageRuleError, check_image, normalise_format

from ..config import MockConfig
from ..spec import Operation
from ..storage.db import ResultRow, Store, TaskRow, UploadRow
from .accounts import Account
from .credits import Credits
from .downloads import Downloads, result_key
from .errors import bad_request, not_found
from .ids import new_ids, unit_fraction
from .lifecycle import FAILED, GENERATION_FAILED, GENERATION_FAILED_MSG, SUCCESS, Lifecycle
from .limits import Limits
from .presets import Presets
from .settled import SettledAnswers
from .uploads import Uploads


class Plan(NamedTuple):
    results: int
    credits_each: int
    kind: str

    @property
    def cost(self) -> int:
        return self.results * self.credits_each


def plan_for(operation: Operation, body: dict[str, Any]) -> Plan:
    """Results, credits and kind of a task (the spec's x-results-*, x-credits, x-result-kind)."""
    facts = operation.facts
    return Plan(facts.results_for(body), facts.credits_per_result(body), facts.result_kind)


def _info(row: UploadRow) -> ImageInfo:
    return ImageInfo(normalise_format(row.format), row.width, row.height, False, row.size)


class Tasks:
    def __init__(
        self,
        store: Store,
        config: MockConfig,
        uploads: Uploads,
        presets: Presets,
        credits: Credits,
        limits: Limits,
        lifecycle: Lifecycle,
        downloads: Downloads,
    ) -> None:
        self._store = store
        self._config = config
        self._uploads = uploads
        self._presets = presets
        self._credits = credits
        self._limits = limits
        self._lifecycle = lifecycle
        self._downloads = downloads
        self._settled = SettledAnswers()

    # --- create --------------------------------------------------------------------------
    def create(
        self, account: Account, operation: Operation, body: Any, force_limit: bool = False
    ) -> str:
        body = operation.validate_body(body)
        plan = plan_for(operation, body)
        self._check_inputs(account, operation, body)
        now = self._lifecycle.now()
        task_id, *result_ids = new_ids(1 + plan.results)
        results = []
        rate = self._config.failure_rate
        for idx, result_id in enumerate(result_ids):
            fails = rate > 0 and unit_fraction(self._config.seed, result_id) < rate
            results.append(
                ResultRow(result_id, task_id, idx, plan.credits_each, fails, plan.kind, None)
            )
        running_at = now + self._config.created_duration
        task = TaskRow(
            task_id,
            account.id,
            operation.operation_id,
            orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode(),
            now,
            running_at,
            running_at + self._config.running_duration,
            False,
        )
        # Limit check, charge and insert commit together or not at all.
        with self._store.transaction():
            self._limits.check(account, operation, now, force_limit)
            if not self._credits.try_charge(account, plan.cost):
                # Refunds of failed results are applied lazily: apply them before refusing.
                self._lifecycle.settle_due(account)
                self._credits.charge(account, plan.cost)
            self._store.insert_task(task, results)
        return task_id

    def _check_inputs(self, account: Account, operation: Operation, body: dict[str, Any]) -> None:
        facts = operation.facts
        rows = self._uploads.owned(account, facts.file_keys(body))
        infos = {field: _info(row) for field, row in rows.items()}
        for field, info in infos.items():
            try:
                # The upload checked format and animation; the task checks its own limits.
                check_image(info, facts.image_rules)
            except ImageRuleError as exc:
                raise bad_request(f"{field}: {exc.rule}: {exc.message}") from None
        for field, image_field in facts.masks.items():
            mask, image = rows.get(field), infos.get(image_field)
            if mask is None or image is None:
                continue
            try:
                self._uploads.check_mask(mask, image)
            except ImageRuleError as exc:
                raise bad_request(f"{field}: {exc.rule}: {exc.message}") from None
        for field, kind in facts.presets_in(body):
            self._presets.require(kind, str(body[field]), field)

    # --- status --------------------------------------------------------------------------
    def status(self, account: Account, task_id: str, base_url: str) -> list[dict[str, Any]]:
        """The items of getTaskStatus's resultList (shared with the settled-answers cache:
        serialise them, do not change them)."""
        kept = self._settled.get(task_id, account.id, base_url)
        if kept is not None:
            return kept
        found = self._store.task_and_results(task_id)
        if found is None or found[0].account_id != account.id:
            raise not_found(f"Record Not Found: no task with id {task_id}")
        task, results = found
        now = self._lifecycle.now()
        if self._lifecycle.settle_if_due(task, now):
            results = self._store.results(task_id)
        items = self._items(task, results, now, base_url)
        if all(result.status is not None for result in results):
            self._settled.keep(task_id, account.id, base_url, items)
        return items

    def _items(
        self, task: TaskRow, results: list[ResultRow], now: float, base_url: str
    ) -> list[dict[str, Any]]:
        items = []
        for result in results:
            status = self._lifecycle.status(task, result, now)
            item: dict[str, Any] = {
                "id": result.id,
                "status": status,
                "fileUrl": "",
                "fileKey": "",
                "errorCode": 0,
                "errorMsg": "",
            }
            if status == SUCCESS:
                key = result_key(task, result)
                item["fileUrl"] = self._downloads.status_url(task, key, base_url)
                item["fileKey"] = key
            elif status == FAILED:
                # A failure forced through the control API carries its own code and message.
                forced = self._store.result_error(result.id) if result.status else None
                code, msg = forced or (GENERATION_FAILED, GENERATION_FAILED_MSG)
                item["errorCode"] = code
                item["errorMsg"] = msg
            items.append(item)
        return items
