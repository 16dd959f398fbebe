"""Bytecodes per request of the simulator's app, by function: where its interpreter work goes.

The instruction count (`bench.instructions`) says how much a request costs; this says which
Python functions run its bytecodes. The app is driven in process exactly as there (the same
requests, the write-out of staged rows every few requests), after a warm-up, under a tracer
that counts every bytecode executed (`sys.settrace` with opcode events). For a given version
the counts are exact and do not depend on the machine's load; the tracer makes the run slow
(a few seconds for 400 requests), and C code (SQLite, orjson, the interpreter's own work) is
not counted, only the Python that calls it.

    python -m bench.bytecodes                      # create, top 30 functions
    python -m bench.bytecodes --workload status --top 15
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from sellerpic_mock.eventloop import new_event_loop
from sellerpic_mock.testing import close_app

from .common import ROOT
from .floor import instant_app
from .instructions import WORKLOADS, request_for, serve

WARM_UP = 200


@dataclass
class Trace:
    requests: int
    bytecodes: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def per_request(self) -> float:
        return sum(self.bytecodes.values()) / self.requests

    def calls_per_request(self) -> float:
        return sum(self.calls.values()) / self.requests


def _where(frame: FrameType) -> str:
    code = frame.f_code
    path = code.co_filename
    for prefix in ("site-packages/", f"{ROOT}/"):
        path = path.split(prefix)[-1]
    return f"{path}:{code.co_qualname}"


def _tracer(trace: Trace) -> Any:
    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "opcode":
            trace.bytecodes[_where(frame)] += 1
        return local

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        trace.calls[_where(frame)] += 1
        return local

    return on_call


async def count(workload: str, requests: int, warm_up: int = WARM_UP) -> Trace:
    """Bytecodes by function over `requests` requests of `workload`, after `warm_up`."""
    app = instant_app()
    try:
        request = await request_for(workload, app)
        await serve(workload, request, warm_up)
        trace = Trace(requests)
        sys.settrace(_tracer(trace))
        try:
            await serve(workload, request, requests)
        finally:
            sys.settrace(None)
    finally:
        close_app(app)
    return trace


def table(trace: Trace, top: int) -> str:
    total = sum(trace.bytecodes.values())
    lines = [
        f"{trace.per_request():,.0f} bytecodes and {trace.calls_per_request():.0f} Python calls "
        "per request (the driver's included)",
        "| bytecodes per request | share | calls per request | function |",
        "|---|---|---|---|",
    ]
    for name, executed in trace.bytecodes.most_common(top):
        lines.append(
            f"| {executed / trace.requests:,.1f} | {executed / total:.1%} "
            f"| {trace.calls[name] / trace.requests:.1f} | `{name}` |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bytecodes", description=__doc__)
    parser.add_argument("--workload", choices=WORKLOADS, default="create")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        trace = runner.run(count(args.workload, args.requests))
    print(table(trace, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
