"""The instruction-count benchmark's parts that run without valgrind: the measured workloads
and the reading of callgrind's report (valgrind itself is an optional tool, see bench/)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from bench import instructions
from bench.common import ROOT


@pytest.mark.parametrize("workload", instructions.WORKLOADS)
def test_each_workload_serves_its_requests(workload: str) -> None:
    asyncio.run(instructions.drive(workload, 20))


def test_a_refused_request_stops_the_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instructions, "CREATE_BODY", b'{"modelImageKey": "nope"}')
    with pytest.raises(RuntimeError, match="create: answered 400"):
        asyncio.run(instructions.drive("create", 1))


def test_the_driver_runs_as_the_measured_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--drive", "status", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_the_total_is_read_from_callgrinds_report() -> None:
    report = "==1== Events    : Ir\n==1== Collected : 1234567\n==1==\n==1== I   refs: 1,234,567\n"
    assert instructions.collected(report) == 1234567
    with pytest.raises(RuntimeError, match="exit 1"):
        instructions.collected(report, returncode=1)
    with pytest.raises(RuntimeError, match="failed"):
        instructions.collected("Traceback (most recent call last): ...")
