"""Downloads against the emulated API: the server never picks the path, only a checked file of
the asked format is kept, unfinished tasks are an error, results honour the umask, and two
downloads of one result into one folder do not disturb each other."""

from __future__ import annotations

import gzip
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sellerpic import (
    AsyncSellerPic,
    InvalidInputError,
    SellerPic,
    ServerError,
    TaskFailedError,
    TaskNotFinishedError,
)
from sellerpic._results import BadResultError

from .conftest import png
from .fakeapi import FakeApi, envelope, result_bytes

KEY_INPUT = "UPLOAD/1/2025/01/01/" + "ab" * 16 + ".png"
RB_CREATE = "/v1/api/generate/removeBackground"


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def answer(content: bytes, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return lambda request: httpx.Response(200, content=content, headers=headers)


# --- 16.1 the server never picks the output path -----------------------------------------------
@pytest.mark.parametrize("bad_id", ["../../escaped", "/tmp/sellerpic-escaped", "12/../../x", "1a"])
def test_a_task_id_that_is_not_digits_is_refused_and_nothing_written(
    client: SellerPic, api: FakeApi, tmp_path: Path, bad_id: str
) -> None:
    api.fault(RB_CREATE, lambda request: envelope({"id": bad_id}))
    out = tmp_path / "deep" / "er" / "out"
    with pytest.raises(ServerError) as caught:
        client.run("remove_background", image=KEY_INPUT, output_dir=out)
    assert repr(bad_id) in str(caught.value) and "digit string" in str(caught.value)
    assert tree(tmp_path) == []
    assert not Path("/tmp/sellerpic-escaped_0.png").exists()
    assert api.calls["/v1/api/download"] == 0


def test_a_task_id_given_by_the_user_must_be_digits(client: SellerPic, api: FakeApi) -> None:
    with pytest.raises(InvalidInputError, match=r"'\.\./x' is not a task id"):
        client.task("../x")
    assert not api.requests


def test_a_destination_outside_the_output_folder_is_refused(tmp_path: Path) -> None:
    from sellerpic._results import inside

    assert inside(tmp_path, "1_0.png") == tmp_path / "1_0.png"
    for name in ("../1_0.png", "/etc/x", "a/b.png", "..", ""):
        with pytest.raises(InvalidInputError, match="outside the output folder"):
            inside(tmp_path, name)


# --- 16.4 only the format asked for is kept ----------------------------------------------------
def finished_task(client: SellerPic, api: FakeApi, results: int = 1):  # type: ignore[no-untyped-def]
    api.results_per_task = results
    api.polls_before_done = 0
    task = client.remove_background(image=KEY_INPUT)
    task.wait()
    return task


def file_path(task, index: int = 0, fmt: str = "png") -> str:  # type: ignore[no-untyped-def]
    return f"/files/{task.results[index].id}.{fmt}"


def truncated_png() -> bytes:
    data = png((64, 64))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "body",
    [b"<!DOCTYPE html><html>Sign in</html>", b"", b'{"code": 0}', b"GIF89a" + b"\0" * 40],
    ids=["html", "empty", "json", "gif-as-png"],
)
def test_a_wrong_body_is_fetched_again_from_a_new_url(
    client: SellerPic, api: FakeApi, tmp_path: Path, body: bytes
) -> None:
    task = finished_task(client, api)
    api.fault(file_path(task), answer(body))
    files = task.download(tmp_path, format="png")
    assert files[0].read_bytes() == result_bytes("png")
    assert api.calls["/v1/api/download"] == 2  # a fresh URL for the second try
    assert tree(tmp_path) == [files[0].name]


@pytest.mark.parametrize(
    ("fmt", "body", "said"),
    [
        ("png", b"<html><body>Bad gateway</body></html>", "HTML"),
        ("png", b"", "empty"),
        ("png", truncated_png(), "damaged png"),
        ("mp4", png(), "is png, not a mp4"),
        ("jpg", result_bytes("webp"), "is webp, not a jpg"),
    ],
)
def test_a_wrong_body_twice_fails_and_leaves_nothing(
    client: SellerPic, api: FakeApi, tmp_path: Path, fmt: str, body: bytes, said: str
) -> None:
    task = finished_task(client, api)
    api.fault(file_path(task, fmt=fmt), answer(body), answer(body))
    with pytest.raises(BadResultError, match=said) as caught:
        task.download(tmp_path / "out", format=fmt)
    assert isinstance(caught.value, ServerError)
    assert "refused twice" in str(caught.value)
    assert tree(tmp_path) == ["out"]  # the folder, and nothing in it


