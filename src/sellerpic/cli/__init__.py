"""The `sellerpic` command line.

Exit codes: 0 success; 2 user error (bad arguments, missing or invalid local file, no API key);
3 API or network error; 4 a task failed or did not finish in time (batch: a job failed or is
ambiguous); 130 interrupted.

The parser is built from the operation table alone: the client, httpx, the generated package
and Pillow are imported only once a command runs, so help and argument errors are instant.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from .._operations import (
    OPERATIONS,
    Operation,
    Param,
    find_operation,
    match_choice,
)
from .._version import __version__
from ..errors import (
    BASE_URL_HINT,
    AuthenticationError,
    InvalidInputError,
    SellerPicError,
    TaskFailedError,
    TaskNotFinishedError,
    TaskTimeoutError,
)
from ._progress import BatchLine, Progress

TYPE_CHECKING = False  # see sellerpic/__init__.py
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from ..batch import BatchProgress, JobRecord
    from ..client import SellerPic
    from ..tasks import Task, TaskStatus

#: `sellerpic.uploads.UPLOAD_MODES` (a test keeps them equal; importing it loads httpx).
UPLOAD_MODES = ("presigned", "multipart")
#: The spec's DownloadFormat and PresetType. Copies, because the parser is built on every
#: start and reading the catalogue costs the help more than the rest of it; a test keeps them
#: equal to `sellerpic_spec`.
DOWNLOAD_FORMATS = ("png", "jpg", "webp", "mp4", "gif")
PRESET_TYPES = ("SWAP_MODEL", "SWAP_MODEL_SCENE", "AI_BACKGROUND", "BACKGROUND")
#: `sellerpic._logging.LOG_LEVELS`.
LOG_LEVELS = ("debug", "info", "warning", "error")
CLI_BASE_URL_HINT = "check --base-url / SELLERPIC_BASE_URL"

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
  sellerpic batch jobs.csv -o out/            # resumable; see `sellerpic batch --help`
  sellerpic-mock serve --port 8080 --ephemeral # offline simulator
  SELLERPIC_BASE_URL=http://127.0.0.1:8080 SELLERPIC_API_KEY=sk-sellerpic-demo sellerpic credits
  sellerpic --log-level info credits           # one line per request (or SELLERPIC_LOG=info)

Common options go before or after the command. Names of operations, preset types and formats
may be written kebab-case, snake_case or as the API spells them (swap-model, SWAP_MODEL).

exit codes: 0 ok, 2 user error, 3 API/network error, 4 task failed or timed out, 130 interrupted
"""


