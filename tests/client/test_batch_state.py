"""The batch state file (a journal of JSON lines) and the runner's bookkeeping, against the
emulated API: what is on disk at each durability point, what a load accepts and refuses, and
that a save appends a bounded number of bytes whatever the number of jobs."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from sellerpic import SellerPic, _batch_run
from sellerpic.batch import (
    STATE_VERSION,
    Job,
    JobRecord,
    StateFileError,
    append_state,
    load_state,
    record_line,
    save_state,
)

from .fakeapi import FakeApi, business

RB_CREATE = "/v1/api/generate/removeBackground"


def key(n: int) -> str:
    return f"UPLOAD/1/2025/01/01/{n:032x}.png"


def rb_jobs(count: int) -> list[Job]:
    return [Job("remove_background", {"image": key(n)}, f"job-{n:04d}") for n in range(count)]


def created_keys(api: FakeApi) -> list[str]:
    """The input file key of each create request, in the order they were sent."""
    found = []
    for request in api.requests:
        if request.url.path.startswith("/v1/api/generate/"):
            found.append(next(v for v in json.loads(request.content).values() if "UPLOAD/" in v))
    return found


def lines_of(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]


def test_journal_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    records = {
        "b": JobRecord("b", "remove_background"),
        "a": JobRecord("a", "segment_by_prompt", "uploaded", keys={"image": key(1)}),
    }
    save_state(path, records)
    changed = JobRecord("b", "remove_background", "created", task_id="17", keys={"image": key(2)})
    appended = append_state(path, [changed])
    assert appended == len(record_line(changed)) + 1
    loaded = load_state(path)
    assert list(loaded) == ["b", "a"]  # the order of first appearance
    assert loaded == {"b": changed, "a": records["a"]}
    # Human-readable: a header, then one JSON object per line.
    header, *rest = lines_of(path)
    assert header["format"] == "sellerpic-batch-state" and header["version"] == STATE_VERSION
    assert [line["id"] for line in rest] == ["b", "a", "b"]
    # A snapshot of the loaded records compacts to one line per job.
    save_state(path, loaded)
    assert len(lines_of(path)) == 3 and load_state(path) == loaded
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("tail", [b'{"id": "a", "operation": "remov', b"\x00\x00\x00\n", b"}\n"])
def test_torn_last_line_is_ignored(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "state.json"
    save_state(path, {"a": JobRecord("a", "remove_background", "uploaded")})
    append_state(path, [JobRecord("a", "remove_background", "creating")])
    with path.open("ab") as handle:
        handle.write(tail)
    assert load_state(path)["a"].state == "creating"


def test_complete_last_line_without_newline_counts(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(path, {"a": JobRecord("a", "remove_background")})
    with path.open("ab") as handle:
        handle.write(record_line(JobRecord("a", "remove_background", "created", "9")).encode())
    assert load_state(path)["a"].task_id == "9"


@pytest.mark.parametrize(
    "bad",
    [
        b'{"id": "a", "operation": "remov\n',
        b'{"id": "a", "operation": "remove_background", "state": "exploded"}\n',
        b'{"id": "a", "operation": "remove_background", "colour": "red"}\n',
        b"[1, 2]\n",
        b"\xff\xfe\n",
    ],
)
def test_damaged_line_in_the_middle_is_an_error_naming_it(tmp_path: Path, bad: bytes) -> None:
    path = tmp_path / "state.json"
    save_state(path, {"a": JobRecord("a", "remove_background")})
    with path.open("ab") as handle:
        handle.write(bad)
    append_state(path, [JobRecord("a", "remove_background", "uploaded")])
    with pytest.raises(StateFileError, match=rf"^{path}: line 3 is damaged"):
        load_state(path)


def test_refuses_empty_foreign_and_newer_files(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"")
    with pytest.raises(StateFileError, match="is empty"):
        load_state(path)
    path.write_text("hello\n")
    with pytest.raises(StateFileError, match="not a batch state file"):
        load_state(path)
    path.write_text('{"format": "sellerpic-batch-state", "version": 99}\n')
    with pytest.raises(StateFileError, match="version 99"):
        load_state(path)
    assert load_state(tmp_path / "missing.json") == {}


def _version_1_file(path: Path, records: dict[str, JobRecord]) -> None:
    """What the previous release wrote: one JSON object, one job per line, ids sorted."""
    jobs = ",\n".join(
        f"    {json.dumps(jid)}: {record_line(records[jid])}" for jid in sorted(records)
    )
    path.write_text(f'{{\n  "jobs": {{\n{jobs}\n  }},\n  "version": 1\n}}\n', encoding="utf-8")


def test_version_1_state_file_resumes(client: SellerPic, api: FakeApi, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    jobs = rb_jobs(4)
    keys = {"image": key(0)}
    _version_1_file(
        state,
        {
            "job-0000": JobRecord("job-0000", "remove_background", "created", "1777", keys),
            "job-0001": JobRecord("job-0001", "remove_background", "creating", None, keys),
            "job-0002": JobRecord("job-0002", "remove_background", "done", "1888", keys),
        },
    )
    assert load_state(state)["job-0000"].task_id == "1777"
    report = client.batch(jobs, state_file=state, output_dir=tmp_path / "out")
    states = {r.id: r.state for r in report.records}
    assert states == {
        "job-0000": "done",
        "job-0001": "ambiguous",
        "job-0002": "done",
        "job-0003": "done",
    }
    assert api.created == 1 and created_keys(api) == [key(3)]  # only the job never sent
    assert api.polls["1777"] >= 1 and "1888" not in api.polls
    assert lines_of(state)[0]["version"] == STATE_VERSION  # rewritten as a journal
    assert load_state(state) == {r.id: r for r in report.records}


def test_batch_writes_a_journal(client: SellerPic, api: FakeApi, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    report = client.batch(rb_jobs(3), state_file=state, output_dir=tmp_path / "out")
    assert report.ok
    header, *entries = lines_of(state)
    assert header["version"] == STATE_VERSION
    # The compaction at the start (one pending line per job), then one line per change.
    assert [(e["id"], e["state"]) for e in entries[:3]] == [
        (f"job-000{n}", "pending") for n in range(3)
    ]
    for jid in ("job-0000", "job-0001", "job-0002"):
        trail = [e["state"] for e in entries if e["id"] == jid]
        assert trail[:4] == ["pending", "uploaded", "creating", "created"]
        # `downloading` has no save of its own: the job's `done` may overtake it.
        assert trail[4:] in (["downloading", "done"], ["done"])
    assert load_state(state) == {r.id: r for r in report.records}
    # The next run compacts: one line per job.
    report = client.batch(rb_jobs(3), state_file=state, output_dir=tmp_path / "out")
    assert len(lines_of(state)) == 4 and api.created == 3


def test_durability_points(client: SellerPic, api: FakeApi, tmp_path: Path) -> None:
    """`creating` is on disk before the create is sent, the task id before the first poll."""
    state = tmp_path / "state.json"
    seen: list[tuple[str, str | None]] = []

    def on_create(request: httpx.Request) -> None:
        record = load_state(state)["job-0000"]
        seen.append((record.state, record.task_id))

    def on_poll(request: httpx.Request) -> None:
        record = load_state(state)["job-0000"]
        seen.append((record.state, record.task_id))

    api.fault(RB_CREATE, on_create)
    api.fault("/v1/api/generate", on_poll)
    report = client.batch(rb_jobs(1), state_file=state, output_dir=tmp_path / "out")
    assert report.ok
    assert seen == [("creating", None), ("created", "1000000000000000001")]


def test_save_appends_bytes_independent_of_the_number_of_jobs(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    def appended(count: int) -> tuple[list[int], int]:
        """The bytes each save appended, and the longest line."""
        state = tmp_path / f"state-{count}.json"
        sizes: list[int] = []
        inodes: set[int] = set()
        first: list[bytes] = []

        def on_event(record: JobRecord) -> None:
            stat = state.stat()
            sizes.append(stat.st_size)
            inodes.add(stat.st_ino)
            if not first:
                first.append(state.read_bytes())

        report = client.batch(
            rb_jobs(count), state_file=state, output_dir=tmp_path / "out", on_event=on_event
        )
        assert report.ok
        # Appended to, never rewritten during the run: same file, earlier bytes unchanged.
        assert len(inodes) == 1 and state.read_bytes().startswith(first[0])
        longest = max(len(line) + 1 for line in state.read_text().splitlines()[1:])
        deltas = [after - before for before, after in pairwise(sizes)]
        return [d for d in deltas if d], longest

    small, longest = appended(5)
    large, _ = appended(300)
    # A save appends the lines of the jobs changed since the last one: its own job, plus the
    # `downloading` moves (no save of their own) of at most the 10 tasks in flight.
    assert max(large) <= 11 * longest < 300 * 100
    # Per save, on average, the same whatever the number of jobs (about one line).
    mean_small, mean_large = sum(small) / len(small), sum(large) / len(large)
    assert mean_large <= mean_small * 1.1 and mean_large < 2 * longest


def test_jobs_start_in_job_order_across_operations(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    jobs: list[Job] = []
    for n in range(12):
        jobs.append(Job("remove_background", {"image": key(2 * n)}, f"rb-{n:02d}"))
        jobs.append(Job("segment_by_prompt", {"image": key(2 * n + 1), "prompt": "x"}, f"sp{n}"))
    report = client.batch(jobs, state_file=tmp_path / "s.json", output_dir=tmp_path / "out")
    assert report.ok and [r.id for r in report.records] == [j.id for j in jobs]
    sent = created_keys(api)
    # The first pass fills both operations in job order: segment-by-prompt's limit is 5.
    assert sent[:10] == [key(n) for n in range(10)]
    assert sent[10:15] == [key(10), key(12), key(14), key(16), key(18)]
    # Each operation's jobs start in job order.
    assert [k for k in sent if int(k[-36:-4], 16) % 2 == 0] == [key(2 * n) for n in range(12)]
    assert [k for k in sent if int(k[-36:-4], 16) % 2] == [key(2 * n + 1) for n in range(12)]


def test_job_refused_with_30003_keeps_its_place(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.fault(RB_CREATE, business(30003, "concurrency limit"))
    report = client.batch(rb_jobs(4), state_file=tmp_path / "s.json", output_dir=tmp_path / "o")
    assert report.ok
    assert created_keys(api) == [key(0), key(0), key(1), key(2), key(3)]


def test_resume_follows_the_job_list_order(client: SellerPic, api: FakeApi, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    ids = ["zeta", "alpha", "mid"]
    saved = {jid: JobRecord(jid, "remove_background") for jid in sorted(ids)}
    _version_1_file(state, saved)
    jobs = [Job("remove_background", {"image": key(n)}, jid) for n, jid in enumerate(ids)]
    report = client.batch(jobs, state_file=state, output_dir=tmp_path / "out")
    assert [r.id for r in report.records] == ids
    assert created_keys(api) == [key(0), key(1), key(2)]


def test_journal_compacted_when_it_grows_mid_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_batch_run, "_compact_after", lambda jobs: 10)
    state = tmp_path / "state.json"
    records = {f"j{n}": JobRecord(f"j{n}", "remove_background") for n in range(3)}
    run = _batch_run.Run(records, {}, state, None)
    run.compact()
    for n in range(40):
        record = records[f"j{n % 3}"]
        run.update(record, "uploaded" if n % 2 else "pending", error=str(n))
        assert load_state(state) == records
        assert len(lines_of(state)) <= 1 + 3 + 10
    assert run.waiting_count() == 3 and run.in_flight_count() == 0
