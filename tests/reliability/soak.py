"""Soak: a resumable batch against a real `sellerpic-mock serve` under injected faults and a
restart (SIGKILL) of the simulator halfway, then an audit of disk and server ledger.

Guarantees checked (each broken one is listed and makes the script exit 1):
* nothing lost: every job is done with its results on disk exactly once, failed server-side
  (every output FAILED and refunded), or `ambiguous` (its create's answer was lost) - ambiguous
  jobs are reported, split by what the server really holds;
* nothing duplicated: no job has more than one task on the server, no task belongs to no job;
* resumes create nothing for jobs that already had a task (or an ambiguous create);
* credits: used == charged - refunded, and charged - refunded == images delivered + the
  successful images of ambiguous jobs the server did create (0 when there are none);
* the API key appears in no log line, exception text, repr, or simulator log.

Run: `python -m tests.reliability.soak --tasks 200` (or `make soak`); the last line printed is
the one-line summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from sellerpic import JobRecord, RetryPolicy, SellerPic, SellerPicError
from sellerpic.batch import load_state
from sellerpic_mock.testing import image_bytes, mask_bytes

from .faults import FaultInjector
from .secretscan import SecretScan
from .simulator import Ledger, ServerTask, Simulator, read_ledger

API_KEY = "sk-live-SECRET-soak-7f3c9a1e5b2d4f60"
OPERATIONS = ("remove-background", "instruct-edit", "try-on-accessories")
FAST_RETRY = RetryPolicy(
    max_retries=3, base_delay=0.05, max_delay=0.5, busy_base_delay=0.2, busy_max_delay=1.0
)


@dataclass(frozen=True)
class SoakConfig:
    tasks: int = 200
    #: Share of requests given a fault by the client-side injector.
    fault_rate: float = 0.08
    #: The simulator's own rate flags (--error-rate, --drop-rate).
    server_error_rate: float = 0.01
    server_drop_rate: float = 0.01
    slow_ms: int = 150
    restart: bool = True
    seed: int = 7
    speed: float = 20.0
    failure_rate: float = 0.05
    poll_interval: float = 0.1
    time_limit: float = 900.0
    max_resumes: int = 25


@dataclass
class JobAudit:
    job_id: str
    state: str
    tasks: list[ServerTask]
    files: list[str]


@dataclass
class SoakResult:
    config: SoakConfig
    jobs: dict[str, JobAudit]
    ledger: Ledger
    faults: dict[str, int]
    requests: int
    resumes: int
    restarts: int
    same_port: bool
    seconds: float
    problems: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        c = self.counts
        faults = sum(self.faults.values())
        port = "same port" if self.same_port else "new port"
        return (
            f"soak {'OK' if self.ok else 'FAILED'}: tasks={len(self.jobs)} done={c['done']} "
            f"failed={c['failed']} ambiguous={c['ambiguous']} "
            f"(created server-side {c['ambiguous_created']}, not created "
            f"{c['ambiguous_absent']}) | faults injected={faults} over {self.requests} "
            f"requests, restarts={self.restarts} ({port}), resumes={self.resumes} | "
            f"lost={c['lost']} duplicated={c['duplicated']} recreated-on-resume="
            f"{c['recreated']} | credits charged={self.ledger.charged} refunded="
            f"{self.ledger.refunded} net={self.ledger.used} vs images delivered="
            f"{c['delivered']} (+{c['undelivered']} undelivered in ambiguous jobs) | "
            f"{self.seconds:.1f}s"
        )


# --- inputs ------------------------------------------------------------------------------------
def build_jobs(count: int, folder: Path) -> list[dict[str, Any]]:
    """Jobs cycling through three operations; every job has its own input files."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs: list[dict[str, Any]] = []
    mask = folder / "mask.png"
    mask.write_bytes(mask_bytes())
    for n in range(count):
        op = OPERATIONS[n % len(OPERATIONS)]
        colour = (40 + n % 200, 90 + (n * 7) % 150, 30 + (n * 13) % 200)
        image = folder / f"job-{n:04d}.png"
        image.write_bytes(image_bytes(colour=colour))
        inputs: dict[str, Any]
        if op == "remove-background":
            inputs = {"image": str(image)}
        elif op == "instruct-edit":
            inputs = {"image": str(image), "prompt": f"make it brighter, job {n}"}
        else:
            product = folder / f"job-{n:04d}-product.png"
            product.write_bytes(image_bytes(colour=colour[::-1]))
            inputs = {
                "model_image": str(image),
                "model_mask": str(mask),
                "product_image": str(product),
            }
        jobs.append({"id": f"job-{n:04d}", "operation": op, "inputs": inputs})
    return jobs


# --- audit -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """The state file as a resume found it, and when."""

    at: float
    states: dict[str, str]

    @classmethod
    def of(cls, records: Mapping[str, JobRecord]) -> Snapshot:
        """Taken now. A job that failed before any task existed is told apart: a resume runs
        it again by design (nothing was created or charged for it)."""
        return cls(
            time.time(),
            {
                jid: "failed-before-task" if r.state == "failed" and r.task_id is None else r.state
                for jid, r in records.items()
            },
        )


