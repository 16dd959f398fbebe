"""A closed-loop HTTP/1.1 load generator on raw asyncio sockets, run in its own process.

Each of `--concurrency` keep-alive connections sends one request, reads the whole answer
(Content-Length or chunked), records the latency and sends the next, until `--duration` seconds
or `--max-requests` in total. It prints one JSON line: requests, errors (non-2xx), rps, p50, p99.
Both servers of a comparison are measured with this same generator.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

from .common import percentile


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.failures = 0


async def _read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = -1
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length > 0:
        await reader.readexactly(length)
    return status


async def _connection(
    host: str, port: int, request: bytes, stats: Stats, stop_at: float, budget: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            try:
                status = await _read_answer(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                stats.failures += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            stats.latencies.append(time.perf_counter() - started)
            stats.statuses[status] = stats.statuses.get(status, 0) + 1
    finally:
        writer.close()


def build_request(
    method: str, host: str, target: str, headers: list[str], body: bytes | None
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += headers
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


async def load(
    url: str,
    method: str,
    headers: list[str],
    body: bytes | None,
    concurrency: int,
    duration: float,
    max_requests: int,
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = build_request(method, f"{host}:{port}", target, headers, body)
    stats = Stats()
    budget = [max_requests]
    started = time.perf_counter()
    stop_at = started + duration
    await asyncio.gather(
        *(_connection(host, port, request, stats, stop_at, budget) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - started
    ok = sum(n for status, n in stats.statuses.items() if 200 <= status < 300)
    done = len(stats.latencies)
    return {
        "requests": done,
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "failures": stats.failures,
        "elapsed_s": elapsed,
        "rps": done / elapsed if elapsed else 0.0,
        "p50_ms": percentile(stats.latencies, 50) * 1000,
        "p99_ms": percentile(stats.latencies, 99) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    parser.add_argument("url")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--body", help="request body (sent as given)")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    body = args.body.encode() if args.body is not None else None
    result = asyncio.run(
        load(
            args.url,
            args.method,
            args.header,
            body,
            args.concurrency,
            args.duration,
            args.max_requests,
        )
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
