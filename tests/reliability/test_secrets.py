"""The API key never shows in reprs, exception texts, tracebacks or log records of the client."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from sellerpic import SellerPic, SellerPicError
from sellerpic_mock import MockConfig
from sellerpic_mock.testing import image_bytes, run_server
from tests.reliability.secretscan import SecretScan

KEY = "sk-live-SECRET-secrets-5d2e8b7a1f"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_key_absent_from_reprs_errors_and_logs(tmp_path, secret_scan: SecretScan) -> None:  # type: ignore[no-untyped-def]
    secret_scan.keys.append(KEY)
    errors: list[SellerPicError] = []
    config = MockConfig(data_dir=tmp_path / "d", api_keys={"sk-other": 10})
    with run_server(config) as url, SellerPic(KEY, base_url=url, max_retries=1) as client:
        secret_scan.check_text(repr(client), "repr(SellerPic)")
        secret_scan.check_text(repr(client._http.auth), "repr(auth)")
        for call in (client.credits, lambda: client.upload(image_bytes())):
            with pytest.raises(SellerPicError) as caught:
                call()
            errors.append(caught.value)
    with SellerPic(KEY, base_url=f"http://127.0.0.1:{_free_port()}", max_retries=1) as client:
        with pytest.raises(SellerPicError) as caught:
            client.credits()
        errors.append(caught.value)
        with pytest.raises(SellerPicError) as caught:
            client.remove_background(image=image_bytes())
        errors.append(caught.value)
    for error in errors:
        secret_scan.check_exception(error)
        logging.getLogger("sellerpic").error("reported", exc_info=error)
    assert len(errors) == 4
    assert not secret_scan.problems, secret_scan.problems


def test_the_scan_catches_a_leak() -> None:
    scan = SecretScan([KEY])
    scan.check_text(f"Authorization: Bearer {KEY}", "a leaky line")
    scan.check_text("Bearer sk-live-SECRET-someone-else", "another")
    assert len(scan.problems) == 2


def test_the_scan_catches_keys_with_control_characters_and_in_json() -> None:
    key = "sk-live-SECRET-crlf-9f3a1b\r\n"
    scan = SecretScan([key])
    scan.check_text("Illegal header value b'Bearer sk-live-SECRET-crlf-9f3a1b\\r\\n'", "repr")
    scan.check_json('{"message": "bad key sk-live-SECRET-crlf-9f3a1b\\r"}', "--json")
    scan.check_text("the API key has a control character at position 27 of 28", "clean")
    assert len(scan.problems) == 3, scan.problems
    inner = SecretScan(["sk-live-x\u0000-SECRET"])
    inner.check_json('{"m": "sk-live-x\\u0000-SECRET"}', "--json")
    assert inner.problems


def test_cli_json_output_and_debug_log_carry_no_key(
    tmp_path: Path, secret_scan: SecretScan, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every CLI outcome with a key the scan knows: accepted (saved with CRLF), refused by the
    server, refused locally (a control character inside); `--json` on stdout, debug log on
    stderr."""
    from sellerpic.cli import main

    other = "sk-live-SECRET-unknown-0c4d2e"
    inner = "sk-live-SECRET-in\rner-7a6b5c"
    secret_scan.keys.extend([KEY, other, inner])
    image = tmp_path / "a.png"
    image.write_bytes(image_bytes())
    config = MockConfig(data_dir=tmp_path / "d", api_keys={KEY: 10})
    outcomes = []
    with run_server(config) as url:
        for key, argv in (
            (KEY + "\r\n", ["credits"]),
            (KEY + "\r\n", ["upload", str(image)]),
            (other, ["credits", "--max-retries", "0"]),
            (other, ["upload", str(image), "--max-retries", "0"]),
            (inner, ["credits"]),
        ):
            code = main(
                ["--json", "--log-level", "debug", "--base-url", url, "--api-key", key, *argv]
            )
            captured = capsys.readouterr()
            secret_scan.check_json(captured.out, f"--json of {argv[0]}")
            secret_scan.check_text(captured.err, f"stderr of {argv[0]}")
            outcomes.append(code)
    assert outcomes == [0, 0, 3, 3, 2]
    assert not secret_scan.problems, secret_scan.problems
