"""Retry, envelope and upload/download rules, against an emulated API (httpx.MockTransport)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

import sellerpic
from sellerpic import (
    APITimeoutError,
    AuthenticationError,
    ConcurrencyLimitError,
    InsufficientCreditsError,
    InvalidInputError,
    NotFoundError,
    SellerPic,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
)
from sellerpic._retry import RetryPolicy, full_jitter, retry_after_seconds

from .conftest import FAST
from .fakeapi import (
    BASE,
    KEY,
    FakeApi,
    business,
    connect_error,
    connect_timeout,
    dropped,
    read_timeout,
    s3_error,
    status,
)

CREATE = "/v1/api/generate/removeBackground"
KEY_INPUT = "UPLOAD/1/2025/01/01/abc.png"


def test_create_not_repeated_after_read_timeout(client: SellerPic, api: FakeApi) -> None:
    api.fault(CREATE, read_timeout)
    with pytest.raises(APITimeoutError) as info:
        client.remove_background(image=KEY_INPUT)
    assert info.value.maybe_processed
    assert api.calls[CREATE] == 1


def test_create_not_repeated_after_dropped_answer(client: SellerPic, api: FakeApi) -> None:
    api.fault(CREATE, dropped)
    with pytest.raises(sellerpic.APIConnectionError) as info:
        client.remove_background(image=KEY_INPUT)
    assert info.value.maybe_processed
    assert api.calls[CREATE] == 1


def test_create_not_repeated_after_5xx(client: SellerPic, api: FakeApi) -> None:
    api.fault(CREATE, status(502))
    with pytest.raises(ServerError):
        client.remove_background(image=KEY_INPUT)
    assert api.calls[CREATE] == 1


@pytest.mark.parametrize("never_sent", [connect_error, connect_timeout])
def test_create_retried_when_never_sent(
    client: SellerPic, api: FakeApi, never_sent: object
) -> None:
    api.fault(CREATE, never_sent, never_sent)  # type: ignore[arg-type]
    task = client.remove_background(image=KEY_INPUT)
    assert task.id and api.calls[CREATE] == 3 and api.created == 1


def test_create_retried_on_concurrency_limit(client: SellerPic, api: FakeApi) -> None:
    api.fault(CREATE, business(30003), business(30003))
    task = client.remove_background(image=KEY_INPUT)
    assert task.id and api.created == 1


def test_concurrency_limit_raised_when_budget_spent(api: FakeApi) -> None:
    api.fault(CREATE, *[business(30003)] * 3)
    client = SellerPic(
        KEY,
        base_url=BASE,
        max_retries=2,
        retry_policy=FAST,
        http_client=httpx.Client(transport=api.transport()),
    )
    with pytest.raises(ConcurrencyLimitError) as info:
        client.remove_background(image=KEY_INPUT)
    assert info.value.code == 30003 and info.value.trace_id == "trace-1"


def test_business_errors_in_http_200(client: SellerPic, api: FakeApi) -> None:
    api.fault(CREATE, business(30004, "not enough credits"))
    with pytest.raises(InsufficientCreditsError) as info:
        client.remove_background(image=KEY_INPUT)
    assert info.value.status_code == 200 and "not enough credits" in str(info.value)


def test_reads_retry_on_5xx_429_and_network(client: SellerPic, api: FakeApi) -> None:
    api.fault("/v1/api/usage", status(503), status(429, {"Retry-After": "0"}), read_timeout)
    assert client.credits().remaining == 7
    assert api.calls["/v1/api/usage"] == 4


def test_reads_give_up_after_max_retries(client: SellerPic, api: FakeApi) -> None:
    api.fault("/v1/api/usage", *[status(500)] * 4)
    with pytest.raises(ServerError):
        client.credits()
    assert api.calls["/v1/api/usage"] == 4


def test_non_json_and_nonstandard_statuses(client: SellerPic, api: FakeApi) -> None:
    api.fault("/v1/api/usage", status(403, body=b"<html>denied</html>"))
    with pytest.raises(sellerpic.PermissionDeniedError) as info:
        client.credits()
    assert info.value.status_code == 403
    api.fault("/v1/api/usage", *[status(520, body=b"odd")] * 4)
    with pytest.raises(ServerError) as info2:
        client.credits()
    assert info2.value.status_code == 520


def test_404_and_401(api: FakeApi, client: SellerPic) -> None:
    api.fault("/v1/api/generate", status(404))
    with pytest.raises(NotFoundError):
        client.task("1").refresh()
    bad = SellerPic(
        "sk-wrong",
        base_url=BASE,
        retry_policy=FAST,
        http_client=httpx.Client(transport=api.transport()),
    )
    with pytest.raises(AuthenticationError):
        bad.credits()


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert (
        retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0)
        == 10.0
    )
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "soon"}) is None
    policy = RetryPolicy(max_delay=5)
    assert policy.delay(0, retry_after=100) == 5
    assert all(
        0 <= full_jitter(n, 0.5, 4) <= min(4, 0.5 * 2**n) for n in range(10) for _ in range(20)
    )


def test_presigned_put_has_no_key_and_renews_on_403(
    client: SellerPic, api: FakeApi, files: dict[str, Path]
) -> None:
    api.fault(
        "/UPLOAD/1/2025/01/01/00000000000000000000000000000001.png",
        lambda request: s3_error(403, "AccessDenied", "Request has expired"),
    )
    key = client.upload(files["image"])
    puts = [r for r in api.requests if r.method == "PUT"]
    assert len(puts) == 2 and key.endswith(".png")
    assert all("authorization" not in r.headers for r in puts)
    assert all(r.headers["content-type"] == "application/octet-stream" for r in puts)
    assert list(api.uploads.values()) == [files["image"].read_bytes()]
    assert api.calls["/v1/api/upload/url"] == 2


def test_the_presigned_url_is_used_exactly_as_returned(
    client: SellerPic, api: FakeApi, files: dict[str, Path]
) -> None:
    """The PUT goes to imageUrl byte for byte: its query string (the signature, the
    percent-encoded slashes of X-Amz-Credential) survives, and the fake storage, like S3,
    refuses anything else."""
    key = client.upload(files["image"])
    (put,) = [r for r in api.requests if r.method == "PUT"]
    issued = api.upload_urls["/" + key]
    assert str(put.url) == issued
    assert put.url.query.decode() == issued.split("?", 1)[1]
    assert "X-Amz-Credential=AKIAEXAMPLE%2F20250101%2F" in str(put.url)
    assert list(api.uploads) == ["/" + key]


def test_multipart_upload(api: FakeApi, files: dict[str, Path]) -> None:
    client = SellerPic(
        KEY,
        base_url=BASE,
        retry_policy=FAST,
        upload_mode="multipart",
        http_client=httpx.Client(transport=api.transport()),
    )
    api.fault("/v1/api/upload", status(500))
    key = client.upload(files["image"].read_bytes())
    assert key.startswith("UPLOAD/")
    # The retry re-sent the whole file, not an emptied stream.
    assert files["image"].read_bytes() in api.uploads["multipart-1"]


def test_local_checks_before_any_request(
    client: SellerPic, api: FakeApi, files: dict[str, Path]
) -> None:
    cases = [
        (
            dict(
                model_image=files["gif"], model_mask=files["mask"], product_image=files["product"]
            ),
            "format",
        ),
        (
            dict(
                model_image=files["image"],
                model_mask=files["grey_mask"],
                product_image=files["product"],
            ),
            "mask",
        ),
        (
            dict(
                model_image=files["image"],
                model_mask=files["small_mask"],
                product_image=files["product"],
            ),
            "mask",
        ),
        (
            dict(model_image=files["image"], model_mask=files["mask"], product_image="nope.png"),
            "missing",
        ),
    ]
    for inputs, rule in cases:
        with pytest.raises(InvalidInputError) as info:
            client.try_on_accessories(**inputs)  # type: ignore[arg-type]
        assert info.value.rule == rule
    with pytest.raises(InvalidInputError):
        client.try_on_apparel(model_image=KEY_INPUT, top=KEY_INPUT, bottom=KEY_INPUT)
    with pytest.raises(InvalidInputError):
        client.replace_background(product_image=KEY_INPUT)
    assert not api.requests


def test_wait_unknown_status_timeout_and_failure(client: SellerPic, api: FakeApi) -> None:
    api.fault("/v1/api/generate", lambda r: sellerpic_status_unknown(r))
    task = client.remove_background(image=KEY_INPUT)
    seen: list[list[str]] = []
    task.wait(on_update=lambda s: seen.append(s.statuses))
    assert seen[0] == ["QUEUED", "QUEUED"] and seen[-1] == ["SUCCESS", "SUCCESS"]

    api.polls_before_done = 10**6
    with pytest.raises(TaskTimeoutError):
        client.remove_background(image=KEY_INPUT).wait(poll_interval=0.01, timeout=0.05)

    api.polls_before_done, api.final_status = 0, "FAILED"
    with pytest.raises(TaskFailedError) as info:
        client.remove_background(image=KEY_INPUT).wait()
    assert [f.error_code for f in info.value.failures] == [50001, 50001]


def sellerpic_status_unknown(request: httpx.Request) -> httpx.Response:
    from .fakeapi import envelope

    return envelope(
        {"resultList": [{"id": "1", "status": "QUEUED"}, {"id": "2", "status": "QUEUED"}]}
    )


def test_download_refreshes_expired_url_and_leaves_no_partial(
    client: SellerPic, api: FakeApi, tmp_path: Path
) -> None:
    api.polls_before_done = 0
    task = client.remove_background(image=KEY_INPUT)
    task.wait()
    first = f"/files/{task.results[0].id}.png"
    api.fault(first, status(403))
    files = task.download(tmp_path, format="png")
    assert [f.name for f in files] == [f"{task.id}_0.png", f"{task.id}_1.png"]
    assert files[0].read_bytes().startswith(b"\x89PNG")
    assert api.calls["/v1/api/download"] == 3
    second = f"/files/{task.results[1].id}.png"
    api.fault(second, *[status(500)] * 4)
    with pytest.raises(ServerError):
        task.download(tmp_path / "again", format="png")
    leftovers = [p.name for p in (tmp_path / "again").iterdir()]
    assert leftovers == [f"{task.id}_0.png"]


def test_partial_failure_in_run(client: SellerPic, api: FakeApi, tmp_path: Path) -> None:
    from .fakeapi import envelope

    api.fault(
        "/v1/api/generate",
        lambda r: envelope(
            {
                "resultList": [
                    {"id": "7", "status": "SUCCESS"},
                    {"id": "8", "status": "FAILED", "errorCode": 5, "errorMsg": "x"},
                ]
            }
        ),
    )
    result = client.run("remove-background", image=KEY_INPUT, output_dir=tmp_path)
    assert len(result.files) == 1 and result.failures[0].error_msg == "x"


def test_key_never_shown(client: SellerPic, api: FakeApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="sellerpic")
    api.fault("/v1/api/usage", status(500), connect_error)
    client.credits()
    api.fault(CREATE, read_timeout)
    with pytest.raises(APITimeoutError) as info:
        client.remove_background(image=KEY_INPUT)
    shown = [repr(client), str(info.value), repr(info.value), caplog.text, repr(client._http.auth)]
    assert caplog.records and not any(KEY in text for text in shown)
    assert info.value.__cause__ is None


def test_missing_key_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SELLERPIC_API_KEY", raising=False)
    with pytest.raises(AuthenticationError):
        SellerPic()
    monkeypatch.setenv("SELLERPIC_API_KEY", KEY)
    monkeypatch.setenv("SELLERPIC_BASE_URL", "http://localhost:1/")
    client = SellerPic()
    assert client.base_url == "http://localhost:1" and client.poll_interval == 1.0
    monkeypatch.delenv("SELLERPIC_BASE_URL")
    real = SellerPic()
    assert real.poll_interval == 60.0
    assert real._http.timeout.read is not None


async def test_async_client_same_rules(
    aclient: sellerpic.AsyncSellerPic, api: FakeApi, files: dict[str, Path], tmp_path: Path
) -> None:
    api.fault(CREATE, read_timeout)
    with pytest.raises(APITimeoutError):
        await aclient.remove_background(image=KEY_INPUT)
    assert api.calls[CREATE] == 1
    api.fault(CREATE, connect_error, business(30003))
    api.fault("/put/1", status(403))
    task = await aclient.remove_background(image=files["image"])
    await task.wait()
    paths = await task.download(tmp_path)
    assert len(paths) == 2 and api.calls[CREATE] == 4
    assert (await aclient.credits()).used == 3
