"""The control plane on a served simulator: each call over real sockets, `sellerpic-mock serve`
with its flags, the admin token, and schemathesis against the control API's own document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from sellerpic_mock import MockConfig
from sellerpic_mock.control.document import document
from sellerpic_mock.domain.ids import account_id_for
from sellerpic_mock.spec import find_spec
from sellerpic_mock.testing import image_bytes, run_server, serve_in_subprocess

KEY = "sk-served-control"
AUTH = {"Authorization": f"Bearer {KEY}"}
SAMPLE = "UPLOAD/MANAGE/SAMPLE/product/1-original.png"
SAMPLE_MASK = "UPLOAD/MANAGE/SAMPLE/product/1-mask.png"
ACCESSORIES = {"modelImageKey": SAMPLE, "modelMaskKey": SAMPLE_MASK, "productImageKey": SAMPLE}
ACCOUNT_ID = str(account_id_for(KEY))
#: Generated cases per operation and mode: the whole run stays well under a minute.
MAX_EXAMPLES = 15


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    # The machine's clock (plus the control plane's offset), as `sellerpic-mock serve` runs.
    with run_server(MockConfig(api_keys={KEY: 100}, demo_key=False)) as url:
        yield url


def call(url: str, method: str, path: str, status_code: int = 200, **kwargs: Any) -> Any:
    answer = httpx.request(method, url + path, timeout=10, **kwargs)
    assert answer.status_code == status_code, answer.text
    return answer.json() if answer.content else None


def test_every_call_over_sockets(served: str) -> None:
    url = served
    call(url, "POST", "/_sellerpic/reset")
    api = httpx.Client(base_url=url, headers=AUTH, timeout=10)

    # An upload URL, a create, then the clock moves: the task finishes, the URL expires.
    upload = api.get("/v1/api/upload/url", params={"format": "png"}).json()["data"]
    task_id = api.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES).json()["data"]["id"]
    before = call(url, "GET", "/_sellerpic/clock")
    after = call(url, "POST", "/_sellerpic/clock/advance", json={"seconds": 3600})
    assert after["now"] - before["now"] >= 3600 and after["advanced"] == 3600
    items = api.get("/v1/api/generate", params={"id": task_id}).json()["data"]["resultList"]
    assert {i["status"] for i in items} == {"SUCCESS"}
    assert httpx.put(upload["imageUrl"], content=image_bytes()).status_code == 403

    # A forced failure is refunded; the ledger and the account say so.
    second = api.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES).json()["data"]["id"]
    call(url, "POST", f"/_sellerpic/tasks/{second}/outcome", json={"status": "FAILED"})
    assert api.get("/v1/api/usage").json()["data"]["remaining"] == 98
    ledger = call(url, "GET", f"/_sellerpic/accounts/{ACCOUNT_ID}/ledger")["entries"]
    assert [(e["task_id"], e["kind"], e["credits"]) for e in ledger] == [
        (task_id, "charge", 2),
        (second, "charge", 2),
        (second, "refund", 2),
    ]
    accounts = call(url, "GET", "/_sellerpic/accounts")["accounts"]
    assert [a["credits"]["remaining"] for a in accounts if a["id"] == ACCOUNT_ID] == [98]
    assert [t["id"] for t in call(url, "GET", "/_sellerpic/tasks")["tasks"]] == [second, task_id]

    # A one-shot drop-after, then the client re-sends: the journal marks the duplicate.
    rule = {"fault": "drop-after", "operation": "tryOnAccessories"}
    call(url, "PUT", "/_sellerpic/faults", json={"rules": [rule]})
    with pytest.raises(httpx.TransportError):
        api.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES)
    resent = api.post("/v1/api/generate/tryOnAccessories", json=ACCESSORIES).json()["data"]["id"]
    creates = call(url, "GET", "/_sellerpic/requests", params={"operation": "tryOnAccessories"})
    lost, again = creates["requests"][-2:]
    assert lost["status"] is None and lost["fault"] == "drop-after"
    assert again["task_id"] == resent and again["suspected_duplicate_of"] == lost["task_id"]
    journal_text = httpx.get(url + "/_sellerpic/requests").text
    accounts_text = httpx.get(url + "/_sellerpic/accounts").text
    assert KEY not in journal_text and KEY not in accounts_text
    assert upload["imageUrl"].rsplit("/", 1)[1] not in journal_text

    # New account, clear the journal, reset.
    call(url, "POST", "/_sellerpic/accounts", 201, json={"key": "sk-served-new", "credits": 7})
    new = httpx.get(url + "/v1/api/usage", headers={"Authorization": "Bearer sk-served-new"})
    assert new.json()["data"]["total"] == 7
    assert httpx.delete(url + "/_sellerpic/requests").status_code == 204
    assert call(url, "GET", "/_sellerpic/requests")["requests"] == []
    call(url, "POST", "/_sellerpic/reset")
    assert call(url, "GET", "/_sellerpic/tasks")["tasks"] == []
    assert api.get("/v1/api/usage").json()["data"]["remaining"] == 100
    api.close()


def test_serve_with_an_admin_token_requires_it(tmp_path: Any) -> None:
    with serve_in_subprocess("--ephemeral", "--admin-token", "adm-s3cret") as (url, _):
        refused = httpx.get(url + "/_sellerpic/clock")
        assert refused.status_code == 401
        assert "Bearer <admin token>" in refused.json()["message"]
        assert refused.headers["www-authenticate"].startswith("Bearer")
        wrong = httpx.get(url + "/_sellerpic/clock", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        good = {"Authorization": "Bearer adm-s3cret"}
        assert httpx.get(url + "/_sellerpic/clock", headers=good).status_code == 200
        # The API surface keeps its own keys.
        demo = {"Authorization": "Bearer sk-sellerpic-demo"}
        assert httpx.get(url + "/v1/api/usage", headers=demo).status_code == 200


def test_serve_no_admin_turns_the_plane_off() -> None:
    with serve_in_subprocess("--ephemeral", "--no-admin") as (url, _):
        off = httpx.get(url + "/_sellerpic/clock")
        assert off.status_code == 404
        assert "--no-admin" in off.json()["message"]
        demo = {"Authorization": "Bearer sk-sellerpic-demo"}
        assert httpx.get(url + "/v1/api/usage", headers=demo).status_code == 200


def test_serve_advance_moves_the_machine_clock_forward() -> None:
    with serve_in_subprocess("--ephemeral", "--journal-size", "2") as (url, _):
        demo = {"Authorization": "Bearer sk-sellerpic-demo"}
        created = httpx.post(
            url + "/v1/api/generate/tryOnAccessories", json=ACCESSORIES, headers=demo
        ).json()
        task_id = created["data"]["id"]
        call(url, "POST", "/_sellerpic/clock/advance", json={"seconds": 60})
        items = httpx.get(url + "/v1/api/generate", params={"id": task_id}, headers=demo)
        assert {i["status"] for i in items.json()["data"]["resultList"]} == {"SUCCESS"}
        httpx.get(url + "/v1/api/usage", headers=demo)
        journal = call(url, "GET", "/_sellerpic/requests")["requests"]
        assert [e["operation"] for e in journal] == ["getTaskStatus", "getCreditUsage"]


def test_the_main_spec_has_no_control_routes() -> None:
    spec = yaml.safe_load(find_spec().read_text())
    assert spec["paths"]
    assert not [path for path in spec["paths"] if path.startswith("/_sellerpic")]


# --- schemathesis on the control document ------------------------------------------------
SCHEMA = schemathesis.openapi.from_dict(document())
OPERATIONS = {
    op["operationId"]: op for path in document()["paths"].values() for op in path.values()
}
# An operation without parameters or body has no negative case to generate.
CASES = [
    pytest.param(op_id, mode, id=f"{op_id}-{mode.value}")
    for op_id, op in sorted(OPERATIONS.items())
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or op.get("parameters") or op.get("requestBody")
]


@pytest.mark.parametrize(("op_id", "mode"), CASES)
def test_control_api_fuzzed_no_5xx_and_conforming(
    served: str, op_id: str, mode: GenerationMode
) -> None:
    operation = SCHEMA.find_operation_by_id(op_id)
    seen: list[int] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=served, timeout=10)
        seen.append(response.status_code)
        assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
        case.validate_response(response)

    run()
    assert seen
