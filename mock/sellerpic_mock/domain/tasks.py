"""Creating tasks (validation, limits, credits) and reporting their results."""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from sellerpic.images import MAX_FILE_BYTES, ImageInfo, ImageRuleError, normalise_format

from ..config import MockConfig
from ..spec import Operation
from ..storage.db import ResultRow, Store, TaskRow, UploadRow
from .accounts import Account
from .credits import Credits
from .downloads import Downloads, file_key_fields, preset_fields, result_key
from .errors import bad_request, not_found
from .ids import new_ids, unit_fraction
from .lifecycle import FAILED, GENERATION_FAILED, GENERATION_FAILED_MSG, SUCCESS, Lifecycle
from .limits import Limits
from .presets import Presets
from .uploads import Uploads

#: Credits per result where it is not 1 (the docs' credit rules).
_FREE = {"promptSegmentation", "segmentImage"}
#: Per-operation input resolution limits where they differ from 4096 px.
_MAX_SIDE = {"segmentImage": 2000}
_DEFAULT_MAX_SIDE = 4096
_FINISHED_CACHE = 10_000


class Plan(NamedTuple):
    results: int
    credits_each: int
    kind: str

    @property
    def cost(self) -> int:
        return self.results * self.credits_each


def plan_for(operation: Operation, body: dict[str, Any]) -> Plan:
    op = operation.operation_id
    count = operation.results_for(body)
    if op == "imageToVideo":
        # 10 credits up to 5 s (0 means the default 5 s), 15 beyond.
        return Plan(count, 10 if int(body.get("videoDuration") or 0) <= 5 else 15, "video")
    return Plan(count, 0 if op in _FREE else 1, "image")


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
        # Finished tasks never change: their answers are kept per (task, origin) so repeated
        # polls skip the database. Bounded by clearing; a miss only costs two queries.
        self._finished: dict[tuple[str, str], tuple[int, list[dict[str, Any]]]] = {}

    # --- create --------------------------------------------------------------------------
    def create(
        self, account: Account, operation: Operation, body: Any, force_limit: bool = False
    ) -> str:
        body = operation.validate_body(body)
        plan = plan_for(operation, body)
        self._check_inputs(account, operation.operation_id, body)
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

    def _check_inputs(self, account: Account, op: str, body: dict[str, Any]) -> None:
        max_side = _MAX_SIDE.get(op, _DEFAULT_MAX_SIDE)
        rows: dict[str, UploadRow] = {}
        for field, key in file_key_fields(body):
            row = self._uploads.owned(account, key, field)
            if row.size > MAX_FILE_BYTES:
                raise bad_request(
                    f"{field}: size: the file is {row.size} bytes; tasks take up to 10 MB"
                )
            if max(row.width, row.height) > max_side:
                raise bad_request(
                    f"{field}: resolution: {row.width}x{row.height} px; the limit is {max_side} px"
                )
            rows[field] = row
        if op == "imageToVideo":
            self._check_video_source(rows["imageKey"])
        for field, row in rows.items():
            if not field.endswith("MaskKey"):
                continue
            image = rows.get(field[: -len("MaskKey")] + "ImageKey")
            if image is None:
                continue
            try:
                self._uploads.check_mask(row, _info(image))
            except ImageRuleError as exc:
                raise bad_request(f"{field}: {exc.rule}: {exc.message}") from None
        for field, kind in preset_fields(op, body):
            self._presets.require(kind, str(body[field]), field)

    @staticmethod
    def _check_video_source(row: UploadRow) -> None:
        short, long = sorted((row.width, row.height))
        if short < 300:
            raise bad_request(
                f"imageKey: resolution: the short edge is {short} px; at least 300 px"
            )
        if long * 2 > short * 5:
            raise bad_request(
                f"imageKey: aspect-ratio: {row.width}x{row.height} is outside 2:5 to 5:2"
            )

    # --- status --------------------------------------------------------------------------
    def status(self, account: Account, task_id: str, base_url: str) -> list[dict[str, Any]]:
        cached = self._finished.get((task_id, base_url))
        if cached is not None:
            if cached[0] != account.id:
                raise not_found(f"Record Not Found: no task with id {task_id}")
            return cached[1]
        task = self._store.task(task_id)
        if task is None or task.account_id != account.id:
            raise not_found(f"Record Not Found: no task with id {task_id}")
        now = self._lifecycle.now()
        self._lifecycle.settle_if_due(task, now)
        items = []
        for result in self._store.results(task_id):
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
                item["fileUrl"] = self._downloads.status_url(task, result, base_url)
                item["fileKey"] = result_key(task, result)
            elif status == FAILED:
                # A failure forced through the control API carries its own code and message.
                forced = self._store.result_error(result.id) if result.status else None
                code, msg = forced or (GENERATION_FAILED, GENERATION_FAILED_MSG)
                item["errorCode"] = code
                item["errorMsg"] = msg
            items.append(item)
        if now >= task.finish_at:
            if len(self._finished) > _FINISHED_CACHE:
                self._finished.clear()
            self._finished[(task_id, base_url)] = (account.id, items)
        return items
