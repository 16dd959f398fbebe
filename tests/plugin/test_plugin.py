"""The pytest plugin as a user meets it: test files in a folder of their own, run by pytest in a
subprocess, with the plugin found through its entry point."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTING_PAGE = ROOT / "docs" / "TESTING.md"
EXAMPLE = re.compile(r"^```python test\n(.*?)^```", re.MULTILINE | re.DOTALL)

#: Loaded by the user's run: no connection leaves the process, no real sleep is longer than
#: a tick (the in-process fixtures must need neither).
NO_SOCKETS = textwrap.dedent(
    """
    import socket

    def _refuse(*args, **kwargs):
        raise OSError("sockets are blocked in this test run")

    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
    socket.create_connection = _refuse
    """
)


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def examples() -> list[str]:
    return EXAMPLE.findall(TESTING_PAGE.read_text())


def test_the_page_has_examples_for_every_fixture() -> None:
    text = "\n".join(examples())
    for fixture in ("sellerpic_client", "async_sellerpic_client", "sellerpic_simulator"):
        assert fixture in text
    assert "sellerpic_server" in text and "@pytest.mark.sellerpic(" in text


def test_every_example_of_the_testing_page_passes_as_written(tmp_path: Path) -> None:
    for number, code in enumerate(examples()):
        (tmp_path / f"test_example_{number}.py").write_text(code)
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(rf"\b{len(examples())} passed|\b\d+ passed", done.stdout)
    assert " failed" not in done.stdout and " error" not in done.stdout


def test_in_process_fixtures_need_no_socket_and_no_sleep(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(NO_SOCKETS)
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import time

            import pytest
            from sellerpic_mock.testing import image_bytes

            @pytest.fixture(autouse=True)
            def no_sleep(monkeypatch):
                def refuse(seconds):
                    raise AssertionError(f"slept {seconds} s for real")
                monkeypatch.setattr(time, "sleep", refuse)

            @pytest.mark.sellerpic(running_seconds=600, credits=50)
            def test_ten_simulated_minutes(sellerpic_client, sellerpic_simulator, tmp_path):
                started = sellerpic_simulator.clock.now()
                result = sellerpic_client.run(
                    "remove_background", image=image_bytes((256, 256)), output_dir=tmp_path
                )
                assert len(result.files) == 1
                assert sellerpic_simulator.clock.now() - started >= 600
                assert sellerpic_simulator.credits() == 49

            @pytest.mark.anyio
            async def test_async(async_sellerpic_client, tmp_path):
                result = await async_sellerpic_client.run(
                    "remove_background", image=image_bytes((256, 256)), output_dir=tmp_path
                )
                assert len(result.files) == 1
            """
        )
    )
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_a_wait_of_ten_simulated_minutes_polls_as_in_real_time(tmp_path: Path) -> None:
    (tmp_path / "test_polls.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from sellerpic_mock.testing import image_bytes

            @pytest.mark.sellerpic(created_seconds=0, running_seconds=600)
            def test_polls(sellerpic_client, sellerpic_simulator):
                task = sellerpic_client.remove_background(image=image_bytes((256, 256)))
                task.wait(poll_interval=30)
                polls = [r for r in sellerpic_simulator.requests
                         if r["operation"] == "getTaskStatus"]
                # one poll at once, then one every 30 s until 600 s: 21 in all
                assert len(polls) == 21, len(polls)
            """
        )
    )
    started = time.monotonic()
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    # Not a benchmark: ten simulated minutes must not be slept through.
    assert time.monotonic() - started < 120


def test_an_unknown_marker_argument_names_the_valid_ones(tmp_path: Path) -> None:
    (tmp_path / "test_marker.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.sellerpic(credit=5)
            def test_typo(sellerpic_simulator):
                pass
            """
        )
    )
    done = run_pytest(tmp_path)
    assert done.returncode == 1
    assert "unknown argument credit; valid: accounts, created_seconds, credits" in done.stdout


def test_without_the_extra_pytest_starts_and_the_fixture_names_it(tmp_path: Path) -> None:
    # What a client-only install looks like to the plugin: the simulator cannot be imported.
    (tmp_path / "conftest.py").write_text(
        "import sys\nsys.modules['sellerpic_mock'] = None\nsys.modules['starlette'] = None\n"
    )
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    (tmp_path / "test_fixture.py").write_text("def test_needs_it(sellerpic_simulator):\n    pass\n")
    done = run_pytest(tmp_path)
    assert done.returncode == 1, done.stdout
    # The plain test runs; the fixture's set-up fails with one line that names the extra.
    assert "1 passed, 1 error" in done.stdout
    assert "the sellerpic fixtures need the simulator, which is not installed" in done.stdout
    assert "pip install 'sellerpic-kit[simulator]'" in done.stdout
    assert "Traceback" not in done.stdout and "During handling" not in done.stdout


def test_the_plugin_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, pytest_sellerpic; "
        "heavy = {'httpx', 'sellerpic', 'sellerpic_mock', 'starlette', 'PIL'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.mark.parametrize("fixture", ["sellerpic_client", "sellerpic_server"])
def test_each_test_gets_a_fresh_simulator(tmp_path: Path, fixture: str) -> None:
    (tmp_path / "test_fresh.py").write_text(
        textwrap.dedent(
            f'''
            import pytest
            from sellerpic_mock.testing import image_bytes

            @pytest.mark.parametrize("n", [1, 2])
            def test_spend(n, {fixture}, tmp_path):
                client = {fixture} if "{fixture}" == "sellerpic_client" else {fixture}.client()
                assert client.credits().remaining == 1000
                client.remove_background(image=image_bytes((256, 256)))
                assert client.credits().remaining == 999
            '''
        )
    )
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
