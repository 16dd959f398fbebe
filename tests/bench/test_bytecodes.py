"""The bytecode tracer counts the app's own functions, once per request where they run once."""

from __future__ import annotations

import asyncio

from bench import bytecodes

CREATE = "mock/sellerpic_mock/domain/tasks.py:Tasks.create"
STATUS = "mock/sellerpic_mock/domain/tasks.py:Tasks.status"


def test_a_create_is_counted_by_function_once_per_request() -> None:
    trace = asyncio.run(bytecodes.count("create", 16, warm_up=8))
    assert trace.calls[CREATE] == 16
    assert trace.bytecodes[CREATE] > 16 * 50
    assert STATUS not in trace.calls
    # The per-function counts add up to the total the table reports.
    assert sum(trace.bytecodes.values()) == trace.per_request() * 16


def test_a_status_poll_runs_no_create_and_the_table_names_its_functions() -> None:
    trace = asyncio.run(bytecodes.count("status", 8, warm_up=8))
    assert trace.calls[STATUS] == 8
    assert CREATE not in trace.calls
    table = bytecodes.table(trace, top=40)
    assert f"`{STATUS}`" in table
    assert table.splitlines()[0].endswith("per request (the driver's included)")


def test_the_warm_up_is_not_counted() -> None:
    trace = asyncio.run(bytecodes.count("create", 4, warm_up=12))
    assert trace.calls[CREATE] == 4
    assert trace.requests == 4
