"""The `sellerpic` command line.

Exit codes: 0 success; 2 user error (bad arguments, missing or invalid local file, no API key);
3 API or network error; 4 a task failed or did not finish in time (batch: a job failed or is
ambiguous); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .._operations import OPERATIONS, Operation, Param
from .._version import __version__
from ..client import PRESET_TYPES, SellerPic
from ..errors import (
    AuthenticationError,
    InvalidInputError,
    SellerPicError,
    TaskFailedError,
    TaskNotFinishedError,
    TaskTimeoutError,
)
from ..tasks import DOWNLOAD_FORMATS, Task, TaskStatus
from ..uploads import UPLOAD_MODES
from ._manifest import load_manifest
from ._progress import BatchLine, Progress

if TYPE_CHECKING:
    from ..batch import BatchProgress, JobRecord

EXIT_OK, EXIT_USAGE, EXIT_API, EXIT_TASK, EXIT_INTERRUPTED = 0, 2, 3, 4, 130

EPILOG = """\
examples:
  export SELLERPIC_API_KEY=sk-...            # or --api-key
  sellerpic credits
  sellerpic upload shoe.png
  sellerpic remove-background --image shoe.png -o out/
  sellerpic try-on-accessories --model-image a.png --model-mask m.png --product-image p.png
  sellerpic replace-background --product-image p.png --background-color '#80c699' --no-wait
  sellerpic wait 1956366543768004069 && sellerpic download 1956366543768004069 -o out/
  sellerpic batch jobs.csv -o out/            # resumable; see docs/USAGE.md
  sellerpic-mock serve --port 8080             # offline simulator (the simulator extra)
  SELLERPIC_BASE_URL=http://127.0.0.1:8080 SELLERPIC_API_KEY=sk-sellerpic-demo sellerpic credits

exit codes: 0 ok, 2 user error, 3 API/network error, 4 task failed or timed out, 130 interrupted
"""


class UsageError(Exception):
    """Raised instead of argparse's sys.exit so every exit goes through `main`."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


# --- parser ------------------------------------------------------------------------------------
def _common_options() -> _Parser:
    common = _Parser(add_help=False)
    group = common.add_argument_group("connection and output")
    group.add_argument("--api-key", help="API key (default: $SELLERPIC_API_KEY)")
    group.add_argument(
        "--base-url", help="API base URL (default: $SELLERPIC_BASE_URL or the real API)"
    )
    group.add_argument("--upload-mode", choices=UPLOAD_MODES, default="presigned")
    group.add_argument("--max-retries", type=int, default=None)
    group.add_argument(
        "--request-timeout", type=float, default=None, help="seconds per HTTP request"
    )
    group.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    group.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return common


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        help="seconds between status calls (default 60 against the real API, 1 elsewhere)",
    )
    parser.add_argument("--wait-timeout", type=float, default=None, help="give up after N seconds")


def _download_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", default=".", help="directory for results (default .)")
    parser.add_argument("--format", choices=DOWNLOAD_FORMATS, help="output format")
    parser.add_argument("--uhd", action="store_true", help="high-resolution output")


