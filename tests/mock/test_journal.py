"""The journal's pieces: redaction, operation names, filters, duplicate memory, envelope codes."""

from __future__ import annotations

import pytest

from sellerpic_mock.control.journal import (
    Entry,
    Journal,
    Query,
    body_digest,
    envelope_code,
    redact,
    status_matches,
)
from sellerpic_mock.control.operations import OperationNames
from sellerpic_mock.spec import default_spec

S3_QUERY = (
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261201%2Fus-east-1"
    "&X-Amz-Date=20261201T000000Z&X-Amz-Expires=1800&X-Amz-SignedHeaders=host"
    "&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE&X-Amz-Signature=0123abcd"
)


@pytest.mark.parametrize(
    ("path", "query", "shown"),
    [
        ("/v1/api/generate", "id=1956366543768004069", "/v1/api/generate?id=1956366543768004069"),
        ("/presigned/eyJmIjoi.c2ln", "", "/presigned/REDACTED"),
        ("/files/eyJmIjoi.c2ln", "", "/files/REDACTED"),
        ("/x/" + "a" * 40 + "/y", "", "/x/REDACTED/y"),
        (
            "/UPLOAD/1/2026/12/01/0123456789abcdef0123456789abcdef.png",
            S3_QUERY,
            "/UPLOAD/1/2026/12/01/0123456789abcdef0123456789abcdef.png?"
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED"
            "&X-Amz-Date=20261201T000000Z&X-Amz-Expires=1800&X-Amz-SignedHeaders=host"
            "&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED",
        ),
        ("/v1/api/usage", "sig=1&key=2&api_key=3&token=4&a=5", "/v1/api/usage?"
         "sig=REDACTED&key=REDACTED&api_key=REDACTED&token=REDACTED&a=5"),
    ],
)  # fmt: skip
def test_redact(path: str, query: str, shown: str) -> None:
    assert redact(path, query.encode()) == shown


def test_operation_names() -> None:
    names = OperationNames(default_spec())
    assert names.of("POST", "/v1/api/generate/tryOnAccessories") == "tryOnAccessories"
    assert names.of("POST", "/v1/api/generate/nothing") is None
    assert names.of("GET", "/v1/api/generate") == "getTaskStatus"
    assert names.of("HEAD", "/v1/api/usage") == "getCreditUsage"
    assert names.of("GET", "/presets/AI_BACKGROUND/1.png") == "getPresetPicture"
    # The presigned routes are object keys; a refused (unsigned) request is still theirs.
    assert names.of("PUT", "/UPLOAD/1/2026/12/01/a.png") == "uploadFile"
    assert names.of("GET", "/RESULT/1/2026/12/01/1_output_0.png") == "downloadFile"
    assert names.of("HEAD", "/RESULT/1/2026/12/01/1_output_0.png") == "downloadFile"
    assert names.of("GET", "/UPLOAD/1/2026/12/01/a.png") is None
    assert names.of("PUT", "/RESULT/1/2026/12/01/1_output_0.png") is None
    # The token routes of earlier versions are gone.
    assert names.of("PUT", "/presigned/abc") is None
    assert names.of("GET", "/files/abc") is None


@pytest.mark.parametrize(
    ("wanted", "status", "matches"),
    [
        ("200", 200, True),
        ("200", 201, False),
        ("2xx", 204, True),
        ("4xx", 500, False),
        ("dropped", None, True),
        ("dropped", 200, False),
        ("5xx", None, False),
    ],
)
def test_status_filter(wanted: str, status: int | None, matches: bool) -> None:
    assert status_matches(wanted, status) is matches


def _entry(entry_id: int, **fields: object) -> Entry:
    values: dict[str, object] = {
        "id": entry_id,
        "wall_time": 100.0 + entry_id,
        "sim_time": 0.0,
        "method": "GET",
        "path": "/v1/api/usage",
        "operation": "getCreditUsage",
        "status": 200,
        "code": 0,
        "account_id": 1,
        "task_id": None,
        "credits_charged": 0,
        "credits_refunded": 0,
        "duration_ms": 1.0,
        "fault": None,
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


def test_query_filters_and_limit() -> None:
    journal = Journal(size=10)
    for entry_id in range(1, 6):
        journal.add(_entry(entry_id, account_id=entry_id % 2))
    assert [e.id for e in journal.entries(Query(account_id=1))] == [1, 3, 5]
    assert [e.id for e in journal.entries(Query(since=103))] == [3, 4, 5]
    assert [e.id for e in journal.entries(Query(after=3))] == [4, 5]
    assert [e.id for e in journal.entries(Query(limit=2))] == [4, 5]
    assert journal.entries(Query(limit=0)) == []
    assert journal.entries(Query(operation="other")) == []


def test_duplicate_memory_window_and_reset() -> None:
    journal = Journal(size=10, duplicate_window_s=60)
    digest = body_digest(b'{"a": 1, "b": 2}')
    journal.remember_create(1, "op", digest, "t1", now=1000)
    assert journal.duplicate_of(1, "op", body_digest(b'{"b":2,"a":1}'), 1060) == "t1"
    assert journal.duplicate_of(1, "op", digest, 1061) is None
    assert journal.duplicate_of(2, "op", digest, 1000) is None
    assert journal.duplicate_of(1, "other", digest, 1000) is None
    journal.clear()
    assert journal.duplicate_of(1, "op", digest, 1000) == "t1"
    journal.reset()
    assert journal.duplicate_of(1, "op", digest, 1000) is None


def test_body_digest_of_a_body_that_is_not_json() -> None:
    assert body_digest(b"{not json") != body_digest(b"{not json!")


def test_envelope_code() -> None:
    assert envelope_code(b'{"code":30004,"msg":"x"}') == 30004
    assert envelope_code(b'{"code":0,"data":{"id":"7"}}') == 0
    assert envelope_code(b"<html>") is None
