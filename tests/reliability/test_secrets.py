"""The API key never shows in reprs, exception texts, tracebacks or log records of the client."""

from __future__ import annotations

import logging
import socket

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
