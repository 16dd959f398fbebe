"""The control plane under /_sellerpic/, in process: every call, and what it does to the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from sellerpic_mock import FakeClock
from sellerpic_mock.app import Simulator
from sellerpic_mock.domain.ids import account_id_for
from sellerpic_mock.faults import ConnectionDropped
from sellerpic_mock.testing import asgi_client
from tests.mock.conftest import KEY_A, KEY_B, created_id, s3_error, status, upload, usage

SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"
SAMPLE_MASK = "UPLOAD/MANAGE/SAMPLE/product/1-mask.png"
ACCESSORIES = {"modelImageKey": SAMPLE, "modelMaskKey": SAMPLE_MASK, "productImageKey": SAMPLE}
ID_A = str(account_id_for(KEY_A))


def ok(answer: httpx.Response, status_code: int = 200) -> Any:
    assert answer.status_code == status_code, answer.text
    return answer.json()


def refused(answer: httpx.Response, status_code: int, words: str) -> None:
    assert answer.status_code == status_code, answer.text
    body = answer.json()
    assert set(body) == {"error", "message"}
    assert words in body["message"], body["message"]


async def tasks(admin: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(await admin.get("/_sellerpic/tasks", params=params))["tasks"]
    return found


async def journal(admin: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(await admin.get("/_sellerpic/requests", params=params))[
        "requests"
    ]
    return found


async def account(admin: httpx.AsyncClient, account_id: str = ID_A) -> dict[str, Any]:
    accounts = ok(await admin.get("/_sellerpic/accounts"))["accounts"]
    (found,) = [a for a in accounts if a["id"] == account_id]
    return dict(found)


# --- clock -------------------------------------------------------------------------------
async def test_clock_reads_the_simulated_time(admin: httpx.AsyncClient, clock: FakeClock) -> None:
    assert ok(await admin.get("/_sellerpic/clock")) == {
        "now": clock.now(),
        "speed": 1.0,
        "advanced": 0.0,
    }


async def test_advance_finishes_a_task(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
    assert {i["status"] for i in await status(client, task_id)} == {"CREATED"}
    before = clock.now()
    moved = ok(await admin.post("/_sellerpic/clock/advance", json={"seconds": 10}))
    assert moved["now"] == before + 10 == clock.now()
    assert moved["advanced"] == 10
    assert {i["status"] for i in await status(client, task_id)} == {"SUCCESS"}


async def test_advance_expires_an_upload_url(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    url = (await client.get("/v1/api/upload/url", params={"format": "png"})).json()["data"][
        "imageUrl"
    ]
    ok(await admin.post("/_sellerpic/clock/advance", json={"seconds": 31 * 60}))
    put = await client.put(url, content=b"x", headers={"Authorization": ""})
    assert put.status_code == 403
    assert s3_error(put) == ("AccessDenied", "Request has expired")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"seconds": -1}, "seconds: -1 is less than the minimum of 0"),
        ({"seconds": "10"}, "seconds: '10' is not of type 'number'"),
        ({}, "'seconds' is a required property"),
        ({"seconds": 1, "extra": 1}, "Additional properties are not allowed"),
    ],
)
async def test_advance_refuses_bad_seconds(
    admin: httpx.AsyncClient, clock: FakeClock, body: dict[str, Any], words: str
) -> None:
    before = clock.now()
    refused(await admin.post("/_sellerpic/clock/advance", json=body), 400, words)
    assert clock.now() == before


async def test_advance_refuses_a_body_that_is_not_json(admin: httpx.AsyncClient) -> None:
    answer = await admin.post("/_sellerpic/clock/advance", content=b"{seconds")
    refused(answer, 400, "body: invalid JSON")


# --- reset -------------------------------------------------------------------------------
async def test_reset_empties_tasks_uploads_journal_and_restores_credits(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    key = await upload(client)
    await created_id(client, "removeBackground", {"imageKey": key})
    ok(await admin.post("/_sellerpic/accounts", json={"key": "sk-added", "credits": 5}), 201)
    assert await tasks(admin) and await journal(admin)
    assert (await usage(client))["remaining"] == 999

    after = ok(await admin.post("/_sellerpic/reset"))
    assert {a["id"] for a in after["accounts"]} == {ID_A, str(account_id_for(KEY_B))} | {
        str(account_id_for("sk-sellerpic-demo"))
    }
    assert await tasks(admin) == []
    assert await journal(admin) == []
    assert (await usage(client))["remaining"] == 1000
    again = await client.post("/v1/api/generate/removeBackground", json={"imageKey": key})
    assert again.json()["code"] == 400 and "file key not found" in again.json()["msg"]
    added = await client.get("/v1/api/usage", headers={"Authorization": "Bearer sk-added"})
    assert added.status_code == 401
    # The samples every account may use are back.
    assert await created_id(client, "removeBackground", {"imageKey": SAMPLE})


async def test_reset_on_an_ephemeral_app(make_app: Callable[..., Simulator]) -> None:
    app = make_app(data_dir=None)
    async with asgi_client(app, KEY_A) as client, asgi_client(app, None) as admin:
        old_dir = app.services.data_dir
        await created_id(client, "removeBackground", {"imageKey": SAMPLE})
        ok(await admin.post("/_sellerpic/reset"))
        assert not old_dir.exists()
        assert await tasks(admin) == []
        assert await created_id(client, "removeBackground", {"imageKey": SAMPLE})


# --- accounts and ledger -----------------------------------------------------------------
async def test_accounts_show_credits_and_a_hint_never_the_key(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await created_id(client, "tryOnAccessories", ACCESSORIES)
    answer = await admin.get("/_sellerpic/accounts")
    for key in (KEY_A, KEY_B, "sk-sellerpic-demo"):
        assert key not in answer.text
    mine = await account(admin)
    assert mine["credits"] == {
        "total": 1000,
        "used": 2,
        "charged": 2,
        "refunded": 0,
        "remaining": 998,
    }
    assert mine["key_hint"] == "sk\u2026a"


async def test_set_account_creates_then_sets_credits(
    app: Simulator, admin: httpx.AsyncClient
) -> None:
    created = ok(
        await admin.post("/_sellerpic/accounts", json={"key": "sk-new-1", "credits": 3}), 201
    )
    assert created["id"] == str(account_id_for("sk-new-1"))
    assert created["credits"]["total"] == 3
    async with asgi_client(app, "sk-new-1") as new:
        create = await new.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES)
        assert create.json()["code"] == 0
        assert (await new.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES)).json()[
            "code"
        ] == 30004
        updated = ok(
            await admin.post("/_sellerpic/accounts", json={"key": "sk-new-1", "credits": 10})
        )
        assert updated["credits"] == {
            "total": 10,
            "used": 2,
            "charged": 2,
            "refunded": 0,
            "remaining": 8,
        }
        assert (await new.get("/v1/api/usage")).json()["data"]["remaining"] == 8


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"key": "", "credits": 1}, "key:"),
        ({"key": "sk x", "credits": 1}, "key:"),
        ({"key": "sk-x", "credits": -1}, "credits: -1 is less than the minimum of 0"),
        ({"key": "sk-x", "credits": 1.5}, "credits: 1.5 is not of type 'integer'"),
        ({"credits": 1}, "'key' is a required property"),
    ],
)
async def test_set_account_refuses_bad_input(
    admin: httpx.AsyncClient, body: dict[str, Any], words: str
) -> None:
    refused(await admin.post("/_sellerpic/accounts", json=body), 400, words)


async def test_ledger_lists_charges_and_refunds(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    first = await created_id(client, "tryOnAccessories", ACCESSORIES)
    clock.advance(1)
    second = await created_id(client, "removeBackground", {"imageKey": SAMPLE})
    ok(await admin.post(f"/_sellerpic/tasks/{second}/outcome", json={"status": "FAILED"}))
    ledger = ok(await admin.get(f"/_sellerpic/accounts/{ID_A}/ledger"))
    assert ledger["account_id"] == ID_A
    assert [(e["task_id"], e["kind"], e["credits"]) for e in ledger["entries"]] == [
        (first, "charge", 2),
        (second, "charge", 1),
        (second, "refund", 1),
    ]
    assert ledger["entries"][0]["operation"] == "tryOnAccessories"
    assert "FAILED" in ledger["entries"][2]["reason"]
    mine = await account(admin)
    assert mine["credits"]["charged"] == 3 and mine["credits"]["refunded"] == 1
    assert mine["credits"]["used"] == 2 == (await usage(client))["usage"]


async def test_ledger_of_an_unknown_account(admin: httpx.AsyncClient) -> None:
    refused(await admin.get("/_sellerpic/accounts/123/ledger"), 404, "account 123")
    refused(await admin.get("/_sellerpic/accounts/abc/ledger"), 400, "account_id")


# --- tasks and outcomes ------------------------------------------------------------------
async def test_tasks_newest_first_with_results(
    client: httpx.AsyncClient, other: httpx.AsyncClient, admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    first = await created_id(client, "tryOnAccessories", ACCESSORIES)
    clock.advance(2)
    second = await created_id(other, "removeBackground", {"imageKey": SAMPLE})
    listed = await tasks(admin)
    assert [t["id"] for t in listed] == [second, first]
    assert listed[1]["operation"] == "tryOnAccessories"
    assert listed[1]["account_id"] == ID_A
    assert listed[1]["status"] == "RUNNING"
    assert listed[1]["credits"] == 2
    assert [r["status"] for r in listed[1]["results"]] == ["RUNNING"] * 2
    assert listed[0]["finish_at"] > listed[0]["created_at"]
    assert [t["id"] for t in await tasks(admin, account=ID_A)] == [first]
    assert [t["id"] for t in await tasks(admin, limit="1")] == [second]
    refused(await admin.get("/_sellerpic/tasks", params={"limit": "0"}), 400, "limit")


async def test_forced_failure_refunds_and_shows_its_error(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
    assert (await usage(client))["remaining"] == 998
    task = ok(
        await admin.post(
            f"/_sellerpic/tasks/{task_id}/outcome",
            json={"status": "FAILED", "errorCode": 40021, "errorMsg": "model image is blurry"},
        )
    )
    assert task["status"] == "FAILED"
    assert (await usage(client))["remaining"] == 1000
    items = await status(client, task_id)
    assert [(i["status"], i["errorCode"], i["errorMsg"]) for i in items] == [
        ("FAILED", 40021, "model image is blurry")
    ] * 2
    # Forced once: a second time is refused, and nothing is refunded twice.
    refused(
        await admin.post(f"/_sellerpic/tasks/{task_id}/outcome", json={"status": "SUCCESS"}),
        409,
        "already finished",
    )
    assert (await usage(client))["remaining"] == 1000


async def test_forced_outcome_per_result(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
    first, second = [r["id"] for r in (await tasks(admin))[0]["results"]]
    task = ok(
        await admin.post(
            f"/_sellerpic/tasks/{task_id}/outcome",
            json={"status": "SUCCESS", "results": [{"id": second, "status": "FAILED"}]},
        )
    )
    assert task["status"] == "PARTIAL"
    items = {i["id"]: i for i in await status(client, task_id)}
    assert items[first]["status"] == "SUCCESS" and items[first]["fileUrl"]
    assert items[second]["status"] == "FAILED" and items[second]["errorCode"] == 50001
    assert (await usage(client))["remaining"] == 999
    download = await client.get("/v1/api/download", params={"id": first, "downloadFormat": "png"})
    assert download.json()["code"] == 0


async def test_forced_success_ends_the_task_now(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
    task = ok(await admin.post(f"/_sellerpic/tasks/{task_id}/outcome", json={"status": "SUCCESS"}))
    assert task["finish_at"] == clock.now()
    assert {i["status"] for i in await status(client, task_id)} == {"SUCCESS"}
    assert (await usage(client))["remaining"] == 998


async def test_forced_outcome_frees_the_concurrency_slot(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    ids = []
    for _ in range(10):  # tryOnAccessories allows 10 in flight
        ids.append(await created_id(client, "tryOnAccessories", ACCESSORIES))
    full = await client.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES)
    assert full.json()["code"] == 30003
    ok(await admin.post(f"/_sellerpic/tasks/{ids[0]}/outcome", json={"status": "SUCCESS"}))
    assert await created_id(client, "tryOnAccessories", ACCESSORIES)


@pytest.mark.parametrize(
    ("task_id", "body", "status_code", "words"),
    [
        ("123", {"status": "FAILED"}, 404, "task 123"),
        ("x", {"status": "FAILED"}, 400, "task_id"),
        (None, {}, 400, "body: {} is not valid under any of the given schemas"),
        (None, {"errorCode": 1}, 400, "is not valid under any of the given schemas"),
        (None, {"status": "DONE"}, 400, "status: 'DONE' is not one of"),
        (None, {"results": [{"id": "1", "status": "FAILED"}]}, 400, "has no result 1"),
    ],
)
async def test_forced_outcome_refusals(
    client: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    task_id: str | None,
    body: dict[str, Any],
    status_code: int,
    words: str,
) -> None:
    real = await created_id(client, "removeBackground", {"imageKey": SAMPLE})
    answer = await admin.post(f"/_sellerpic/tasks/{task_id or real}/outcome", json=body)
    refused(answer, status_code, words)
    assert (await usage(client))["remaining"] == 999


# --- faults ------------------------------------------------------------------------------
async def test_faults_read_and_replace(admin: httpx.AsyncClient) -> None:
    assert ok(await admin.get("/_sellerpic/faults")) == {
        "latency_ms": 0.0,
        "error_rate": 0.0,
        "drop_rate": 0.0,
        "rules": [],
    }
    settings = {
        "error_rate": 0.5,
        "rules": [{"fault": "slow", "delay_ms": 5, "operation": "getCreditUsage", "times": 2}],
    }
    assert ok(await admin.put("/_sellerpic/faults", json=settings)) == {
        "latency_ms": 0.0,
        "error_rate": 0.5,
        "drop_rate": 0.0,
        "rules": [{"fault": "slow", "delay_ms": 5.0, "operation": "getCreditUsage", "times": 2}],
    }
    refused(await admin.put("/_sellerpic/faults", json={"drop_rate": 2}), 400, "drop_rate")
    refused(
        await admin.put("/_sellerpic/faults", json={"rules": [{"fault": "explode"}]}),
        400,
        "rules.0.fault",
    )


async def test_one_shot_drop_after_on_the_next_create(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    rule = {"fault": "drop-after", "operation": "tryOnAccessories"}
    ok(await admin.put("/_sellerpic/faults", json={"rules": [rule]}))
    # Other operations are not hit by the rule.
    assert (await usage(client))["remaining"] == 1000
    with pytest.raises(ConnectionDropped):
        await client.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES)
    assert ok(await admin.get("/_sellerpic/faults"))["rules"] == []
    # The lost create was made and charged; the client re-sends it.
    retried = await created_id(client, "tryOnAccessories", ACCESSORIES)
    assert (await usage(client))["remaining"] == 996
    lost, resent = await journal(admin, operation="tryOnAccessories")
    assert lost["status"] is None and lost["code"] is None
    assert lost["fault"] == "drop-after"
    assert lost["credits_charged"] == 2 and lost["task_id"] is not None
    assert lost["suspected_duplicate_of"] is None
    assert resent["task_id"] == retried and resent["status"] == 200 and resent["code"] == 0
    assert resent["suspected_duplicate_of"] == lost["task_id"]


async def test_reset_restores_the_configured_faults(admin: httpx.AsyncClient) -> None:
    ok(await admin.put("/_sellerpic/faults", json={"drop_rate": 1, "rules": [{"fault": "drop"}]}))
    ok(await admin.post("/_sellerpic/reset"))
    assert ok(await admin.get("/_sellerpic/faults"))["drop_rate"] == 0.0
    assert ok(await admin.get("/_sellerpic/faults"))["rules"] == []


# --- journal -----------------------------------------------------------------------------
async def test_journal_records_what_each_request_did(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
    await status(client, task_id)
    await client.get("/v1/api/usage", headers={"X-Sellerpic-Mock-Fault": "server-error"})
    await client.get("/v1/api/nowhere")
    create, poll, broken, unknown = await journal(admin)
    assert create["method"] == "POST" and create["path"] == "/v1/api/generate/tryOnAccessories"
    assert create["operation"] == "tryOnAccessories"
    assert (create["status"], create["code"]) == (200, 0)
    assert create["account_id"] == ID_A and create["task_id"] == task_id
    assert (create["credits_charged"], create["credits_refunded"]) == (2, 0)
    assert create["sim_time"] == clock.now() and create["wall_time"] > 0
    assert create["duration_ms"] >= 0 and create["fault"] is None
    assert create["body"] == ACCESSORIES
    assert poll["operation"] == "getTaskStatus" and poll["task_id"] == task_id
    assert poll["path"] == f"/v1/api/generate?id={task_id}" and poll["credits_charged"] == 0
    assert (broken["status"], broken["code"], broken["fault"]) == (500, 500, "server-error")
    assert unknown["operation"] is None and unknown["status"] == 404
    assert [e["id"] for e in (create, poll, broken, unknown)] == sorted(
        e["id"] for e in (create, poll, broken, unknown)
    )


async def test_journal_keeps_no_answer(
    app: Simulator, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    # What an entry shows of an answer is its status and code: a full journal need not hold
    # ten thousand answers.
    task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
    clock.advance(10)
    answers = [(await client.get("/v1/api/generate", params={"id": task_id})).content]
    answers.append((await client.get("/v1/api/usage")).content)
    held = [field for row in app.control.journal._rows for field in row]
    assert all(answer not in held for answer in answers)
    assert not any(isinstance(field, bytes) and len(field) > 256 for field in held)


async def test_journal_records_refunds_where_they_happen(
    make_app: Callable[..., Simulator], clock: FakeClock
) -> None:
    app = make_app(failure_rate=1.0)
    async with asgi_client(app, KEY_A) as client, asgi_client(app, None) as admin:
        task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
        clock.advance(10)
        assert {i["status"] for i in await status(client, task_id)} == {"FAILED"}
        poll = (await journal(admin, operation="getTaskStatus"))[0]
        assert (poll["credits_charged"], poll["credits_refunded"]) == (0, 2)


async def test_journal_never_holds_a_key_or_a_token(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    answer = await client.get("/v1/api/upload/url", params={"format": "png"})
    url = answer.json()["data"]["imageUrl"]
    key, _, query = url.split("://", 1)[1].partition("/")[2].partition("?")
    signature = dict(parse_qsl(query))["X-Amz-Signature"]
    await client.put(url, content=b"x", headers={"Authorization": ""})
    result = "/RESULT/1/2026/12/01/1956366543768004069_output_0.png"
    await client.get(result, params={"X-Amz-Credential": "SIM/1", "X-Amz-Signature": "c0ffee99"})
    await client.get("/v1/api/usage", params={"X-Amz-Signature": "abcdef", "apiKey": KEY_A})
    await client.get("/v1/api/usage", headers={"Authorization": "Bearer sk-not-a-key-123"})
    text = (await admin.get("/_sellerpic/requests")).text
    for secret in (KEY_A, signature, "c0ffee99", "abcdef", "sk-not-a-key-123"):
        assert secret not in text
    entries = {e["path"].partition("?")[0]: e for e in await journal(admin)}
    upload = entries["/" + key]
    assert upload["operation"] == "uploadFile"
    assert "X-Amz-Signature=REDACTED" in upload["path"]
    download = entries[result]
    assert download["operation"] == "downloadFile" and download["status"] == 403
    assert download["path"].endswith("X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED")
    paths = [e["path"] for e in await journal(admin)]
    assert "/v1/api/usage?X-Amz-Signature=REDACTED&apiKey=REDACTED" in paths


async def test_journal_filters(
    client: httpx.AsyncClient, other: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await usage(client)
    await usage(other)
    await client.get("/v1/api/nowhere")
    first_id = (await journal(admin))[0]["id"]
    assert len(await journal(admin, account=ID_A)) == 1
    assert len(await journal(admin, operation="getCreditUsage")) == 2
    assert len(await journal(admin, status="404")) == 1
    assert len(await journal(admin, status="2xx")) == 2
    assert await journal(admin, status="dropped") == []
    assert len(await journal(admin, after=str(first_id))) == 2
    assert len(await journal(admin, limit="1")) == 1
    assert len(await journal(admin, since="0")) == 3
    assert await journal(admin, since="99999999999") == []
    refused(await admin.get("/_sellerpic/requests", params={"status": "ok"}), 400, "status")
    refused(await admin.get("/_sellerpic/requests", params={"since": "soon"}), 400, "since")


async def test_journal_clear(client: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    await usage(client)
    assert (await admin.delete("/_sellerpic/requests")).status_code == 204
    assert await journal(admin) == []
    await usage(client)
    assert len(await journal(admin)) == 1


async def test_duplicate_needs_the_same_account_body_and_window(
    client: httpx.AsyncClient, other: httpx.AsyncClient, admin: httpx.AsyncClient, clock: FakeClock
) -> None:
    first = await created_id(client, "tryOnAccessories", ACCESSORIES)
    # Same body, keys in another order: a duplicate.
    await created_id(client, "tryOnAccessories", dict(reversed(ACCESSORIES.items())))
    await created_id(other, "tryOnAccessories", ACCESSORIES)  # another account
    await created_id(client, "tryOnAccessories", {**ACCESSORIES, "productImageKey": SAMPLE_MASK})
    clock.advance(601)
    await created_id(client, "tryOnAccessories", ACCESSORIES)  # past the window
    marks = [e["suspected_duplicate_of"] for e in await journal(admin)]
    assert marks == [None, first, None, None, None]


async def test_journal_is_bounded(make_app: Callable[..., Simulator]) -> None:
    app = make_app(journal_size=3)
    async with asgi_client(app, KEY_A) as client, asgi_client(app, None) as admin:
        for _ in range(5):
            await usage(client)
        assert [e["id"] for e in await journal(admin)] == [3, 4, 5]


async def test_journal_off(make_app: Callable[..., Simulator]) -> None:
    app = make_app(journal_size=0)
    async with asgi_client(app, KEY_A) as client, asgi_client(app, None) as admin:
        await usage(client)
        assert await journal(admin) == []


# --- the plane itself --------------------------------------------------------------------
async def test_unknown_control_path_and_method(admin: httpx.AsyncClient) -> None:
    refused(await admin.get("/_sellerpic/nothing"), 404, "openapi.json")
    answer = await admin.delete("/_sellerpic/clock")
    refused(answer, 405, "use GET")
    assert "GET" in answer.headers["allow"]


async def test_document_is_served(admin: httpx.AsyncClient) -> None:
    document = ok(await admin.get("/_sellerpic/openapi.json"))
    assert document["openapi"].startswith("3.")
    assert all(path.startswith("/_sellerpic/") for path in document["paths"])


async def test_control_requests_are_not_journaled_nor_faulted(
    admin: httpx.AsyncClient,
) -> None:
    ok(await admin.put("/_sellerpic/faults", json={"drop_rate": 1}))
    ok(await admin.get("/_sellerpic/clock"))
    assert await journal(admin) == []


async def test_python_api(app: Simulator, client: httpx.AsyncClient, clock: FakeClock) -> None:
    control = app.control
    task_id = await created_id(client, "tryOnAccessories", ACCESSORIES)
    assert [t.id for t in control.tasks()] == [task_id]
    control.force_outcome(task_id, "FAILED")
    assert control.task(task_id).status == "FAILED"
    assert [e.kind for e in control.ledger(int(ID_A))] == ["charge", "refund"]
    assert control.account(int(ID_A)).remaining == 1000
    assert control.requests()[0].task_id == task_id
    control.advance(5)
    assert control.clock()["now"] == clock.now()
    control.reset()
    assert control.tasks() == [] and control.requests() == []
