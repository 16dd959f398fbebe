"""Batch runs against the emulated API: one run per state file, ids that cannot pick paths,
refused results that fail one job, failed jobs that run again when that cannot charge twice,
the manifest's job shapes in Python, and errors that name the job."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sellerpic import BatchProgress, InvalidInputError, Job, SellerPic
from sellerpic.batch import StateFileError, StateFileLockedError, load_state, lock_path
from sellerpic.cli._manifest import load_manifest

from .conftest import png
from .fakeapi import FakeApi, Fault, business, envelope, status

RB_CREATE = "/v1/api/generate/removeBackground"


def key(n: int) -> str:
    return f"UPLOAD/1/2025/01/01/{n:032x}.png"


def rb_jobs(count: int) -> list[Job]:
    return [Job("remove_background", {"image": key(n)}, f"job-{n}") for n in range(count)]


def states(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.id: r.state for r in report.records}


def creates(api: FakeApi) -> int:
    return sum(n for path, n in api.calls.items() if path.startswith("/v1/api/generate/"))


# --- 16.8 one run per state file ---------------------------------------------------------------
@pytest.fixture
def other_run(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the state file's lock, as a running batch does."""
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
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "run.state.json")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    try:
        yield proc
    finally:
        proc.communicate("", timeout=10)


def test_a_second_run_of_one_batch_stops_at_once_naming_the_file_and_pid(
    client: SellerPic, api: FakeApi, tmp_path: Path, other_run: subprocess.Popen[str]
) -> None:
    """Regression: two runs on one state file created tasks for the same jobs twice."""
    state = tmp_path / "run.state.json"
    with pytest.raises(StateFileLockedError) as caught:
        client.batch(rb_jobs(3), state_file=state, output_dir=tmp_path / "out")
    message = str(caught.value)
    assert str(state) in message and f"pid {other_run.pid}" in message
    assert caught.value.pid == other_run.pid
    assert api.requests == [] and not state.exists()


