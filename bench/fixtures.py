"""What the pytest plugin's isolation costs a user's test suite.

Two figures:
- `inprocess_simulator_ms_per_test`: one test as the `sellerpic_client` fixture runs it (a fresh
  in-process simulator, one upload-create-wait-download workflow in simulated time, tear-down),
  and `isolation_ms_per_test`, the part of it that is the fresh simulator (the same workflow on
  one shared simulator subtracted, runs interleaved).
- A suite of N such tests run by pytest through the fixtures against the same N tests against
  one served simulator that they reach over loopback and wait for with real sleeps (tasks made
  short with the simulator's --speed, polled every POLL_S): `suite_fixtures_s`,
  `suite_served_s` and their ratio.

`python -m bench.fixtures [--smoke]` prints the JSON; `python -m bench` includes it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from pytest_sellerpic._simulator import InProcessSimulator, Settings
from sellerpic_mock.testing import image_bytes, serve_in_subprocess

from .common import median

#: The served suite's task timing: 1 s created + 3 s running at speed 40 is 0.1 s per task.
SERVED_SPEED = 40.0
POLL_S = 0.05

WORKFLOW = """
def workflow(client, picture, out):
    key = client.upload(picture)
    task = client.remove_background(image=key)
    task.wait(poll_interval={poll})
    return task.download(out)
"""

FIXTURE_SUITE = textwrap.dedent(
    """
    import pytest
    from sellerpic_mock.testing import image_bytes
    {workflow}
    PICTURE = image_bytes((256, 256))

    @pytest.mark.parametrize("n", range({count}))
    def test_workflow(n, sellerpic_client, tmp_path):
        assert len(workflow(sellerpic_client, PICTURE, tmp_path)) == 1
    """
)

SERVED_SUITE = textwrap.dedent(
    """
    import os

    import pytest
    from sellerpic import SellerPic
    from sellerpic_mock.testing import image_bytes
    {workflow}
    PICTURE = image_bytes((256, 256))

    @pytest.mark.parametrize("n", range({count}))
    def test_workflow(n, tmp_path):
        with SellerPic(os.environ["BENCH_KEY"], base_url=os.environ["BENCH_URL"]) as client:
            assert len(workflow(client, PICTURE, tmp_path)) == 1
    """
)


def one_test(picture: bytes, out: Path, simulator: InProcessSimulator | None) -> float:
    """Seconds for one workflow test: on a fresh simulator when `simulator` is None."""
    started = time.perf_counter()
    fresh = simulator is None
    sim = InProcessSimulator(Settings()) if simulator is None else simulator
    with sim.client() as client:
        task = client.remove_background(image=client.upload(picture))
        task.wait(poll_interval=1.0)
        task.download(out)
    if fresh:
        sim.close()
    return time.perf_counter() - started


def in_process(tests: int, out: Path) -> dict[str, float]:
    picture = image_bytes((256, 256))
    shared = InProcessSimulator(Settings(credits=tests + 10))
    fresh_s: list[float] = []
    shared_s: list[float] = []
    one_test(picture, out, None)  # imports and first-use caches out of the measurement
    for _ in range(tests):
        fresh_s.append(one_test(picture, out, None))
        shared_s.append(one_test(picture, out, shared))
    shared.close()
    per_test = median(fresh_s) * 1000
    return {
        "inprocess_simulator_ms_per_test": round(per_test, 2),
        "isolation_ms_per_test": round(per_test - median(shared_s) * 1000, 2),
    }


def run_suite(folder: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark suite failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started


def suites(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        fixtures = Path(tmp) / "fixtures"
        served = Path(tmp) / "served"
        fixtures.mkdir()
        served.mkdir()
        (fixtures / "test_suite.py").write_text(
            FIXTURE_SUITE.format(workflow=WORKFLOW.format(poll=1.0), count=count)
        )
        (served / "test_suite.py").write_text(
            SERVED_SUITE.format(workflow=WORKFLOW.format(poll=POLL_S), count=count)
        )
        fixtures_s = run_suite(fixtures)
        args = ("--ephemeral", "--speed", str(SERVED_SPEED), "--credits", str(count + 10))
        with serve_in_subprocess(*args) as (url, _process):
            env = {"BENCH_URL": url, "BENCH_KEY": "sk-sellerpic-demo"}
            served_s = run_suite(served, env)
    return {
        "suite_tests": count,
        "suite_fixtures_s": round(fixtures_s, 2),
        "suite_served_s": round(served_s, 2),
        "suite_served_over_fixtures": round(served_s / fixtures_s, 2),
    }


def measure(tests: int, suite_tests: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        result: dict[str, Any] = in_process(tests, Path(out))
    result.update(suites(suite_tests))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script runs")
    smoke = parser.parse_args().smoke
    print(json.dumps(measure(5 if smoke else 200, 3 if smoke else 200), indent=2))


if __name__ == "__main__":
    main()