def test_a_gzip_bomb_is_cut_off_at_the_documented_limit(
    client: SellerPic, api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sellerpic._results.MAX_RESULT_BYTES", 1024 * 1024)
    bomb = gzip.compress(result_bytes("png") + b"\0" * (8 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    task = finished_task(client, api)
    headers = {"content-encoding": "gzip", "content-type": "image/png"}
    api.fault(file_path(task), answer(bomb, headers), answer(bomb, headers))
    with pytest.raises(BadResultError, match="exceeds 1048576 bytes once decoded"):
        task.download(tmp_path, format="png")
    assert tree(tmp_path) == []


def test_an_announced_size_over_the_limit_is_refused_before_writing(
    client: SellerPic, api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sellerpic._results.MAX_RESULT_BYTES", 1000)
    task = finished_task(client, api)
    big = result_bytes("png") + b"\0" * 2000
    api.fault(file_path(task), answer(big), answer(big))
    with pytest.raises(BadResultError, match="announces"):
        task.download(tmp_path / "out", format="png")
    assert not (tmp_path / "out").exists()


# --- 17.2 an unfinished task is an error -------------------------------------------------------
def test_downloading_an_unfinished_task_raises(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.polls_before_done = 5
    task = client.remove_background(image=KEY_INPUT)
    with pytest.raises(TaskNotFinishedError) as caught:
        task.download(tmp_path)
    message = str(caught.value)
    assert "RUNNING" in message and f"sellerpic wait {task.id}" in message
    assert "--wait" in message
    assert tree(tmp_path) == []


def test_downloading_a_task_whose_outputs_all_failed_raises(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.polls_before_done = 0
    api.final_status = "FAILED"
    task = client.remove_background(image=KEY_INPUT)
    with pytest.raises(TaskFailedError, match="boom"):
        task.download(tmp_path)


# --- 17.3 results honour the umask -------------------------------------------------------------
@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_results_honour_the_umask(
    client: SellerPic, api: FakeApi, tmp_path: Path, umask: None, mask: int
) -> None:
    os.umask(mask)
    task = finished_task(client, api)
    (path,) = task.download(tmp_path, format="png")
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


# --- 16.8 two downloads of one result into one folder ------------------------------------------
class Gate:
    """A response body that sends half the file, then waits for `release`."""

    def __init__(self, data: bytes, started: threading.Event, release: threading.Event) -> None:
        self.data, self.started, self.release = data, started, release

    def __iter__(self) -> Iterator[bytes]:
        half = len(self.data) // 2
        yield self.data[:half]
        self.started.set()
        assert self.release.wait(10)
        yield self.data[half:]


def test_two_downloads_of_one_task_into_one_folder_both_succeed(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    """Regression: a finished download removed every `.NAME.*.part` beside it, so the other
    download's temp file vanished and its rename failed."""
    task = finished_task(client, api)
    started, release = threading.Event(), threading.Event()
    gate = Gate(result_bytes("png"), started, release)
    api.fault(file_path(task), lambda request: httpx.Response(200, content=iter(gate)))
    outcome: dict[str, object] = {}

    def slow() -> None:
        try:
            outcome["slow"] = client.task(task.id, "remove_background").download(tmp_path)
        except Exception as exc:  # reported below
            outcome["slow"] = exc

    thread = threading.Thread(target=slow)
    thread.start()
    assert started.wait(10)
    (part,) = (p.name for p in tmp_path.iterdir())
    fast = client.task(task.id, "remove_background").download(tmp_path)
    release.set()
    thread.join(10)
    assert outcome["slow"] == fast == [tmp_path / f"{task.id}_0.png"]
    assert part.endswith(".part") and f".{os.getpid()}." in part  # its owner's pid
    assert fast[0].read_bytes() == result_bytes("png")
    assert tree(tmp_path) == [fast[0].name]


async def test_the_async_client_checks_downloads_the_same_way(
    aclient: AsyncSellerPic, api: FakeApi, tmp_path: Path, umask: None
) -> None:
    api.results_per_task = 1
    api.polls_before_done = 0
    async with aclient:
        task = await aclient.remove_background(image=KEY_INPUT)
        await task.wait()
        path = f"/files/{task.results[0].id}.png"
        api.fault(path, answer(b"<html>"))
        (first,) = await task.download(tmp_path / "a", format="png")
        assert first.read_bytes() == result_bytes("png")
        assert first.stat().st_mode & 0o777 == 0o644
        api.fault(path, answer(b""), answer(b"<html>"))
        with pytest.raises(BadResultError, match="refused twice"):
            await task.download(tmp_path / "b", format="png")
        assert list((tmp_path / "b").iterdir()) == []
        api.polls_before_done = 9
        unfinished = await aclient.remove_background(image=KEY_INPUT)
        with pytest.raises(TaskNotFinishedError):
            await unfinished.download(tmp_path / "c")


def test_a_body_that_does_not_decode_is_refused_like_a_wrong_one(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    task = finished_task(client, api)
    broken = answer(b"not gzip at all", {"content-encoding": "gzip"})
    api.fault(file_path(task), broken, broken)
    with pytest.raises(BadResultError, match="cannot be decoded"):
        task.download(tmp_path, format="png")
    assert tree(tmp_path) == []
