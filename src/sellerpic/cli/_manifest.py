"""Reading a batch manifest: JSON, YAML or CSV, one job per entry.

JSON / YAML: a list of jobs, or `{"jobs": [...]}`; each job is
`{"id": "optional", "operation": "try-on-accessories", "inputs": {"model_image": "a.png", ...}}`
(the inputs may also sit next to `operation` instead of under `inputs`).
CSV: a header row with `operation`, optional `id`, and one column per input (snake_case or
kebab-case); empty cells are left out. Relative paths are read from the manifest's folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from .._operations import find_operation
from ..batch import Job
from ..errors import InvalidInputError
from ..uploads import is_file_key


def load_manifest(path: Path) -> list[Job]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read manifest {path}: {exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows: list[dict[str, Any]] = [
            {k: v for k, v in row.items() if k and v not in (None, "")}
            for row in csv.DictReader(text.splitlines())
        ]
    elif suffix in (".yaml", ".yml"):
        import yaml

        rows = _job_list(yaml.safe_load(text))
    else:
        try:
            rows = _job_list(json.loads(text))
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"manifest {path} is not valid JSON: {exc}") from None
    return [_job(row, path.parent, n) for n, row in enumerate(rows, start=1)]


def _job_list(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        data = data.get("jobs")
    if not isinstance(data, list) or not all(isinstance(j, dict) for j in data):
        raise InvalidInputError("manifest must be a list of jobs or {jobs: [...]}")
    return data


def _job(row: dict[str, Any], base: Path, number: int) -> Job:
    if "operation" not in row:
        raise InvalidInputError(f"manifest job {number} has no operation")
    op = find_operation(str(row["operation"]))
    flat = {k: v for k, v in row.items() if k not in ("operation", "id", "inputs")}
    inputs = {**flat, **(row.get("inputs") or {})}
    converted: dict[str, Any] = {}
    for key, value in inputs.items():
        name = key.replace("-", "_")
        try:
            param = op.param(name)
        except KeyError:
            raise InvalidInputError(
                f"manifest job {number}: {op.cli_name} has no input {key!r}"
            ) from None
        converted[name] = _convert(param.kind, value, base)
    job_id = row.get("id")
    return Job(op.name, converted, str(job_id) if job_id not in (None, "") else None)


def _convert(kind: str, value: Any, base: Path) -> Any:
    if kind in ("image", "mask"):
        text = str(value)
        if is_file_key(text):
            return text
        path = Path(text).expanduser()
        return str(path if path.is_absolute() else base / path)
    if not isinstance(value, str):
        return value
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value
