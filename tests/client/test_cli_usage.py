"""The CLI's first hour (issue 17 items 4, 5, 6, 9, 10, 11) and its share of the key hardening
(issue 16 item 2): messages, exit codes, option placement, spellings, start-up imports, logs."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.secretscan import SecretScan

sim = pytest.importorskip("sellerpic_mock.testing")
from sellerpic.cli import build_parser, main  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("SELLERPIC_API_KEY", sim.DEMO_API_KEY)
    monkeypatch.setenv("SELLERPIC_BASE_URL", server)
    monkeypatch.delenv("SELLERPIC_LOG", raising=False)
    (tmp_path / "a.png").write_bytes(sim.image_bytes((320, 320)))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- 17.9: help and argument errors load no network stack ----------------------------------------
_PROBE = """
import sys
from sellerpic.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"httpx", "httpcore", "sellerpic_client",
                                                          "PIL", "attrs", "yaml", "anyio"})
print("LOADED=" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("argv", "exit_code"),
    [
        (["--help"], 0),
        (["remove-background", "--help"], 0),
        (["batch", "--help"], 0),
        (["credits", "--no-such-option"], 2),
        (["remove-background", "--image", "a.png", "--format", "mp4"], 2),
        (["presets", "no-such-type"], 2),
        ([], 2),
    ],
)
def test_help_and_argument_errors_import_no_network_stack(
    argv: list[str], exit_code: int, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "SELLERPIC_LOG"},
    )
    assert result.returncode == exit_code, result.stderr
    assert "LOADED=\n" in result.stderr, result.stderr