def _to_download_again(records: list[JobRecord]) -> int:
    """Jobs whose task succeeded but whose files the run could not fetch."""
    return sum(1 for r in records if r.state == "failed" and r.task_id and not r.failures)


def job_keys(record: JobRecord) -> set[str]:
    found: set[str] = set()
    for value in (record.keys or {}).values():
        if isinstance(value, str) and value.startswith("UPLOAD/"):
            found.add(value)
    return found


def audit(
    state_file: Path,
    output_dir: Path,
    ledger: Ledger,
    snapshots: list[Snapshot],
    result: SoakResult,
) -> None:
    records = load_state(state_file)
    by_key: dict[str, str] = {}
    for record in records.values():
        for key in job_keys(record):
            by_key[key] = record.id
    owned: dict[str, list[ServerTask]] = {jid: [] for jid in records}
    c = result.counts
    problems = result.problems
    for server_task in ledger.tasks:
        owners = {by_key[k] for k in server_task.file_keys if k in by_key}
        if len(owners) != 1:
            c["duplicated"] += 1
            problems.append(f"server task {server_task.task.id} belongs to no single job")
            continue
        owned[owners.pop()].append(server_task)
        if not server_task.settled:
            problems.append(f"server task {server_task.task.id} never settled")
    for jid, record in sorted(records.items()):
        tasks = owned[jid]
        folder = output_dir / jid
        files = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        result.jobs[jid] = JobAudit(jid, record.state, tasks, files)
        c[record.state] += 1
        if len(tasks) > 1:
            c["duplicated"] += 1
            problems.append(f"{jid}: {len(tasks)} tasks on the server (charged more than once)")
            continue
        task = tasks[0] if tasks else None
        if record.state == "ambiguous":
            c["ambiguous_created" if task else "ambiguous_absent"] += 1
            if task is not None:
                c["undelivered"] += len(task.succeeded)
            if files:
                problems.append(f"{jid}: ambiguous but has files {files}")
            continue
        if task is None:
            c["lost"] += 1
            problems.append(f"{jid}: {record.state} with no task on the server: {record.error}")
            continue
        if record.task_id != task.task.id:
            problems.append(f"{jid}: state says task {record.task_id}, server has {task.task.id}")
        expected = sorted(f"{task.task.id}_{r.idx}.png" for r in task.succeeded)
        if record.state == "failed":
            if task.succeeded:
                c["lost"] += 1
                problems.append(f"{jid}: failed although {len(task.succeeded)} outputs succeeded")
            continue
        if record.state != "done" or files != expected:
            c["lost"] += 1
            problems.append(f"{jid}: state {record.state}, files {files}, expected {expected}")
            continue
        for name in files:
            with Image.open(folder / name) as img:
                img.verify()
        c["delivered"] += len(files)
    # A resume must not create a task for a job that already had one or was ambiguous.
    for snap in snapshots:
        for task in ledger.tasks:
            if task.task.created_at < snap.at:
                continue
            owner = next((by_key[k] for k in task.file_keys if k in by_key), None)
            if owner is not None and snap.states.get(owner) in (
                "creating",
                "created",
                "downloading",
                "done",
                "failed",
                "ambiguous",
            ):
                c["recreated"] += 1
                problems.append(f"{owner}: task {task.task.id} created by a resume")
    if ledger.used != ledger.charged - ledger.refunded:
        problems.append(
            f"credits: account used {ledger.used} != charged {ledger.charged} - refunded "
            f"{ledger.refunded}"
        )
    if ledger.used != c["delivered"] + c["undelivered"]:
        problems.append(
            f"credits: net {ledger.used} != delivered {c['delivered']} + undelivered "
            f"{c['undelivered']} (ambiguous jobs)"
        )


# --- the run -----------------------------------------------------------------------------------
class _Progress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.finished: set[str] = set()
        self.half = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, record: JobRecord) -> None:
        with self.lock:
            if record.state in ("done", "failed"):
                self.finished.add(record.id)
            if len(self.finished) * 2 >= self.total:
                self.half.set()


def _wait_healthy(sim: Simulator, deadline: float) -> None:
    while time.monotonic() < deadline:
        if sim.proc is not None and sim.url and sim._healthy():
            return
        time.sleep(0.05)
    raise RuntimeError("the simulator did not come back")


