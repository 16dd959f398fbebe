"""Keys, logs, deadlines, envelope types and the create's `maybe_processed` (issue 16 items 2,
3, 5, 6, 7; issue 17 item 4): against the emulated API, and a slow server on loopback."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from sellerpic import (
    APIConnectionError,
    APITimeoutError,
    AsyncSellerPic,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    InvalidInputError,
    SellerPic,
    SellerPicError,
    ServerError,
)
from sellerpic._transport import loggable_url
from tests.reliability.secretscan import SecretScan

from .conftest import FAST
from .fakeapi import BASE, KEY, FakeApi, business, status

CREATE = "/v1/api/generate/removeBackground"
KEY_INPUT = "UPLOAD/1/2025/01/01/abc.png"
SECRET_KEY = "sk-live-SECRET-hardening-7c1d9e"


def _client(api: FakeApi, key: str = KEY, **kw: object) -> SellerPic:
    return SellerPic(
        key,
        base_url=BASE,
        retry_policy=FAST,
        poll_interval=0.0,
        http_client=httpx.Client(transport=api.transport()),
        **kw,  # type: ignore[arg-type]
    )


# --- 16.2: keys with whitespace and control characters -------------------------------------------
@pytest.mark.parametrize("padding", ["\r", "\n", "\r\n", " ", "\t", "  \r\n"])
def test_surrounding_whitespace_of_a_key_is_dropped(api: FakeApi, padding: str) -> None:
    with _client(api, padding + KEY + padding) as client:
        assert client.credits().remaining == 7
    assert api.requests[-1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("bad", ["\r", "\n", "\x00", "\x7f", " ", "é"])
def test_a_key_with_an_inner_control_character_is_refused_without_showing_it(
    api: FakeApi, bad: str, secret_scan: SecretScan
) -> None:
    key = SECRET_KEY[:10] + bad + SECRET_KEY[10:]
    secret_scan.keys.extend([key, SECRET_KEY])
    with pytest.raises(AuthenticationError) as info:
        _client(api, key)
    assert f"position 11 of {len(key)}" in str(info.value)
    secret_scan.check_exception(info.value)
    assert not secret_scan.problems
    assert api.requests == []


def test_no_error_text_carries_a_header_value() -> None:
    from sellerpic._transport import scrub_secrets

    text = "Illegal header value b'Bearer sk-live-SECRET-x\\r'"
    assert "SECRET" not in scrub_secrets(text)
    assert "SECRET" not in scrub_secrets("sent Authorization: Bearer sk-live-SECRET-x then")


def test_a_header_httpx_refuses_does_not_leak_into_the_error(
    trickling_server: str, secret_scan: SecretScan
) -> None:
    """A bad value that passes the key check by another road (a user's http_client header):
    h11 refuses it as "Illegal header value b'Bearer ...'"."""
    secret_scan.keys.append(SECRET_KEY)
    http = httpx.Client(headers={"X-Extra": f"Bearer {SECRET_KEY}\r\nX: y"})
    client = SellerPic(KEY, base_url=trickling_server, max_retries=0, http_client=http)
    with client, pytest.raises(SellerPicError) as info:
        client.credits()
    secret_scan.check_exception(info.value)
    assert not secret_scan.problems, secret_scan.problems


# --- 16.3 / 17.10: request logs without secrets --------------------------------------------------
def test_loggable_url_removes_signatures_and_tokens_only() -> None:
    url = (
        "https://bucket.s3.amazonaws.com/UPLOAD/1/2025/01/01/0123456789abcdef0123456789abcdef.png"
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20250101"
        "&X-Amz-Signature=deadbeefcafe&X-Amz-Expires=1800"
    )
    shown = loggable_url(url)
    for secret in ("AKIAEXAMPLE", "deadbeefcafe", "0123456789abcdef0123456789abcdef"):
        assert secret not in shown
    assert "X-Amz-Expires=1800" in shown and "bucket.s3.amazonaws.com" in shown
    token = "eyJrIjoiVVBMT0FEIiwiZSI6MTd9.Zm9vYmFyYmF6cXV4MTIz"
    assert token not in loggable_url(f"http://127.0.0.1:8080/presigned/{token}")
    assert loggable_url("http://h/files/x?token=abc") == "http://h/files/x?token=REDACTED"
    readable = "https://api.example.test/v1/api/download?id=19563665437680040690&downloadFormat=png"
    assert loggable_url(readable) == readable


def test_request_logs_show_each_request_without_secrets(
    api: FakeApi, caplog: pytest.LogCaptureFixture, tmp_path: object
) -> None:
    caplog.set_level(logging.INFO)
    api.fault("/v1/api/usage", status(503))
    with _client(api) as client:
        client.credits()
        key = client.upload(_png())
        task = client.remove_background(image=key)
        task.wait(poll_interval=0)
        task.download(str(tmp_path))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "sig=secret" not in text and "sig=s" not in text.replace("sig=REDACTED", "")
    assert "?sig=REDACTED" in text  # httpx's own line, filtered
    mine = [r.getMessage() for r in caplog.records if r.name == "sellerpic"]
    assert any(
        line.startswith("getCreditUsage GET https://api.example.test/v1/api/usage -> HTTP 200")
        and line.endswith("(retry 1)")
        for line in mine
    ), mine
    assert any(line.startswith("uploadFile PUT https://storage.example.test/") for line in mine)
    assert any(line.startswith("removeBackground POST ") for line in mine)
    assert all(" ms" in line for line in mine if " -> " in line)


def _png() -> bytes:
    from .conftest import png

    return png()


# --- 16.5: a deadline for the whole request ------------------------------------------------------
@pytest.fixture
def trickling_server() -> Iterator[str]:
    """Answers every request with headers at once, then one body byte every 0.3 s (40 bytes:
    12 s at most), so per-read timeouts never fire. Loopback, stops with the test."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    body = b'{"code":0,"success":true,"data":{"total":1,"usage":0,"remaining":1}}'[:40]

    def serve_one(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n"
                conn.sendall(head.encode())
                for byte in body:
                    if stop.wait(0.3):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(2)


def test_request_timeout_bounds_the_whole_request(trickling_server: str) -> None:
    with SellerPic(KEY, base_url=trickling_server, timeout=1.0, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            client.credits()
        elapsed = time.monotonic() - started
    assert elapsed < 2.5, elapsed
    assert "within 1 s" in str(info.value)


def test_async_request_timeout_bounds_the_whole_request(trickling_server: str) -> None:
    async def main() -> float:
        async with AsyncSellerPic(
            KEY, base_url=trickling_server, timeout=1.0, max_retries=0
        ) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await client.credits()
            return time.monotonic() - started

    assert asyncio.run(main()) < 2.5


def test_a_create_past_its_deadline_may_have_been_processed(trickling_server: str) -> None:
    client = SellerPic(KEY, base_url=trickling_server, timeout=1.0, max_retries=2)
    with client, pytest.raises(APITimeoutError) as info:
        client.remove_background(image=KEY_INPUT)
    assert info.value.maybe_processed


# --- 16.6: answers without the documented types --------------------------------------------------
def _answer(body: bytes) -> object:
    return lambda request: httpx.Response(200, content=body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"code":0,"success":true,"data":{"total":{},"usage":0,"remaining":0}}', "data.total"),
        (b'{"code":0,"success":true,"data":{"total":1e999,"usage":0,"remaining":0}}', "data.total"),
        (b'{"code":0,"success":true,"data":{"total":5,"usage":"1","remaining":4}}', "data.usage"),
        (b'{"code":0,"success":true,"data":{"total":5,"usage":1.5,"remaining":4}}', "data.usage"),
        (b'{"code":0,"success":true,"data":{"total":5,"usage":1}}', "remaining"),
        (b'{"code":0,"success":true,"data":[1,2]}', "data"),
        (b'{"code":0,"success":"false","data":{"total":5,"usage":1,"remaining":4}}', "success"),
        (b'{"code":"0","success":true,"data":{"total":5,"usage":1,"remaining":4}}', "code"),
    ],
)
def test_wrong_types_raise_server_error_naming_the_field(
    api: FakeApi, body: bytes, field: str
) -> None:
    api.fault("/v1/api/usage", _answer(body))  # type: ignore[arg-type]
    with _client(api) as client, pytest.raises(ServerError) as info:
        client.credits()
    assert f"`{field}`" in str(info.value) or f"`data.{field}`" in str(info.value)
    assert info.value.field is not None and info.value.field.endswith(field.split(".")[-1])


def test_presets_with_wrong_types_raise_server_error(api: FakeApi) -> None:
    api.fault(
        "/v1/api/presets",
        _answer(b'{"code":0,"success":true,"data":{"list":{"id":1},"total":1}}'),  # type: ignore[arg-type]
    )
    with _client(api) as client, pytest.raises(ServerError, match=r"data\.list"):
        client.presets("AI_BACKGROUND")


# --- 16.7: maybe_processed on every error of a create that may have reached the server -----------
@pytest.mark.parametrize(
    ("fault", "maybe"),
    [
        (status(500), True),
        (status(502, body=b"<html>bad gateway</html>"), True),
        (_answer(b"not json"), True),
        (_answer(b'{"code":0,"success":true,"data":{}}'), True),  # no task id
        (_answer(b'{"code":77777,"success":false,"msg":"odd"}'), True),
        (status(400), False),
        (business(30004, "not enough credits"), False),
        (business(400, "imageKey: missing"), False),
        (status(401), False),
    ],
)
def test_create_errors_say_whether_the_task_may_exist(
    api: FakeApi, fault: object, maybe: bool
) -> None:
    api.fault(CREATE, fault)  # type: ignore[arg-type]
    with _client(api) as client, pytest.raises(SellerPicError) as info:
        client.remove_background(image=KEY_INPUT)
    assert info.value.maybe_processed is maybe, repr(info.value)
    assert ("may have been created" in str(info.value)) is maybe
    assert api.calls[CREATE] == 1


def test_refusals_keep_their_classes(api: FakeApi) -> None:
    api.fault(CREATE, business(30004, "not enough credits"), status(400))
    with _client(api) as client:
        with pytest.raises(InsufficientCreditsError):
            client.remove_background(image=KEY_INPUT)
        with pytest.raises(BadRequestError):
            client.remove_background(image=KEY_INPUT)


def test_reads_never_claim_maybe_processed(api: FakeApi) -> None:
    api.fault("/v1/api/usage", *[status(500)] * 4)
    with _client(api) as client, pytest.raises(ServerError) as info:
        client.credits()
    assert not info.value.maybe_processed


# --- 17.4: set-up mistakes -----------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_names_the_url_and_what_to_check() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    client = SellerPic(KEY, base_url=url, max_retries=0)
    with client, pytest.raises(APIConnectionError) as info:
        client.credits()
    assert str(info.value) == (
        f"cannot reach {url}: connection refused; is the simulator running? "
        "check base_url / SELLERPIC_BASE_URL"
    )
    assert info.value.url == url and info.value.reason == "connection refused"


@pytest.mark.parametrize(
    ("base_url", "fix"),
    [
        ("127.0.0.1:8080", "write http://127.0.0.1:8080"),
        ("localhost", "write http://localhost"),
        ("http://127.0.0.1:8080/v1", "give the server's root, http://127.0.0.1:8080 "),
        ("http://127.0.0.1:8080/v1/api/", "give the server's root, http://127.0.0.1:8080 "),
        ("ftp://example.test", "must be http or https"),
    ],
)
def test_a_base_url_that_cannot_work_is_refused_at_once(base_url: str, fix: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        SellerPic(KEY, base_url=base_url)
    assert fix in str(info.value) and info.value.field == "base_url"


def test_a_task_of_a_closed_client_says_the_client_is_closed() -> None:
    with SellerPic(KEY, base_url="http://127.0.0.1:9") as client:
        task = client.task("1956366543768004069")
    with pytest.raises(SellerPicError, match="the client is closed"):
        task.refresh()
    with pytest.raises(SellerPicError, match="the client is closed"):
        client.credits()


def test_an_async_task_of_a_closed_client_says_the_client_is_closed() -> None:
    async def main() -> None:
        async with AsyncSellerPic(KEY, base_url="http://127.0.0.1:9") as client:
            task = client.task("1956366543768004069")
        with pytest.raises(SellerPicError, match="the client is closed"):
            await task.refresh()

    asyncio.run(main())


def test_a_status_whose_result_list_is_not_a_list_is_an_error(api: FakeApi) -> None:
    api.fault(
        "/v1/api/generate",
        _answer(b'{"code":0,"success":true,"data":{"resultList":{"id":"1"}}}'),  # type: ignore[arg-type]
    )
    with _client(api) as client, pytest.raises(ServerError, match=r"data\.resultList"):
        client.task("1956366543768004069").refresh()


@pytest.mark.parametrize("logger", ["httpx", "httpcore.http11", "httpcore.connection"])
def test_third_party_request_logs_are_redacted(
    caplog: pytest.LogCaptureFixture, logger: str
) -> None:
    import sellerpic._transport  # noqa: F401  (installs the filters)

    caplog.set_level(logging.DEBUG)
    signed = "https://bucket.example/x?X-Amz-Signature=cafebabe1234&X-Amz-Expires=60"
    logging.getLogger(logger).debug("headers %s", [(b"Location", signed.encode())])
    logging.getLogger(logger).info("Authorization: Bearer sk-test-abcdef0123456789")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "cafebabe1234" not in text and "sk-test-abcdef" not in text
    assert "X-Amz-Signature=REDACTED" in text
