"""The `sellerpic` command against the simulator: each command, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

sim = pytest.importorskip("sellerpic_mock.testing")
from sellerpic.cli import main  # noqa: E402
from sellerpic_mock.config import MockConfig  # noqa: E402


@pytest.fixture
def env(server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("SELLERPIC_API_KEY", sim.DEMO_API_KEY)
    monkeypatch.setenv("SELLERPIC_BASE_URL", server)
    (tmp_path / "a.png").write_bytes(sim.image_bytes((64, 64)))
    (tmp_path / "m.png").write_bytes(sim.mask_bytes((64, 64)))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_commands(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "credits", "--json")
    assert code == 0 and json.loads(out)["total"] > 0
    code, out = run(capsys, "presets", "ai_background", "--json")
    assert code == 0 and json.loads(out)["items"]
    code, out = run(capsys, "upload", str(env / "m.png"), "--mask-for", str(env / "a.png"))
    assert code == 0 and out.startswith("UPLOAD/")
    code, out = run(
        capsys,
        "try-on-accessories",
        "--model-image",
        str(env / "a.png"),
        "--model-mask",
        str(env / "m.png"),
        "--product-image",
        str(env / "a.png"),
        "--no-wait",
        "--json",
    )
    task_id = json.loads(out)["task_id"]
    code, out = run(capsys, "wait", task_id, "--poll-interval", "0.05", "--json")
    assert code == 0 and json.loads(out)["done"]
    code, out = run(capsys, "status", task_id)
    assert code == 0 and "SUCCESS" in out
    code, out = run(
        capsys, "download", task_id, "-o", str(env / "out"), "--format", "jpg", "--json"
    )
    assert code == 0 and len(json.loads(out)["files"]) == 2
    code, out = run(
        capsys,
        "remove-background",
        "--image",
        str(env / "a.png"),
        "-o",
        str(env / "o"),
        "--poll-interval",
        "0.05",
    )
    assert code == 0 and out.strip().endswith(".png")


def test_batch_manifest_csv(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = env / "jobs.csv"
    manifest.write_text(
        "id,operation,image,prompt\nx,segment-by-prompt,a.png,cup\ny,remove-background,a.png,\n"
    )
    code, out = run(
        capsys, "batch", str(manifest), "-o", str(env / "b"), "--poll-interval", "0.05", "--json"
    )
    result = json.loads(out)
    assert code == 0 and [j["state"] for j in result["jobs"]] == ["done", "done"]
    assert Path(result["state_file"]).exists()


def test_exit_codes(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["remove-background", "--image", str(env / "missing.png")]) == 2
    assert main(["remove-background"]) == 2
    assert (
        main(
            [
                "try-on-accessories",
                "--model-image",
                str(env / "a.png"),
                "--model-mask",
                str(env / "a.png"),
                "--product-image",
                str(env / "a.png"),
            ]
        )
        == 2
    )
    monkeypatch.setenv("SELLERPIC_API_KEY", "sk-unknown")
    assert main(["credits", "--max-retries", "0"]) == 3
    monkeypatch.delenv("SELLERPIC_API_KEY")
    assert main(["credits"]) == 2
    with sim.run_server(
        MockConfig(failure_rate=1.0, created_seconds=0.05, running_seconds=0.1)
    ) as url:
        monkeypatch.setenv("SELLERPIC_API_KEY", sim.DEMO_API_KEY)
        code = main(
            [
                "remove-background",
                "--image",
                str(env / "a.png"),
                "--base-url",
                url,
                "--poll-interval",
                "0.05",
                "-o",
                str(env),
                "--json",
            ]
        )
        assert code == 4
        assert json.loads(capsys.readouterr().out)["error"] == "TaskFailedError"


def test_help_points_to_the_simulator_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "exit codes" in out and "sellerpic-mock serve" in out
    # The simulator is its own command: the client CLI does not load it, it says what to run.
    assert main(["mock", "serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "run `sellerpic-mock serve --port 0`" in err and "sellerpic-kit[simulator]" in err
