"""The store's combined reads answer what the single-row reads would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sellerpic_mock.storage.db import ResultRow, Store, TaskRow, UploadRow


@pytest.fixture
def store() -> Iterator[Store]:
    store = Store(None)
    yield store
    store.close()


def _upload(key: str, stored: bool = True) -> UploadRow:
    return UploadRow(key, 1, "png", stored, 64, 48, 900, 0.0)


def test_uploads_reads_every_existing_key_at_once(store: Store) -> None:
    for key, stored in (("UPLOAD/a.png", True), ("UPLOAD/b.png", False)):
        store.insert_upload(_upload(key, stored))
    found = store.uploads(["UPLOAD/b.png", "UPLOAD/missing.png", "UPLOAD/a.png", "UPLOAD/a.png"])
    assert found == {key: store.upload(key) for key in ("UPLOAD/a.png", "UPLOAD/b.png")}
    assert store.uploads([]) == {}


def test_task_and_results_in_index_order(store: Store) -> None:
    task = TaskRow("7", 1, "tryOnAccessories", "{}", 1.0, 2.0, 3.0, False)
    results = [ResultRow(f"7{i}", "7", i, 1, i == 1, "image", None) for i in (1, 0)]
    store.insert_task(task, results)
    store.insert_task(TaskRow("8", 1, "removeBackground", "{}", 1.0, 2.0, 3.0, False), [])
    found = store.task_and_results("7")
    assert found is not None
    assert found == (store.task("7"), store.results("7"))
    assert [r.idx for r in found[1]] == [0, 1]
    assert store.task_and_results("8") == (store.task("8"), [])
    assert store.task_and_results("9") is None
