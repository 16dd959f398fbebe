"""The instruction-count benchmark's parts that run without valgrind: the measured workloads
and the reading of callgrind's report (valgrind itself is an optional tool, see bench/)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from bench import floor, instructions
from bench.common import ROOT, canned_server, simulator
from bench.overhead import CANNED_TASK_ID, CLIENTS


@pytest.mark.parametrize("workload", instructions.WORKLOADS)
def test_each_workload_serves_its_requests(workload: str) -> None:
    asyncio.run(instructions.drive(workload, 20))


def test_a_refused_request_stops_the_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instructions, "CREATE_BODY", b'{"modelImageKey": "nope"}')
    with pytest.raises(RuntimeError, match="create: answered 400"):
        asyncio.run(instructions.drive("create", 1))


def test_creates_refused_once_the_credits_are_used_up_stop_the_measure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first create takes 2 of the 3 credits; the ones after it are refused with HTTP 200.
    monkeypatch.setattr(floor, "MANY_CREDITS", 3)
    with pytest.raises(RuntimeError, match=r"create: answered 200: .*30004"):
        asyncio.run(instructions.drive("create", 5))


def test_a_refusal_in_an_http_200_answer_stops_the_measure() -> None:
    refused = b'{"code":30004,"msg":"Insufficient credits","success":false,"traceId":"x"}'
    with pytest.raises(RuntimeError, match="create: answered 200"):
        instructions.require_accepted("create", 200, refused)
    instructions.require_accepted("create", 200, b'{"code":0,"data":{"id":"1"}}')


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


@pytest.mark.parametrize("workload", ["create", "status"])
def test_the_served_measures_client_gets_an_answer_to_every_request(workload: str) -> None:
    with simulator() as server:
        client = instructions.KeepAliveClient(server.url, workload)
        client.send(5)
        client.close()


def test_the_served_measure_stops_at_a_refused_request() -> None:
    # No credits: the create is refused, and a measure of refusals would be a wrong measure.
    with simulator("--credits", "0") as server:
        client = instructions.KeepAliveClient(server.url, "create")
        with pytest.raises(RuntimeError, match=r"create: answered 200: .*30004"):
            client.send(1)
        client.close()


def test_the_total_is_read_from_a_callgrind_dump() -> None:
    dump = "version: 1\nevents: Ir\nsummary: 240671556\ntotals: 240671556\n"
    assert instructions.dumped_total(dump) == 240671556
    with pytest.raises(RuntimeError, match="no total"):
        instructions.dumped_total("version: 1\nevents: Ir\n")


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_runs_as_the_measured_process(client: str) -> None:
    with canned_server() as server:
        done = subprocess.run(
            [sys.executable, "-m", "bench.overhead", "--drive", client, "3", server.url,
             CANNED_TASK_ID],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_client_driver_names_its_arguments_when_they_are_wrong() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.overhead", "--drive", "layer"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "usage: python -m bench.overhead --drive CLIENT CALLS URL TASK_ID" in done.stderr
