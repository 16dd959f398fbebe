"""SIGKILL the `sellerpic batch` CLI at seeded random moments, resume it, and audit: every job's
results on disk once, no task created twice, no resume creating a task for a job that had one,
credits equal to what was delivered (plus the images of ambiguous jobs the server created)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sellerpic import SellerPic
from sellerpic.batch import load_state
from tests.reliability.conftest import LONG
from tests.reliability.secretscan import SecretScan
from tests.reliability.simulator import Simulator, read_ledger
from tests.reliability.soak import Snapshot, SoakConfig, SoakResult, audit, build_jobs

API_KEY = "sk-live-SECRET-cli-kill-4b1d8e2a9c6f"
SELLERPIC = Path(sys.executable).parent / "sellerpic"


def _run_with_kills(
    tmp_path: Path, jobs: int, kills: int, seed: int, scan: SecretScan
) -> tuple[SoakResult, list[int]]:
    rng = random.Random(seed)
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps({"jobs": build_jobs(jobs, tmp_path / "inputs")}))
    state = tmp_path / "jobs.state.json"
    out = tmp_path / "out"
    snapshots: list[Snapshot] = []
    exits: list[int] = []
    started = time.monotonic()
    with Simulator(tmp_path / "data", {API_KEY: 100 * jobs}, ["--speed", "10"]) as sim:
        sim.start()
        env = {**os.environ, "SELLERPIC_API_KEY": API_KEY, "SELLERPIC_BASE_URL": sim.url}
        cmd = [str(SELLERPIC), "batch", str(manifest), "--state-file", str(state)]
        cmd += ["-o", str(out), "--poll-interval", "0.05", "-q", "--json"]
        for run in range(kills + 1):
            existing = load_state(state)
            snapshots.append(Snapshot.of(existing))
            log = tmp_path / f"cli.{run}.log"
            with log.open("wb") as sink:
                proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)
                if run < kills:
                    # Early kills land in start-up and uploads, later ones in creates and polls.
                    time.sleep(rng.uniform(0.4, 0.8 + 0.25 * run))
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                exits.append(proc.wait(180))
            scan.check_text(log.read_text(errors="replace"), f"CLI output of run {run}")
            if exits[-1] in (0, 4) and run < kills:
                break  # finished before the planned kill
        assert exits[-1] in (0, 4), (exits, log.read_text()[-3000:])
        time.sleep(0.6)  # every task finishes (speed 10: 0.4 s), then one call settles them
        with SellerPic(API_KEY, base_url=sim.url) as clean:
            clean.credits()
    for problem in scan.findings("simulator log", sim.log_text()):
        scan.problems.append(problem)
    ledger = read_ledger(sim.data_dir, API_KEY)
    result = SoakResult(SoakConfig(tasks=jobs), {}, ledger, {}, 0, len(exits) - 1, 0, True, 0.0)
    result.seconds = time.monotonic() - started
    audit(state, out, ledger, snapshots[1:], result)
    return result, exits


SEEDS = [101, 202, 303, 404, 505, 606] if LONG else [101, 202]


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_cli_batch_and_resume(tmp_path: Path, seed: int, secret_scan: SecretScan) -> None:
    secret_scan.keys.append(API_KEY)
    jobs, kills = (60, 8) if LONG else (15, 3)
    result, exits = _run_with_kills(tmp_path, jobs, kills, seed, secret_scan)
    c = result.counts
    print(
        f"sigkill seed={seed}: runs={len(exits)} exits={exits} killed="
        f"{sum(e == -signal.SIGKILL for e in exits)} done={c['done']} failed={c['failed']} "
        f"ambiguous={c['ambiguous']} (created {c['ambiguous_created']}, absent "
        f"{c['ambiguous_absent']}) lost={c['lost']} duplicated={c['duplicated']} "
        f"recreated={c['recreated']} charged={result.ledger.charged} refunded="
        f"{result.ledger.refunded} net={result.ledger.used} delivered={c['delivered']} "
        f"+{c['undelivered']} in {result.seconds:.1f}s"
    )
    assert result.ok, "\n".join(result.problems)
    assert any(e == -signal.SIGKILL for e in exits), exits
    assert c["done"] + c["failed"] + c["ambiguous"] == jobs
    assert c["lost"] == c["duplicated"] == c["recreated"] == 0


def test_completed_download_removes_partial_files_of_a_killed_run(tmp_path: Path) -> None:
    """Regression: a SIGKILL mid-download left `.NAME.xxxx.part` beside the result for good.
    Only partial files whose process is gone are removed: a running process's are its own."""
    from sellerpic._results import PartialFile

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dest = tmp_path / "123_0.png"
    stale = tmp_path / f".123_0.png.{dead.stdout.strip()}.abcd1234.part"
    stale.write_bytes(b"half a file")
    older = tmp_path / ".123_0.png.abcd1234.part"  # the naming of earlier releases
    older.write_bytes(b"half a file")
    running = tmp_path / f".123_0.png.{os.getppid()}.abcd1234.part"
    running.write_bytes(b"another process's download in progress")
    other = tmp_path / ".999_0.png.abcd1234.part"
    other.write_bytes(b"another download in progress")
    part = PartialFile(dest, None, None)
    part.write(b"whole file")
    part.commit()
    assert dest.read_bytes() == b"whole file"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [other.name, running.name, dest.name]
    )