def run_soak(
    config: SoakConfig,
    workdir: Path,
    scan: SecretScan | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> SoakResult:
    started = time.monotonic()
    deadline = started + config.time_limit
    scan = scan or SecretScan([API_KEY])
    sim = Simulator(
        workdir / "data",
        {API_KEY: 100 * config.tasks},
        [
            "--speed",
            str(config.speed),
            "--failure-rate",
            str(config.failure_rate),
            "--seed",
            str(config.seed),
            "--error-rate",
            str(config.server_error_rate),
            "--drop-rate",
            str(config.server_drop_rate),
            "--fault-seed",
            str(config.seed),
        ],
    )
    jobs = build_jobs(config.tasks, workdir / "inputs")
    state_file = workdir / "batch.state.json"
    output_dir = workdir / "out"
    injector = FaultInjector(httpx.HTTPTransport(), config.fault_rate, config.seed, config.slow_ms)
    progress = _Progress(config.tasks)
    snapshots: list[Snapshot] = []
    restarts = 0
    stop_restarter = threading.Event()

    def restarter() -> None:
        nonlocal restarts
        while not stop_restarter.is_set() and time.monotonic() < deadline:
            if progress.half.wait(0.1):
                log(f"restarting the simulator (SIGKILL) at {len(progress.finished)} jobs")
                sim.restart()
                restarts += 1
                log(f"simulator back on {sim.url}")
                return

    resumes = 0
    with sim:
        sim.start()
        thread = threading.Thread(target=restarter, daemon=True)
        if config.restart:
            thread.start()
        try:
            while True:
                if time.monotonic() > deadline:
                    raise RuntimeError("soak time limit reached")
                _wait_healthy(sim, deadline)
                http = httpx.Client(transport=injector)
                client = SellerPic(
                    API_KEY,
                    base_url=sim.url,
                    http_client=http,
                    timeout=10.0,
                    retry_policy=FAST_RETRY,
                    poll_interval=config.poll_interval,
                )
                scan.check_text(repr(client), "client repr")
                existing = load_state(state_file)
                snapshots.append(Snapshot.of(existing))
                try:
                    report = client.batch(
                        jobs,
                        state_file=state_file,
                        output_dir=output_dir,
                        poll_interval=config.poll_interval,
                        on_event=progress,
                    )
                    undelivered = _to_download_again(report.records)
                    if not undelivered:
                        break
                    # What the docs tell a user: a job whose results could not be fetched
                    # (refused twice, or denied after a new URL) is downloaded by the next run,
                    # without creating it again.
                    resumes += 1
                    log(f"{undelivered} job(s) without their results; rerun #{resumes}")
                    if resumes > config.max_resumes:
                        raise RuntimeError("results still undelivered after the reruns")
                except SellerPicError as exc:
                    scan.check_exception(exc)
                    resumes += 1
                    log(f"batch stopped ({type(exc).__name__}: {exc}); resume #{resumes}")
                    if resumes > config.max_resumes:
                        raise
                    time.sleep(0.2)
            stop_restarter.set()
            if thread.is_alive():
                thread.join(30)
            # Let every task finish, then one clean usage call settles them all.
            time.sleep(5.0 / config.speed)
            injector.enabled = False
            _wait_healthy(sim, deadline)
            with SellerPic(API_KEY, base_url=sim.url, timeout=10.0) as clean:
                clean.credits()
        finally:
            stop_restarter.set()
            injector.close()
            sim.stop()
    ledger = read_ledger(sim.data_dir, API_KEY)
    faults = dict(injector.injected)
    for name, count in injector.server_injected.items():
        faults[f"server:{name}"] = count
    result = SoakResult(
        config,
        {},
        ledger,
        faults,
        injector.requests,
        resumes,
        restarts,
        sim.same_port_restarts == restarts,
        time.monotonic() - started,
    )
    audit(state_file, output_dir, ledger, snapshots[1:], result)
    if config.restart and restarts != 1:
        result.problems.append(f"expected one restart of the simulator, saw {restarts}")
    for problem in scan.findings("simulator log", sim.log_text()):
        result.problems.append(problem)
    result.problems.extend(scan.problems)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--fault-rate", type=float, default=SoakConfig.fault_rate)
    parser.add_argument("--seed", type=int, default=SoakConfig.seed)
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--time-limit", type=float, default=SoakConfig.time_limit)
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    parser.add_argument("--report", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    config = SoakConfig(
        tasks=args.tasks,
        fault_rate=args.fault_rate,
        seed=args.seed,
        restart=not args.no_restart,
        time_limit=args.time_limit,
    )
    scan = SecretScan([API_KEY])
    handler = scan.install(debug=True)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sellerpic-soak-"))
    try:
        result = run_soak(config, workdir, scan, log=lambda line: print(line, flush=True))
    except Exception as exc:
        text = "".join(traceback.format_exception(exc))
        print(text, file=sys.stderr)
        print(f"soak FAILED: aborted: {type(exc).__name__}: {exc}")
        return 1
    finally:
        logging.getLogger().removeHandler(handler)
    result.problems.extend(scan.problems)
    for problem in result.problems[:50]:
        print(f"PROBLEM: {problem}")
    print(f"faults by kind: {json.dumps(result.faults, sort_keys=True)}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(
            json.dumps(
                {
                    "summary": result.summary(),
                    "faults": result.faults,
                    "counts": dict(result.counts),
                    "problems": result.problems,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