class UsageError(Exception):
    """Raised instead of argparse's sys.exit so every exit goes through `main`."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")


# --- parser ------------------------------------------------------------------------------------
def _choice(choices: tuple[str, ...], name: str) -> Callable[[str], str]:
    """An argparse type accepting any spelling of a choice (see `match_choice`)."""

    def convert(value: str) -> str:
        try:
            return match_choice(value, choices, name)
        except InvalidInputError as exc:
            raise argparse.ArgumentTypeError(exc.msg) from None

    convert.__name__ = name  # argparse names the type in some messages
    return convert


#: Options every command takes, before or after the command's name: `sellerpic --json
#: credits` and `sellerpic credits --json` are the same. (name, takes a value)
_COMMON: tuple[tuple[str, bool], ...] = (
    ("--api-key", True),
    ("--base-url", True),
    ("--upload-mode", True),
    ("--max-retries", True),
    ("--request-timeout", True),
    ("--log-level", True),
    ("--json", False),
    ("-q", False),
    ("--quiet", False),
)


def _common_options(*, after_command: bool) -> _Parser:
    """The common options; after the command they default to "not given" (SUPPRESS) so that
    they do not overwrite what was given before it."""
    common = _Parser(add_help=False)
    group = common.add_argument_group("connection and output")

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if after_command else value

    group.add_argument(
        "--api-key", default=default(None), help="API key (default: $SELLERPIC_API_KEY)"
    )
    group.add_argument(
        "--base-url",
        default=default(None),
        help="API base URL, the server's root (default: $SELLERPIC_BASE_URL or the real API)",
    )
    group.add_argument(
        "--upload-mode",
        type=_choice(UPLOAD_MODES, "upload-mode"),
        choices=UPLOAD_MODES,
        default=default("presigned"),
    )
    group.add_argument("--max-retries", type=int, default=default(None))
    group.add_argument(
        "--request-timeout",
        type=float,
        default=default(None),
        help="seconds one HTTP request may take as a whole, connect to last byte",
    )
    group.add_argument(
        "--log-level",
        type=_choice(LOG_LEVELS, "log-level"),
        choices=LOG_LEVELS,
        default=default(None),
        help="log each request on stderr (operation, method, URL without secrets, status, "
        "time, retries); default: $SELLERPIC_LOG",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print machine-readable JSON on stdout",
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="no progress on stderr"
    )
    return common


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        help="seconds between status calls (default 60 against the real API, 1 elsewhere)",
    )
    parser.add_argument("--wait-timeout", type=float, default=None, help="give up after N seconds")


def _download_options(
    parser: argparse.ArgumentParser, formats: tuple[str, ...] = DOWNLOAD_FORMATS
) -> None:
    parser.add_argument("-o", "--output", default=".", help="directory for results (default .)")
    parser.add_argument(
        "--format", type=_choice(formats, "format"), choices=formats, help="output format"
    )
    parser.add_argument("--uhd", action="store_true", help="high-resolution output (images)")


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
            kwargs["type"] = _choice(param.choices, flag[2:])
            kwargs.pop("metavar")
    parser.add_argument(flag, **kwargs)


class _Skipped(_Parser):
    """A command not named on the command line: listed in the help, its options not built
    (building all of them was most of the CLI's start-up)."""

    def add_argument(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def set_defaults(self, **kwargs: Any) -> None:
        return None


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Sub-commands, built in full only for `wanted` (all of them when it is "*")."""

    wanted: str | None = "*"

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self.wanted in ("*", name):
            return super().add_parser(name, **kwargs)
        kwargs.pop("parents", None)
        built_by = self._parser_class
        self._parser_class = _Skipped
        try:
            return super().add_parser(name, **kwargs)
        finally:
            self._parser_class = built_by


def build_parser(command: str | None = "*") -> argparse.ArgumentParser:
    """The whole parser, or (with `command`) one whose other sub-commands are only listed."""
    common = _common_options(after_command=True)
    parser = _Parser(
        prog="sellerpic",
        description="SellerPic AI from the command line: upload, create tasks, wait, download.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(after_command=False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, action=_Commands
    )
    assert isinstance(commands, _Commands)
    commands.wanted = command
    for op in OPERATIONS.values():
        sub = commands.add_parser(
            op.cli_name,
            parents=[common],
            help=op.summary,
            description=f"{op.summary}. Images take a local path (checked, then uploaded) or "
            "a file key (UPLOAD/...). Without --no-wait: create, wait, download.",
        )
        if isinstance(sub, _Skipped):
            continue  # its inputs' choices and formats are the spec's: read only when named
        for param in op.params:
            _add_param(sub, param)
        sub.add_argument("--no-wait", action="store_true", help="print the task id and exit")
        _wait_options(sub)
        _download_options(sub, op.formats)
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
    sub.add_argument("type", choices=PRESET_TYPES, type=_choice(PRESET_TYPES, "preset type"))
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
    sub.add_argument(
        "manifest",
        help="jobs file: .json, .yaml/.yml (a list of {id, operation, inputs...}) or .csv "
        "(columns id, operation and one per input)",
    )
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
        key = self.args.api_key or os.environ.get("SELLERPIC_API_KEY") or ""
        if not key.strip():
            raise AuthenticationError("no API key: pass --api-key KEY or set SELLERPIC_API_KEY")
        from ..client import SellerPic

        return SellerPic(
            key,
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
    # Everything that can be checked here is, before the create spends credits.
    if not ctx.args.no_wait:
        op.check_output(ctx.args.format, ctx.args.uhd)
    for param in op.params:
        if inputs[param.name] is not None and param.kind not in ("image", "mask"):
            inputs[param.name] = param.check(inputs[param.name])
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
    from ._manifest import load_manifest

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


def _command_index(argv: list[str]) -> int | None:
    """Where the command is: the first word that is neither a common option nor its value."""
    takes_value = {name for name, value in _COMMON if value}
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            return None
        if word.startswith("-"):
            index += 2 if word in takes_value else 1
            continue
        return index
    return None


def _command_spelled_as_listed(argv: list[str]) -> list[str]:
    """`remove_background` and `removeBackground` name `remove-background`."""
    index = _command_index(argv)
    if index is None:
        return argv
    word = argv[index]
    if "_" in word or any(c.isupper() for c in word):
        with contextlib.suppress(InvalidInputError):
            return [*argv[:index], find_operation(word).cli_name, *argv[index + 1 :]]
    return argv


def _start_logging(level: str | None) -> None:
    chosen = level or os.environ.get("SELLERPIC_LOG", "").strip().lower() or None
    if chosen is None:
        return
    if chosen not in LOG_LEVELS:
        raise UsageError(
            f"sellerpic: SELLERPIC_LOG={chosen!r} is not one of {', '.join(LOG_LEVELS)}"
        )
    from .._logging import configure_logging

    _stop_logging.append(configure_logging(chosen))


#: Undoes the logging set up for one `main` call (tests call `main` many times per process).
_stop_logging: list[Callable[[], None]] = []


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
    args_list = _command_spelled_as_listed(args_list)
    index = _command_index(args_list)
    parser = build_parser(None if index is None else args_list[index])
    try:
        args = parser.parse_args(args_list)
        _start_logging(args.log_level)
    except UsageError as exc:
        # The parser's message already starts with the program's name.
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    ctx = Context(args)
    try:
        return _run(ctx)
    finally:
        while _stop_logging:
            _stop_logging.pop()()


def _run(ctx: Context) -> int:
    handler: Callable[[Context], int] = ctx.args.handler
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
    message = str(exc).replace(BASE_URL_HINT, CLI_BASE_URL_HINT)
    if ctx.json:
        payload: dict[str, Any] = {"error": type(exc).__name__, "message": message}
        for name in ("code", "trace_id", "status_code", "task_id", "field", "url"):
            if getattr(exc, name, None) is not None:
                payload[name] = getattr(exc, name)
        if getattr(exc, "maybe_processed", False):
            payload["maybe_processed"] = True
        if isinstance(exc, TaskFailedError):
            payload["failures"] = [asdict(f) for f in exc.failures]
        print(json.dumps(payload, indent=2))
    _report(message)
    return code


__all__ = ["_package", "build_parser", "main"]
