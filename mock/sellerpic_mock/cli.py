"""`sellerpic-mock serve`: run the simulator with uvicorn. Every flag is in mock/README.md."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import socket
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from .app import create_app
from .config import (
    DEFAULT_CREDITS,
    DEFAULT_DATA_DIR,
    DEMO_API_KEY,
    ConfigError,
    MockConfig,
    load_config_file,
    parse_credits,
)
from .control import AdminAccess, decide_access
from .domain.errors import disk_full
from .faults import silence_drop_tracebacks
from .guard import Limits, guarded_protocol
from .storage.datadir import DataDirError

DEFAULT_PORT = 4020


class StartError(Exception):
    """The simulator cannot start as asked; the message says why and what to do."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sellerpic-mock", description="Stateful offline simulator of the SellerPic AI API."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the simulator")
    net = serve.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    net.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    net.add_argument("--public-url", help="origin put in presigned URLs (default: the Host header)")
    net.add_argument(
        "--max-head-bytes", type=int, help="largest request head; 431 beyond (default 65536)"
    )
    net.add_argument(
        "--head-timeout", type=float, metavar="S", help="seconds to send a request head (10)"
    )
    net.add_argument(
        "--body-timeout", type=float, metavar="S", help="seconds to send a request body (60)"
    )
    net.add_argument(
        "--max-connections", type=int, help="open connections at most (default: file limit - 64)"
    )
    acc = serve.add_argument_group("accounts")
    acc.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY[:CREDITS]",
        help="accept this bearer key as an account (repeatable)",
    )
    acc.add_argument("--credits", type=int, help=f"credits per account (default {DEFAULT_CREDITS})")
    acc.add_argument(
        "--no-demo-key", action="store_true", help=f"do not create the {DEMO_API_KEY} account"
    )
    acc.add_argument("--config", type=Path, help="YAML or JSON file with accounts and settings")
    state = serve.add_argument_group("state")
    state.add_argument("--data-dir", type=Path, help=f"state folder (default {DEFAULT_DATA_DIR})")
    state.add_argument(
        "--ephemeral", action="store_true", help="use a temporary folder, deleted at exit"
    )
    sim = serve.add_argument_group("task simulation")
    sim.add_argument("--created-seconds", type=float, help="time in CREATED (default 1)")
    sim.add_argument("--running-seconds", type=float, help="time in RUNNING (default 3)")
    sim.add_argument("--speed", type=float, help="divide task durations by this (default 1)")
    sim.add_argument("--failure-rate", type=float, help="share of results that fail (default 0)")
    sim.add_argument("--seed", type=int, help="seed of the failure draw (default 0)")
    faults = serve.add_argument_group("fault injection")
    faults.add_argument("--latency", type=float, metavar="MS", help="delay every request")
    faults.add_argument("--error-rate", type=float, metavar="R", help="share answered 500")
    faults.add_argument("--drop-rate", type=float, metavar="R", help="share of dropped connections")
    faults.add_argument("--fault-seed", type=int, help="seed of the fault draws")
    admin = serve.add_argument_group("control plane (/_sellerpic/)")
    admin.add_argument(
        "--admin-token",
        help="bearer token the control API requires (default: none on loopback, "
        "generated and printed otherwise)",
    )
    admin.add_argument("--no-admin", action="store_true", help="turn the control API off")
    admin.add_argument(
        "--journal-size", type=int, metavar="N", help="requests the journal keeps (default 10000)"
    )
    admin.add_argument(
        "--duplicate-window",
        type=float,
        metavar="S",
        help="seconds within which an equal create is a suspected duplicate (default 600)",
    )
    serve.add_argument("--log-level", default="warning", help="uvicorn log level")
    return parser


