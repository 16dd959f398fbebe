"""`sellerpic batch` and `sellerpic download` as a user runs them: messages and exit codes for a
busy state file, ids that would pick a path, unfinished tasks, retryable jobs, manifest
mistakes, reruns with a new -o, and the live progress line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

sim = pytest.importorskip("sellerpic_mock.testing")
from sellerpic.cli import main  # noqa: E402
from sellerpic_mock.config import MockConfig  # noqa: E402

#: Nothing listens here: a command that sends anything fails with a connection error.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def slow_server() -> Iterator[str]:
    """Tasks take about 2 s: long enough to be caught unfinished."""
    with sim.run_server(MockConfig(created_seconds=0.5, running_seconds=1.5)) as url:
        yield url


@pytest.fixture
def env(server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("SELLERPIC_API_KEY", sim.DEMO_API_KEY)
    monkeypatch.setenv("SELLERPIC_BASE_URL", server)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.png").write_bytes(sim.image_bytes((64, 64)))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def manifest(folder: Path, text: str, name: str = "jobs.csv") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


# --- 16.8 ---------------------------------------------------------------------------------------
def test_a_second_batch_on_a_busy_state_file_exits_2_naming_it_and_the_pid(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = manifest(env, "id,operation,image\nx,remove-background,a.png\n")
    state = Path(f"{jobs}.state.json")
    code = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from sellerpic.batch import hold_state_lock
        with hold_state_lock(Path(sys.argv[1])):
            print("locked", flush=True)
            sys.stdin.read()
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        status, _out, err = run(capsys, "batch", str(jobs), "--base-url", NOWHERE)
    finally:
        holder.communicate("", timeout=10)
    assert status == 2
    assert f"{state} is in use by another batch run (pid {holder.pid})" in err
    assert "nothing was sent" in err
    assert not state.exists()


# --- 16.1 / 17.2 downloads ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["../../x", "/etc/passwd", "12ab"])
def test_download_of_a_path_instead_of_a_task_id_exits_2(
    env: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    status, _out, err = run(capsys, "download", bad, "--base-url", NOWHERE, "-o", "out")
    assert status == 2
    assert f"{bad!r} is not a task id: task ids on this API are digit strings" in err
    assert not (env / "out").exists()


def test_download_of_an_unfinished_task_exits_4_and_says_how_to_wait(
    env: Path, slow_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: it printed {"files": []} and exited 0."""
    status, out, _ = run(
        capsys, "remove-background", "--image", "a.png", "--no-wait", "--base-url", slow_server
    )
    task_id = out.strip()
    assert status == 0 and task_id.isdigit()
    status, out, err = run(capsys, "download", task_id, "--base-url", slow_server, "-o", "out")
    assert status == 4
    assert f"task {task_id} is not finished" in err
    assert f"`sellerpic wait {task_id}`" in err and "--wait" in err
    assert not (env / "out").exists() or not list((env / "out").iterdir())
    status, out, err = run(
        capsys,
        "download",
        task_id,
        "--wait",
        "--poll-interval",
        "0.1",
        "--base-url",
        slow_server,
        "-o",
        "out",
    )
    assert status == 0, err
    assert out.strip() == str(Path("out") / f"{task_id}_0.png")