def _add_param(parser: argparse.ArgumentParser, param: Param) -> None:
    flag = "--" + param.name.replace("_", "-")
    kwargs: dict[str, Any] = {"dest": param.name, "help": param.help, "default": None}
    if param.kind == "bool":
        kwargs["action"] = argparse.BooleanOptionalAction
    else:
        kwargs["type"] = {"int": int, "float": float}.get(param.kind, str)
        kwargs["metavar"] = "PATH|KEY" if param.kind in ("image", "mask") else param.kind.upper()
        kwargs["required"] = param.required
        if param.choices:
            kwargs["choices"] = param.choices
            kwargs.pop("metavar")
    parser.add_argument(flag, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(
        prog="sellerpic",
        description="SellerPic AI from the command line: upload, create tasks, wait, download.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for op in OPERATIONS.values():
        sub = commands.add_parser(
            op.cli_name,
            parents=[common],
            help=op.summary,
            description=f"{op.summary}. Images take a local path (checked, then uploaded) or "
            "a file key (UPLOAD/...). Without --no-wait: create, wait, download.",
        )
        for param in op.params:
            _add_param(sub, param)
        sub.add_argument("--no-wait", action="store_true", help="print the task id and exit")
        _wait_options(sub)
        _download_options(sub)
        sub.set_defaults(handler=_cmd_operation, operation=op)

    sub = commands.add_parser("upload", parents=[common], help="check and upload a file")
    sub.add_argument("file", help="image to upload")
    sub.add_argument("--mask-for", metavar="IMAGE", help="FILE is a mask of this image")
    sub.set_defaults(handler=_cmd_upload)

    sub = commands.add_parser("status", parents=[common], help="show a task's status once")
    sub.add_argument("task_id")
    sub.set_defaults(handler=_cmd_status)

    sub = commands.add_parser("wait", parents=[common], help="wait until a task is finished")
    sub.add_argument("task_id")
    _wait_options(sub)
    sub.set_defaults(handler=_cmd_wait)

    sub = commands.add_parser(
        "download",
        parents=[common],
        help="download a task's results",
        description="Downloads every successful output of a finished task. An unfinished task "
        "is an error (exit 4): wait for it first with `sellerpic wait ID`, or pass --wait.",
    )
    sub.add_argument("task_id")
    sub.add_argument("--wait", action="store_true", help="wait for the task to finish first")
    _wait_options(sub)
    _download_options(sub)
    sub.set_defaults(handler=_cmd_download)

    sub = commands.add_parser("presets", parents=[common], help="list preset models/backgrounds")
    sub.add_argument("type", choices=PRESET_TYPES, type=str.upper)
    sub.add_argument("--page", type=int, default=1)
    sub.add_argument("--page-size", type=int, default=10)
    sub.set_defaults(handler=_cmd_presets)

    sub = commands.add_parser("credits", parents=[common], help="show the account's credits")
    sub.set_defaults(handler=_cmd_credits)

    sub = commands.add_parser(
        "batch",
        parents=[common],
        help="run a manifest of jobs (JSON, YAML or CSV), resumable",
        description="Runs every job of MANIFEST within the concurrency limits. Progress is kept "
        "in --state-file; run the same command again to resume without creating any task twice. "
        "Paths inside the manifest are read from the manifest's folder; paths on the command "
        "line from the current folder. One run per state file at a time.",
    )
    sub.add_argument("manifest", help="jobs file: .json, .yaml/.yml or .csv (see docs/USAGE.md)")
    sub.add_argument(
        "--state-file",
        help="default: MANIFEST.state.json beside the manifest; a path given here is from the "
        "current folder",
    )
    sub.add_argument(
        "-o",
        "--output",
        default=".",
        help="results go to OUTPUT/<job id>/ (from the current folder; jobs finished in an "
        "earlier run keep their results where that run put them)",
    )
    sub.add_argument(
        "--retry-ambiguous",
        action="store_true",
        help="create again the jobs whose create request may or may not have reached the server",
    )
    sub.add_argument(
        "--retry-failed",
        action="store_true",
        help="create again the jobs whose task failed on the server: each is CHARGED AGAIN "
        "(jobs that failed before any task existed are retried on every run without it)",
    )
    sub.add_argument("--poll-interval", type=float, default=None)
    sub.set_defaults(handler=_cmd_batch)
    return parser


# --- commands ----------------------------------------------------------------------------------
class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.json: bool = args.json
        interactive = sys.stderr.isatty() and sys.stdout.isatty()
        self.progress = Progress(enabled=interactive and not args.quiet and not args.json)

    def client(self) -> SellerPic:
        return SellerPic(
            self.args.api_key,
            base_url=self.args.base_url,
            max_retries=self.args.max_retries,
            timeout=self.args.request_timeout,
            upload_mode=self.args.upload_mode,
        )

    def emit(self, payload: Any, text: str) -> None:
        print(json.dumps(payload, indent=2, default=str) if self.json else text)

    def on_update(self, status: TaskStatus) -> None:
        finished = sum(1 for item in status.items if item.final)
        self.progress.message(
            f"task {status.task_id}: {finished}/{len(status.items)} finished "
            f"({', '.join(sorted(set(status.statuses))) or 'no results yet'})"
        )


def _status_payload(status: TaskStatus) -> dict[str, Any]:
    return {
        "task_id": status.task_id,
        "done": status.done,
        "results": [asdict(i) for i in status.items],
    }


def _status_text(status: TaskStatus) -> str:
    lines = [f"task {status.task_id}: {'finished' if status.done else 'in progress'}"]
    for item in status.items:
        extra = f"  {item.error_msg} (code {item.error_code})" if item.failed else ""
        lines.append(f"  {item.id}  {item.status}{extra}")
    return "\n".join(lines)


def _download(ctx: Context, task: Task) -> list[Path]:
    args = ctx.args
    files = task.download(
        args.output,
        format=args.format,
        uhd=args.uhd,
        on_progress=lambda name, done, total: ctx.progress.bytes(name, done, total),
    )
    ctx.progress.done()
    return files


def _finish(ctx: Context, task: Task) -> int:
    status = task.wait(
        poll_interval=ctx.args.poll_interval, timeout=ctx.args.wait_timeout, on_update=ctx.on_update
    )
    ctx.progress.done()
    files = _download(ctx, task)
    payload = {**_status_payload(status), "files": [str(f) for f in files]}
    text = "\n".join(str(f) for f in files)
    if status.failures:
        text += "\n" + "\n".join(
            f"failed: {f.result_id}: {f.error_msg} (code {f.error_code})" for f in status.failures
        )
    ctx.emit(payload, text)
    return EXIT_OK


def _cmd_operation(ctx: Context) -> int:
    op: Operation = ctx.args.operation
    inputs = {p.name: getattr(ctx.args, p.name) for p in op.params}
    with ctx.client() as client:
        task = client.create(
            op.name,
            on_upload=lambda done, total: ctx.progress.bytes("upload", done, total),
            **{k: v for k, v in inputs.items() if v is not None},
        )
        ctx.progress.done()
        if ctx.args.no_wait:
            ctx.emit({"task_id": task.id, "operation": op.name}, task.id)
            return EXIT_OK
        return _finish(ctx, task)


def _cmd_upload(ctx: Context) -> int:
    with ctx.client() as client:
        key = client.upload(
            Path(ctx.args.file),
            mask_for=Path(ctx.args.mask_for) if ctx.args.mask_for else None,
            on_progress=lambda done, total: ctx.progress.bytes("upload", done, total),
        )
    ctx.progress.done()
    ctx.emit({"file_key": key}, key)
    return EXIT_OK


def _cmd_status(ctx: Context) -> int:
    with ctx.client() as client:
        status = client.task(ctx.args.task_id).refresh()
    ctx.emit(_status_payload(status), _status_text(status))
    return EXIT_OK


def _cmd_wait(ctx: Context) -> int:
    with ctx.client() as client:
        status = client.task(ctx.args.task_id).wait(
            poll_interval=ctx.args.poll_interval,
            timeout=ctx.args.wait_timeout,
            on_update=ctx.on_update,
        )
    ctx.progress.done()
    ctx.emit(_status_payload(status), _status_text(status))
    return EXIT_OK


def _cmd_download(ctx: Context) -> int:
    with ctx.client() as client:
        task = client.task(ctx.args.task_id)
        if ctx.args.wait:
            task.wait(
                poll_interval=ctx.args.poll_interval,
                timeout=ctx.args.wait_timeout,
                on_update=ctx.on_update,
            )
            ctx.progress.done()
        files = _download(ctx, task)
    ctx.emit({"task_id": task.id, "files": [str(f) for f in files]}, "\n".join(map(str, files)))
    return EXIT_OK


def _cmd_presets(ctx: Context) -> int:
    with ctx.client() as client:
        page = client.presets(ctx.args.type, page=ctx.args.page, page_size=ctx.args.page_size)
    text = "\n".join(f"{p.id}\t{p.name}\t{p.image_url}" for p in page.items)
    ctx.emit(asdict(page), text or "(no presets)")
    return EXIT_OK


def _cmd_credits(ctx: Context) -> int:
    with ctx.client() as client:
        credits = client.credits()
    text = f"remaining {credits.remaining} of {credits.total} (used {credits.used})"
    ctx.emit(asdict(credits), text)
    return EXIT_OK


def _cmd_batch(ctx: Context) -> int:
    manifest = Path(ctx.args.manifest)
    jobs = load_manifest(manifest)
    state_file = Path(ctx.args.state_file or f"{manifest}.state.json")
    output = Path(ctx.args.output).absolute()
    line = BatchLine()
    last: list[BatchProgress] = []

    def on_progress(progress: BatchProgress) -> None:
        last[:] = [progress]
        ctx.progress.message(line.text(progress))

    with ctx.client() as client:
        report = client.batch(
            jobs,
            state_file=state_file,
            output_dir=output,
            poll_interval=ctx.args.poll_interval,
            retry_ambiguous=ctx.args.retry_ambiguous,
            retry_failed=ctx.args.retry_failed,
            on_progress=on_progress,
        )
    if last:
        ctx.progress.message(line.text(last[0]), final=True)
    ctx.progress.done()
    rows = [asdict(r) for r in report.records]
    text = "\n".join(
        f"{r.id}\t{r.state}\t{r.task_id or '-'}\t{r.error or ', '.join(r.files)}"
        for r in report.records
    )
    ctx.emit({"state_file": str(state_file), "output": str(output), "jobs": rows}, text)
    if not ctx.args.quiet:
        _say_where_earlier_results_are(report.records, output)
    bad = report.with_state("failed", "ambiguous")
    return EXIT_TASK if bad else EXIT_OK


def _say_where_earlier_results_are(records: Sequence[JobRecord], output: Path) -> None:
    """A rerun creates and downloads nothing for jobs already done: when their results are
    not under this run's -o, say where they are rather than leave the folder silently empty."""
    elsewhere: dict[Path, int] = {}
    for record in records:
        if record.state != "done" or not record.files:
            continue
        folder = Path(record.files[0]).absolute().parent.parent
        if not folder.is_relative_to(output):
            elsewhere[folder] = elsewhere.get(folder, 0) + 1
    for folder, count in elsewhere.items():
        _report(
            f"{count} job{'s' if count > 1 else ''} had finished in an earlier run; "
            f"their results stay in {folder}/<job id>/, not in {output} "
            "(-o applies to jobs that finish in this run)"
        )


def _report(message: str) -> None:
    print(f"sellerpic: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["mock"]:
        # The command of earlier versions: the simulator is a separate install and command.
        _report(
            "the offline simulator is its own command: run `sellerpic-mock "
            + " ".join(args_list[1:] or ["serve"])
            + "` (pip install 'sellerpic-kit[simulator]' if it is missing)"
        )
        return EXIT_USAGE
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except UsageError as exc:
        _report(str(exc))
        return EXIT_USAGE
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    ctx = Context(args)
    handler: Callable[[Context], int] = args.handler
    try:
        return handler(ctx)
    except KeyboardInterrupt:
        ctx.progress.done()
        _report("interrupted")
        return EXIT_INTERRUPTED
    except (TaskFailedError, TaskTimeoutError, TaskNotFinishedError) as exc:
        ctx.progress.done()
        return _fail(ctx, exc, EXIT_TASK)
    except InvalidInputError as exc:
        ctx.progress.done()
        return _fail(ctx, exc, EXIT_USAGE)
    except AuthenticationError as exc:
        ctx.progress.done()
        # No key at all is the user's mistake; a refused key is the API's answer.
        return _fail(ctx, exc, EXIT_USAGE if exc.status_code is None else EXIT_API)
    except SellerPicError as exc:
        ctx.progress.done()
        return _fail(ctx, exc, EXIT_API)
    except (OSError, ValueError) as exc:
        ctx.progress.done()
        return _fail(ctx, exc, EXIT_USAGE)


def _fail(ctx: Context, exc: Exception, code: int) -> int:
    if ctx.json:
        payload: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc)}
        for name in ("code", "trace_id", "status_code", "task_id"):
            if getattr(exc, name, None) is not None:
                payload[name] = getattr(exc, name)
        if isinstance(exc, TaskFailedError):
            payload["failures"] = [asdict(f) for f in exc.failures]
        print(json.dumps(payload, indent=2))
    _report(str(exc))
    return code


__all__ = ["_package", "build_parser", "main"]
