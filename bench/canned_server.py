"""A minimal HTTP/1.1 server answering every request with one canned getTaskStatus envelope.

It isolates client cost: its own per-request work is a buffer search and one write. Run in its
own process; the first stdout line is its URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys

BODY = json.dumps(
    {
        "code": 0,
        "data": {
            "resultList": [
                {
                    "id": f"19563665437680040{n}",
                    "status": "SUCCESS",
                    "fileUrl": f"http://127.0.0.1/files/token-{n}",
                    "fileKey": f"RESULT/1/2025/01/01/1956366543768004069_output_{n}.png",
                    "errorCode": 0,
                    "errorMsg": "",
                }
                for n in range(2)
            ]
        },
        "msg": "SUCCESS",
        "success": True,
        "traceId": "0123456789ab",
    },
    separators=(",", ":"),
).encode()
ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    + f"content-length: {len(BODY)}\r\n\r\n".encode()
    + BODY
)


class Canned(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.WriteTransport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        # GET requests without bodies: one answer per header block.
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self.buffer = self.buffer[end + 4 :]
            self.transport.write(ANSWER)


async def serve() -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(Canned, sock=sock)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> int:
    # Stock asyncio, as the simulator is served: the figures do not depend on what happens to
    # be installed.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