def test_the_lock_is_freed_when_a_run_ends(client: SellerPic, api: FakeApi, tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    api.polls_before_done = 0
    assert client.batch(rb_jobs(1), state_file=state, output_dir=tmp_path / "o").ok
    assert lock_path(state).exists()  # left in place: deleting a lock file races
    assert client.batch(rb_jobs(2), state_file=state, output_dir=tmp_path / "o").ok
    assert creates(api) == 2


# --- 16.1 ids never pick a path ----------------------------------------------------------------
@pytest.mark.parametrize(
    "bad", ["../../../x", "/tmp/sellerpic-escaped-job", "a/b", ".hidden", "..", "a\nb"]
)
def test_a_job_id_that_is_not_one_folder_name_is_refused_before_anything_is_sent(
    client: SellerPic, api: FakeApi, tmp_path: Path, bad: str
) -> None:
    jobs = [Job("remove_background", {"image": key(1)}, bad)]
    with pytest.raises(InvalidInputError) as caught:
        client.batch(jobs, state_file=tmp_path / "s.json", output_dir=tmp_path / "out")
    assert repr(bad) in str(caught.value) and "job 1" in str(caught.value)
    assert api.requests == [] and list(tmp_path.iterdir()) == []


def test_a_manifest_job_id_that_escapes_is_refused_naming_the_line(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(f"id,operation,image\nok,remove-background,{key(1)}\n../../../x,rb,a\n")
    with pytest.raises(InvalidInputError, match=r"line 3 \(id '\.\./\.\./\.\./x'\).*folder"):
        load_manifest(manifest)


def test_a_task_id_from_the_server_that_is_not_digits_is_never_stored_or_used(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.fault(RB_CREATE, lambda request: envelope({"id": "../../escaped"}))
    state = tmp_path / "s.json"
    report = client.batch(rb_jobs(2), state_file=state, output_dir=tmp_path / "out")
    # The answer was not a usable id, but a task may exist: never sent again.
    assert states(report) == {"job-0": "ambiguous", "job-1": "done"}
    assert "escaped" not in "".join(load_state(state)["job-0"].files)
    assert load_state(state)["job-0"].task_id is None
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["job-1"]


def test_a_state_file_with_a_path_for_a_task_id_is_refused(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    state = tmp_path / "s.json"
    state.write_text(
        '{"format": "sellerpic-batch-state", "version": 2}\n'
        '{"id": "job-0", "operation": "remove_background", "state": "created",'
        ' "task_id": "../../x"}\n'
        '{"id": "job-1", "operation": "remove_background", "state": "pending"}\n'
    )
    with pytest.raises(StateFileError, match=r"line 2 .*'\.\./\.\./x' is not a digit string"):
        client.batch(rb_jobs(2), state_file=state, output_dir=tmp_path / "out")
    assert api.requests == []


# --- 16.4 a refused result fails its job, and the next run downloads it again ------------------
@pytest.mark.parametrize(
    ("refusal", "said", "times"),
    [
        (status(200, {"content-type": "text/html"}, b"<html>login</html>"), "HTML", 2),
        (status(404), "HTTP 404", 1),  # not retried: a 404 is an answer
    ],
    ids=["html", "gone"],
)
def test_a_result_refused_twice_fails_its_job_and_a_rerun_downloads_it(
    client: SellerPic, api: FakeApi, tmp_path: Path, refusal: Fault, said: str, times: int
) -> None:
    api.results_per_task = 1
    api.polls_before_done = 0
    first = f"/files/{1000000000000000001}0.png"  # the first task's only result
    api.fault(first, *[refusal] * times)
    state = tmp_path / "s.json"
    report = client.batch(rb_jobs(2), state_file=state, output_dir=tmp_path / "out")
    assert states(report) == {"job-0": "failed", "job-1": "done"}
    failed = report.records[0]
    assert failed.task_id == "1000000000000000001" and said in (failed.error or "")
    folder = tmp_path / "out" / "job-0"
    assert not folder.exists() or list(folder.iterdir()) == []
    again = client.batch(rb_jobs(2), state_file=state, output_dir=tmp_path / "out")
    assert states(again) == {"job-0": "done", "job-1": "done"}
    assert creates(api) == 2  # downloaded again, not created again
    (path,) = again.records[0].files
    assert Path(path).is_absolute() and Path(path).read_bytes().startswith(b"\x89PNG")


# --- 17.1 failed jobs that may run again -------------------------------------------------------
def test_a_job_that_failed_a_local_check_runs_again_once_fixed(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    """Regression: a job whose input file was missing stayed failed for good."""
    api.polls_before_done = 0
    picture = tmp_path / "shoe.png"
    jobs = [Job("remove_background", {"image": str(picture)}, "shoe")]
    state = tmp_path / "s.json"
    report = client.batch(jobs, state_file=state, output_dir=tmp_path / "out")
    assert states(report) == {"shoe": "failed"} and creates(api) == 0
    picture.write_bytes(png())
    report = client.batch(jobs, state_file=state, output_dir=tmp_path / "out")
    assert states(report) == {"shoe": "done"} and creates(api) == 1


@pytest.mark.parametrize(
    "refusal",
    [status(400), business(30004, "insufficient credits")],
    ids=["400", "30004"],
)
def test_a_create_the_api_refused_runs_again(
    client: SellerPic, api: FakeApi, tmp_path: Path, refusal: Fault
) -> None:
    api.polls_before_done = 0
    api.fault(RB_CREATE, refusal)
    state = tmp_path / "s.json"
    report = client.batch(rb_jobs(1), state_file=state, output_dir=tmp_path / "out")
    assert states(report) == {"job-0": "failed"} and report.records[0].task_id is None
    report = client.batch(rb_jobs(1), state_file=state, output_dir=tmp_path / "out")
    assert states(report) == {"job-0": "done"}


def test_a_job_whose_task_failed_is_created_again_only_with_retry_failed(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.polls_before_done = 0
    api.final_status = "FAILED"
    state = tmp_path / "s.json"
    out = tmp_path / "out"
    report = client.batch(rb_jobs(1), state_file=state, output_dir=out)
    assert states(report) == {"job-0": "failed"} and creates(api) == 1
    api.final_status = "SUCCESS"
    report = client.batch(rb_jobs(1), state_file=state, output_dir=out)
    assert states(report) == {"job-0": "failed"} and creates(api) == 1  # not charged again
    report = client.batch(rb_jobs(1), state_file=state, output_dir=out, retry_failed=True)
    assert states(report) == {"job-0": "done"} and creates(api) == 2


def test_python_jobs_take_the_manifest_shapes(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    """Regression: inputs next to `operation` failed every job with "needs image"."""
    api.polls_before_done = 0
    jobs: list[dict[str, Any]] = [
        {"id": "flat", "operation": "remove-background", "image": key(1)},
        {"id": "nested", "operation": "removeBackground", "inputs": {"image": key(2)}},
        {"operation": "segment_by_prompt", "image": key(3), "prompt": "cup"},
    ]
    report = client.batch(jobs, state_file=tmp_path / "s.json", output_dir=tmp_path / "out")
    assert states(report) == {"flat": "done", "nested": "done", "3-segment-by-prompt": "done"}


# --- 17.7 errors that name the job, the field, the choices and the closest one -----------------
@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        (
            "id,operation,image\nshoe,remove-backgrond,a.png\n",
            [
                "line 2 (id 'shoe')",
                "unknown operation 'remove-backgrond'",
                "did you mean remove-background?",
                "valid: try-on-accessories",
            ],
        ),
        (
            "id,operaton,image\nshoe,remove-background,a.png\n",
            ["line 2 (id 'shoe')", "no operation", "did you mean operation instead of 'operaton'"],
        ),
        (
            "operation,imgae,prompt\nsegment-by-prompt,a.png,cup\n",
            [
                "line 2:",
                "segment-by-prompt has no input 'imgae'",
                "did you mean image?",
                "its inputs: image, prompt",
            ],
        ),
    ],
    ids=["operation", "column", "input"],
)
def test_manifest_errors_name_the_job_the_field_and_the_closest_choice(
    tmp_path: Path, csv: str, expected: list[str]
) -> None:
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(csv)
    with pytest.raises(InvalidInputError) as caught:
        load_manifest(manifest)
    for part in expected:
        assert part in str(caught.value)


def test_json_manifest_errors_name_the_job_position(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.json"
    manifest.write_text(
        json.dumps([{"operation": "remove-background", "image": "a.png"}, {"operation": "swap"}])
    )
    with pytest.raises(InvalidInputError, match=r"jobs.json, job 2: unknown operation 'swap'"):
        load_manifest(manifest)


# --- 17.8 progress of the whole run ------------------------------------------------------------
def test_progress_counts_every_job_through_the_run(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.polls_before_done = 1
    seen: list[BatchProgress] = []
    client.batch(
        rb_jobs(3),
        state_file=tmp_path / "s.json",
        output_dir=tmp_path / "out",
        on_progress=seen.append,
    )
    assert seen[0] == BatchProgress(total=3, done=0, failed=0, ambiguous=0, in_flight=0, waiting=3)
    assert seen[-1] == BatchProgress(total=3, done=3, failed=0, ambiguous=0, in_flight=0, waiting=0)
    assert max(p.in_flight for p in seen) == 3
    assert all(p.done + p.failed + p.in_flight + p.waiting == 3 for p in seen)


def test_an_expired_url_then_html_still_fails_only_after_two_urls(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.results_per_task = 1
    api.polls_before_done = 0
    first = f"/files/{1000000000000000001}0.png"
    api.fault(first, status(403), lambda r: httpx.Response(200, content=b"<html>"))
    report = client.batch(rb_jobs(1), state_file=tmp_path / "s.json", output_dir=tmp_path / "o")
    assert states(report) == {"job-0": "failed"}
    assert api.calls["/v1/api/download"] == 2
