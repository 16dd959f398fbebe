"""Job lists read into `Job`s: `client.batch([...])` and the manifest's rows, each job's
operation, inputs and id checked, with errors naming the job, the field and the closest choice."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from ._batch_types import Job
from ._operations import OPERATIONS, Operation, find_operation
from .errors import InvalidInputError


def normalise_jobs(jobs: Iterable[Job | Mapping[str, Any]]) -> list[Job]:
    """Accept `Job`s or mappings in the manifest's shapes: `{"operation", "id"?, "inputs"?}`
    with the inputs under `inputs` or next to `operation` (snake or kebab case). Gives ids to
    jobs without one. Raises `InvalidInputError` naming the job, the field, the valid choices
    and the closest one.

    Generated ids are `<position>-<operation>`: give explicit ids if the job list may change
    between a run and its resume.
    """
    result: list[Job] = []
    for index, job in enumerate(jobs, start=1):
        if isinstance(job, Job):
            job = {"operation": job.operation, "inputs": job.inputs, "id": job.id}
        parsed = job_from_mapping(job, f"job {index}")
        op = find_operation(parsed.operation)
        result.append(Job(op.name, parsed.inputs, parsed.id or f"{index}-{op.cli_name}"))
    ids = [j.id for j in result]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise InvalidInputError(f"duplicate job ids: {', '.join(sorted(map(str, duplicates)))}")
    return result


#: Characters a job id may not hold: it names the folder of its results (OUTPUT/<job id>/).
_UNSAFE_IN_ID = frozenset('/\\:*?"<>|')


def check_job_id(job_id: str, where: str) -> str:
    """A job id is one folder name: no separators, no control characters, no leading dot."""
    bad = (
        not job_id
        or job_id.startswith(".")
        or len(job_id) > 200
        or any(c in _UNSAFE_IN_ID or ord(c) < 32 or ord(c) == 127 for c in job_id)
    )
    if bad:
        raise InvalidInputError(
            f"{where}: job id {job_id!r} cannot be used: a job id names the folder of its "
            'results (OUTPUT/<job id>/), so it must be 1-200 characters without / \\ : * ? " '
            "< > |, control characters or a leading dot",
            field="id",
        )
    return job_id


def _closest(word: str, choices: Iterable[str]) -> str:
    """`; did you mean X?` for the closest choice, or nothing."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else ""


def _operation_named(name: Any, where: str) -> Operation:
    try:
        return find_operation(str(name))
    except InvalidInputError:
        choices = [op.cli_name for op in OPERATIONS.values()]
        spelled = str(name).strip().replace("_", "-").lower()
        raise InvalidInputError(
            f"{where}: unknown operation {name!r}{_closest(spelled, choices)} "
            f"(valid: {', '.join(choices)})",
            field="operation",
        ) from None


def job_from_mapping(raw: Mapping[str, Any], where: str) -> Job:
    """One job of a manifest or of `client.batch([...])`, its inputs keyed by snake_case name.
    `where` says where it was read (`job 3`, `jobs.csv line 4`) for the error messages."""
    job_id = raw.get("id")
    job_id = None if job_id in (None, "") else str(job_id)
    if job_id is not None:
        where = f"{where} (id {job_id!r})"
        check_job_id(job_id, where)
    if raw.get("operation") in (None, ""):
        others = [str(k) for k in raw if k not in ("id", "inputs")]
        close = difflib.get_close_matches("operation", others, n=1, cutoff=0.6)
        hint = f"; did you mean operation instead of {close[0]!r}?" if close else ""
        raise InvalidInputError(
            f"{where}: no operation given (the 'operation' field or column){hint}",
            field="operation",
        )
    op = _operation_named(raw["operation"], where)
    nested = raw.get("inputs") or {}
    if not isinstance(nested, Mapping):
        raise InvalidInputError(f"{where}: 'inputs' must be a mapping of input names to values")
    flat = {k: v for k, v in raw.items() if k not in ("operation", "id", "inputs")}
    names = [p.name for p in op.params]
    inputs: dict[str, Any] = {}
    for key, value in {**flat, **nested}.items():
        name = str(key).strip().replace("-", "_")
        if name not in names:
            raise InvalidInputError(
                f"{where}: {op.cli_name} has no input {key!r}{_closest(name, names)} "
                f"(its inputs: {', '.join(names)})",
                field=str(key),
            )
        inputs[name] = value
    return Job(op.name, inputs, job_id)