def config_from_args(args: argparse.Namespace) -> MockConfig:
    config = MockConfig(data_dir=DEFAULT_DATA_DIR.expanduser())
    if args.credits is not None:
        config = replace(config, default_credits=args.credits)
    if args.config is not None:
        config = load_config_file(args.config, config)
    keys = dict(config.api_keys)
    for entry in args.api_key:
        key, _, credits = entry.partition(":")
        where = f"--api-key {entry}"
        keys[key] = parse_credits(credits, where) if credits else config.default_credits
    overrides = {
        "created_seconds": args.created_seconds,
        "running_seconds": args.running_seconds,
        "speed": args.speed,
        "failure_rate": args.failure_rate,
        "seed": args.seed,
        "latency_ms": args.latency,
        "error_rate": args.error_rate,
        "drop_rate": args.drop_rate,
        "fault_seed": args.fault_seed,
        "public_url": args.public_url,
        "max_head_bytes": args.max_head_bytes,
        "head_timeout": args.head_timeout,
        "body_timeout": args.body_timeout,
        "max_connections": args.max_connections,
        "journal_size": args.journal_size,
        "duplicate_window_s": args.duplicate_window,
        "admin_token": args.admin_token,
    }
    config = replace(config, api_keys=keys, **{k: v for k, v in overrides.items() if v is not None})
    if args.no_demo_key:
        config = replace(config, demo_key=False)
    if args.no_admin:
        config = replace(config, admin=False)
    if args.data_dir is not None:
        config = replace(config, data_dir=args.data_dir.expanduser())
    if args.ephemeral:
        config = replace(config, data_dir=None)
    return config


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen_on(host: str, port: int) -> socket.socket:
    """A listening socket: from here on, connections wait in the backlog until the server
    accepts them, so announcing the URL before the server is up refuses nobody."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def with_admin_access(config: MockConfig, host: str) -> tuple[MockConfig, AdminAccess]:
    """The config with the control plane's access rule for a server bound to `host`."""
    access = decide_access(is_loopback(host), config.admin_token, not config.admin)
    return replace(config, admin=access.enabled, admin_token=access.token), access


def admin_notice(url: str, access: AdminAccess) -> str | None:
    """What to tell whoever started the server about the control plane's token, if anything.
    A generated token is shown here and nowhere else: nobody could use the plane otherwise."""
    if not access.generated:
        return None
    return (
        f"sellerpic-mock: the control API {url}/_sellerpic/ needs "
        f"'Authorization: Bearer {access.token}' (set your own with --admin-token)"
    )


def serve(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    if not is_loopback(args.host):
        print(
            f"WARNING: binding {args.host}, which is not loopback: anyone who can reach this "
            "machine can use the simulator and its demo key. Use 127.0.0.1 unless you need this.",
            file=sys.stderr,
            flush=True,
        )
    config, access = with_admin_access(config, args.host)
    try:
        sock = listen_on(args.host, args.port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise StartError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
        raise StartError(
            f"port {args.port} is in use; choose another with --port, or --port 0 for a free one"
        ) from None
    try:
        app = create_app(config)
    except DataDirError as exc:
        sock.close()
        raise StartError(str(exc)) from None
    except Exception as exc:
        sock.close()
        if disk_full(exc) is None:
            raise
        raise StartError(
            f"the disk of data dir {config.data_dir} is full; free some space and start again"
        ) from None
    # The first stdout line is the URL, so scripts can start with --port 0 and read it.
    url = url_of(sock)
    print(url, flush=True)
    print(f"sellerpic-mock: {banner(config)}", file=sys.stderr, flush=True)
    notice = admin_notice(url, access)
    if notice:
        print(notice, file=sys.stderr, flush=True)
    silence_drop_tracebacks()
    run_server(app, sock, args.log_level, limits_of(config))
    return 0


def limits_of(config: MockConfig) -> Limits:
    return Limits(
        config.max_head_bytes, config.head_timeout, config.body_timeout, config.max_connections
    )


def banner(config: MockConfig) -> str:
    """Where state lives and the keys that work; keys other than the public demo key are
    secrets and are only counted."""
    state = "ephemeral" if config.data_dir is None else str(config.data_dir)
    demo = f"demo key {DEMO_API_KEY}" if config.demo_key else "demo key off (--no-demo-key)"
    others = len(set(config.api_keys) - {DEMO_API_KEY})
    keys = f"; {others} key(s) from --api-key/--config" if others else ""
    return f"data dir {state}; {demo}{keys}"


def uvicorn_config(
    app: ASGIApp, log_level: str = "warning", limits: Limits | None = None
) -> uvicorn.Config:
    """How the simulator is served: one stock uvicorn worker, its httptools protocol behind
    the connection limits of guard.py, on uvloop where installed ("auto"). Out of file
    descriptors, asyncio's accept loop (3.11) logged EMFILE thousands of times a second and
    kept a request waiting 10 s; libuv's accept sheds the connection and goes on."""
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=log_level == "debug",
        loop="auto",
        http=guarded_protocol(limits or Limits(), "httptools"),
    )


def run_server(
    app: ASGIApp, sock: socket.socket, log_level: str = "warning", limits: Limits | None = None
) -> None:
    """Serve `app` on the listening socket `sock` until interrupted (uvicorn, one worker)."""
    uvicorn.Server(uvicorn_config(app, log_level, limits)).run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        try:
            return serve(args)
        except ConfigError as exc:
            parser.error(str(exc))
        except StartError as exc:
            print(f"sellerpic-mock: {exc}", file=sys.stderr)
            return 2
    return 2