def test_the_command_list_reads_no_spec(tmp_path: Path) -> None:
    # `sellerpic --help` names the commands; the catalogue is first needed by a command's own
    # options, so the bare list does not pay for importing it.
    probe = _PROBE.replace('"anyio"}', '"anyio", "sellerpic_spec"}')
    result = subprocess.run(
        [sys.executable, "-c", probe, "--help"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "LOADED=\n" in result.stderr, result.stderr


# --- 17.6: options before and after the command, no doubled prefix, every spelling ---------------
def test_common_options_work_before_and_after_the_command(
    env: Path, capsys: pytest.CaptureFixture[str], server: str
) -> None:
    for argv in (
        ["--json", "credits"],
        ["credits", "--json"],
        ["--json", "--base-url", server, "credits"],
        ["--base-url", "http://127.0.0.1:9", "credits", "--base-url", server, "--json"],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 0, (argv, err)
        assert json.loads(out)["total"] > 0


def test_a_usage_error_names_the_command_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "credits", "--no-such-option")
    assert code == 2 and out == ""
    assert err == ("sellerpic: unrecognized arguments: --no-such-option (see `sellerpic --help`)\n")
    code, _, err = run(capsys, "presets", "NOPE")
    assert code == 2 and "sellerpic: sellerpic" not in err
    assert err.startswith("sellerpic presets: argument type: preset type 'NOPE' is not one of ")


@pytest.mark.parametrize("spelling", ["swap-model", "swap_model", "SWAP_MODEL", "swapModel"])
def test_preset_types_accept_every_spelling(
    env: Path, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    code, out, err = run(capsys, "presets", spelling, "--json")
    assert code == 0, err
    assert json.loads(out)["items"]


@pytest.mark.parametrize("command", ["remove-background", "remove_background", "removeBackground"])
def test_operations_and_formats_accept_every_spelling(
    env: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = run(
        capsys,
        command,
        "--image",
        str(env / "a.png"),
        "--format",
        "PNG",
        "--upload-mode",
        "MULTIPART",
        "--poll-interval",
        "0.05",
        "-o",
        str(env / "out"),
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["files"][0].endswith(".png")


def test_cli_constants_match_the_library_and_the_spec() -> None:
    from sellerpic import _transport, uploads
    from sellerpic.cli import DOWNLOAD_FORMATS, LOG_LEVELS, PRESET_TYPES, UPLOAD_MODES
    from sellerpic_spec import catalog

    assert UPLOAD_MODES == uploads.UPLOAD_MODES
    spec_formats = catalog().result_formats("image") + catalog().result_formats("video")
    assert set(DOWNLOAD_FORMATS) == set(spec_formats)
    assert catalog().preset_types == PRESET_TYPES
    assert LOG_LEVELS == _transport.LOG_LEVELS


# --- 17.5: what can be checked locally is checked before the create ------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["remove-background", "--image", "A", "--format", "mp4"],
            "sellerpic remove-background: argument --format: format 'mp4' is not one of "
            "png, jpg, webp",
        ),
        (
            ["image-to-video", "--image", "A", "--format", "jpg"],
            "format 'jpg' is not one of mp4, gif, webp",
        ),
        (
            ["image-to-video", "--image", "A", "--uhd"],
            "sellerpic: image-to-video makes a video: uhd applies to images only",
        ),
        (
            ["image-to-video", "--image", "A", "--video-duration", "61"],
            "sellerpic: video_duration must be at least 0 and at most 60 (got 61)",
        ),
        (
            ["segment-by-type", "--image", "A", "--expand-pixels", "-1"],
            "sellerpic: expand_pixels must be at least 0 and at most 512 (got -1)",
        ),
        (
            ["replace-background", "--product-image", "A", "--replace-type", "SPACE"],
            "replace-type 'SPACE' is not one of AI_BACKGROUND",
        ),
    ],
)
def test_local_checks_refuse_before_anything_is_sent(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    # Nothing listens there: a request would end in exit 3 (connection refused), not 2.
    monkeypatch.setenv("SELLERPIC_BASE_URL", f"http://127.0.0.1:{_free_port()}")
    argv = [str(env / "a.png") if a == "A" else a for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert message in err


def test_run_checks_the_output_before_creating(tmp_path: Path) -> None:
    import httpx

    from sellerpic import InvalidInputError, SellerPic

    from .fakeapi import BASE, KEY, FakeApi

    api = FakeApi()
    client = SellerPic(KEY, base_url=BASE, http_client=httpx.Client(transport=api.transport()))
    with client, pytest.raises(InvalidInputError, match="not one of png, jpg, webp"):
        client.run("remove_background", image=sim.image_bytes(), format="mp4", output_dir=tmp_path)
    with client, pytest.raises(InvalidInputError, match="at most 60"):
        client.run(
            "image_to_video",
            image="UPLOAD/MANAGE/SAMPLE/x.png",
            video_duration=90,
            output_dir=tmp_path,
        )
    assert api.requests == []


# --- 17.4: set-up mistakes -----------------------------------------------------------------------
def test_connection_refused_says_what_to_check(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    code, _, err = run(capsys, "credits", "--base-url", url, "--max-retries", "0")
    assert code == 3
    assert err == (
        f"sellerpic: cannot reach {url}: connection refused; is the simulator running? "
        "check --base-url / SELLERPIC_BASE_URL\n"
    )


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        (
            "127.0.0.1:8080",
            "sellerpic: base URL '127.0.0.1:8080' has no scheme: write http://127.0.0.1:8080",
        ),
        (
            "http://127.0.0.1:8080/v1",
            "sellerpic: base URL 'http://127.0.0.1:8080/v1' ends with /v1: give the server's "
            "root, http://127.0.0.1:8080",
        ),
        (
            "http://127.0.0.1:8080/v1/api",
            "ends with /v1/api: give the server's root, http://127.0.0.1:8080",
        ),
    ],
)
def test_a_base_url_that_cannot_work_exits_2_at_once(
    env: Path, capsys: pytest.CaptureFixture[str], base_url: str, message: str
) -> None:
    import sellerpic.client  # noqa: F401  (time the check, not the first import of httpx)

    started = time.monotonic()
    code, _, err = run(capsys, "credits", "--base-url", base_url)
    assert code == 2 and message in err
    # Before, such a URL was retried for about 3 s before failing.
    assert time.monotonic() - started < 1.5


def test_no_key_names_both_ways_to_give_one(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SELLERPIC_API_KEY")
    code, _, err = run(capsys, "credits")
    assert code == 2
    assert err == "sellerpic: no API key: pass --api-key KEY or set SELLERPIC_API_KEY\n"
    monkeypatch.setenv("SELLERPIC_API_KEY", " \r\n")
    assert run(capsys, "credits")[0] == 2


# --- 16.2 in the CLI: keys with control characters, --json output scanned ------------------------
def test_a_key_saved_with_crlf_works(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "credits", "--json", "--api-key", sim.DEMO_API_KEY + "\r\n")
    assert code == 0, err
    assert json.loads(out)["total"] > 0


@pytest.mark.parametrize("bad", ["\r", "\n", "\x00", "\x1b"])
def test_a_key_with_a_control_character_never_reaches_the_output(
    env: Path, capsys: pytest.CaptureFixture[str], secret_scan: SecretScan, bad: str
) -> None:
    key = f"sk-live-SECRET-{bad}cli-0a9b8c"
    secret_scan.keys.append(key)
    code, out, err = run(capsys, "credits", "--json", "--api-key", key)
    assert code == 2
    secret_scan.check_json(out, "--json stdout")
    secret_scan.check_text(err, "stderr")
    assert not secret_scan.problems, secret_scan.problems
    assert json.loads(out)["message"].startswith("the API key has a control character at position")


# --- 17.10: a log line per request, without secrets ----------------------------------------------
def test_log_level_info_shows_each_request(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--log-level", "info", "upload", str(env / "a.png"))
    assert code == 0, err
    lines = [line for line in err.splitlines() if " -> " in line]
    assert [line.split()[2] for line in lines] == ["getUploadUrl", "uploadFile"], err
    assert re.fullmatch(
        r"sellerpic INFO uploadFile PUT http://127\.0\.0\.1:\d+/UPLOAD/\d+/\d{4}/\d\d/\d\d/REDACTED"
        r"\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=\d{8}T\d{6}Z"
        r"&X-Amz-Expires=1800&X-Amz-SignedHeaders=host&X-Amz-Signature=REDACTED -> HTTP 200 "
        r"in \d+ ms",
        lines[1],
    ), lines[1]
    assert sim.DEMO_API_KEY not in err


def test_sellerpic_log_env_shows_requests_and_httpx_lines_redacted(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELLERPIC_LOG", "debug")
    code, _, err = run(capsys, "upload", str(env / "a.png"))
    assert code == 0, err
    assert "getUploadUrl GET" in err
    put = next(line for line in err.splitlines() if "HTTP Request: PUT" in line)
    assert "/REDACTED?" in put and "X-Amz-Signature=REDACTED" in put, put
    assert not re.search(r"X-Amz-(Signature|Credential)=(?!REDACTED)", err), err
    monkeypatch.setenv("SELLERPIC_LOG", "loud")
    code, _, err = run(capsys, "credits")
    assert code == 2 and "SELLERPIC_LOG='loud' is not one of debug, info, warning, error" in err


# --- 17.11: help never points at a file the installed package lacks ------------------------------
def test_help_texts_point_at_no_file_of_the_repository() -> None:
    parser = build_parser()
    texts = [parser.format_help()]
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        texts += [sub.format_help() for sub in action.choices.values()]  # type: ignore[union-attr]
    for text in texts:
        assert not re.search(r"\b[\w/]+\.md\b|docs/|mock/README", text), text