# --- 17.1 ---------------------------------------------------------------------------------------
def test_a_job_with_a_missing_input_runs_again_once_the_file_exists(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression: it stayed failed (exit 4) after the file was created."""
    jobs = manifest(
        env,
        """
        id,operation,image
        later,remove-background,b.png
        now,remove-background,a.png
        """,
    )
    args = ("batch", str(jobs), "-o", "out", "--poll-interval", "0.05", "--json")
    status, out, _err = run(capsys, *args)
    result = {j["id"]: j for j in json.loads(out)["jobs"]}
    assert status == 4 and result["later"]["state"] == "failed"
    assert "b.png" in result["later"]["error"]
    first_task = result["now"]["task_id"]
    (env / "b.png").write_bytes(sim.image_bytes((64, 64)))
    status, out, _err = run(capsys, *args)
    result = {j["id"]: j for j in json.loads(out)["jobs"]}
    assert status == 0 and result["later"]["state"] == "done"
    assert result["now"]["task_id"] == first_task  # done before: not created again


def test_retry_failed_says_it_charges_again(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--retry-failed" in help_text and "CHARGED AGAIN" in help_text


# --- 17.7 ---------------------------------------------------------------------------------------
def test_a_misspelled_operation_exits_2_with_the_job_and_the_closest_name(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = manifest(env, "id,operation,image\nshoe,remove-backgrund,a.png\n")
    status, _out, err = run(capsys, "batch", str(jobs), "--base-url", NOWHERE)
    assert status == 2
    assert "line 2 (id 'shoe'): unknown operation 'remove-backgrund'" in err
    assert "did you mean remove-background?" in err


# --- 17.8 ---------------------------------------------------------------------------------------
def test_a_rerun_with_a_new_output_says_where_the_results_are(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = manifest(env, "id,operation,image\nx,remove-background,a.png\n")
    status, _, _ = run(capsys, "batch", str(jobs), "-o", "first", "--poll-interval", "0.05")
    assert status == 0 and (env / "first" / "x").is_dir()
    status, out, err = run(capsys, "batch", str(jobs), "-o", "second", "--poll-interval", "0.05")
    assert status == 0
    assert f"1 job had finished in an earlier run; their results stay in {env / 'first'}" in err
    assert f"not in {env / 'second'}" in err
    assert str(env / "first" / "x") in out  # the listed files are where they are


def test_a_batch_on_a_terminal_draws_one_live_line_and_pipes_get_none(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = manifest(
        env,
        """
        id,operation,image
        one,remove-background,a.png
        two,remove-background,a.png
        """,
    )
    status, _out, err = run(capsys, "batch", str(jobs), "-o", "piped", "--poll-interval", "0.05")
    assert status == 0 and err == ""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    status, _out, err = run(
        capsys,
        "batch",
        str(jobs),
        "-o",
        "tty",
        "--state-file",
        "tty.state",
        "--poll-interval",
        "0.05",
    )
    assert status == 0
    assert err.count("\n") == 1 and err.endswith("\n")  # one line, redrawn in place
    frames = [frame for frame in err.rstrip("\n").split("\r\x1b[2K") if frame]
    assert frames[0].startswith("batch: 0/2 done, 0 failed, 0 in flight, 2 waiting")
    assert frames[-1] == "batch: 2/2 done, 0 failed, 0 in flight, 0 waiting, finished"
    status, _out, err = run(
        capsys,
        "batch",
        str(jobs),
        "-o",
        "json",
        "--state-file",
        "json.state",
        "--poll-interval",
        "0.05",
        "--json",
    )
    assert status == 0 and err == ""


def test_the_batch_line_estimates_from_the_jobs_finished_in_this_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sellerpic import BatchProgress
    from sellerpic.cli._progress import BatchLine

    now = [100.0]
    monkeypatch.setattr("sellerpic.cli._progress.time.monotonic", lambda: now[0])
    line = BatchLine()
    # 10 jobs were done by an earlier run: they say nothing about this run's pace.
    start = BatchProgress(total=50, done=10, failed=0, ambiguous=0, in_flight=0, waiting=40)
    assert line.text(start) == "batch: 10/50 done, 0 failed, 0 in flight, 40 waiting, ETA --"
    now[0] = 130.0  # 30 s for 4 jobs: 7.5 s each, 36 left
    later = BatchProgress(total=50, done=13, failed=1, ambiguous=0, in_flight=10, waiting=26)
    assert line.text(later) == "batch: 13/50 done, 1 failed, 10 in flight, 26 waiting, ETA 4m30s"
