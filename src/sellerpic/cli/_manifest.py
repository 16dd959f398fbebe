"""Reading a batch manifest: JSON, YAML or CSV, one job per entry.

JSON / YAML: a list of jobs, or `{"jobs": [...]}`; each job is
`{"id": "optional", "operation": "try-on-accessories", "inputs": {"model_image": "a.png", ...}}`
(the inputs may also sit next to `operation` instead of under `inputs`).
CSV: a header row with `operation`, optional `id`, and one column per input (snake_case or
kebab-case); empty cells are left out. Relative paths in a manifest are read from the
manifest's folder. Errors name the job (its position or CSV line, and its id), the field and,
for a misspelling, the closest valid name.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from .._operations import find_operation
from ..batch import Job, job_from_mapping
from ..errors import InvalidInputError
from ..uploads import is_file_key


def load_manifest(path: Path) -> list[Job]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read manifest {path}: {exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path, text)
    else:
        if suffix in (".yaml", ".yml"):
            import yaml

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise InvalidInputError(f"manifest {path} is not valid YAML: {exc}") from None
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"manifest {path} is not valid JSON: {exc}") from None
        jobs = _job_list(path, data)
        rows = [(f"manifest {path}, job {n}", row) for n, row in enumerate(jobs, start=1)]
    return [_job(row, path.parent, where) for where, row in rows]


def _csv_rows(path: Path, text: str) -> list[tuple[str, dict[str, Any]]]:
    """Each row with where it starts (`line N`, counting the header as line 1)."""
    reader = csv.DictReader(text.splitlines())
    rows = []
    _ = reader.fieldnames  # reads the header, so line_num counts it
    line = reader.line_num + 1
    for row in reader:
        rows.append(
            (
                f"manifest {path}, line {line}",
                {k: v for k, v in row.items() if k and v not in (None, "")},
            )
        )
        line = reader.line_num + 1
    return rows


def _job_list(path: Path, data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        data = data.get("jobs")
    if not isinstance(data, list) or not all(isinstance(j, dict) for j in data):
        raise InvalidInputError(f"manifest {path} must be a list of jobs or {{jobs: [...]}}")
    return data


def _job(row: dict[str, Any], base: Path, where: str) -> Job:
    job = job_from_mapping(row, where)
    op = find_operation(job.operation)
    inputs = {}
    for name, value in job.inputs.items():
        try:
            inputs[name] = _convert(op.param(name).kind, value, base)
        except ValueError as exc:
            label = f"{where} (id {job.id!r})" if job.id else where
            raise InvalidInputError(f"{label}: input {name!r}: {exc}", field=name) from None
    return Job(job.operation, inputs, job.id)


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
