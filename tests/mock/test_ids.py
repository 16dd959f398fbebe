"""Task and result ids: 19-digit, increasing (sequential B-tree inserts), never repeated."""

from __future__ import annotations

import itertools

import pytest

from sellerpic_mock.domain import ids
from sellerpic_mock.domain.ids import new_ids


def test_ids_increase_and_never_repeat_even_in_a_burst() -> None:
    # More than 4,096 in a millisecond overflows the sequence: the next millisecond is borrowed.
    drawn = [int(new_ids(1)[0]) for _ in range(20_000)]
    assert all(b > a for a, b in itertools.pairwise(drawn))
    assert all(len(str(i)) == 19 and i < 2**63 for i in drawn)


def test_blocks_of_ids_borrow_the_next_millisecond_when_one_is_used_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A clock that stands still: every block after the 4,096th id must borrow a millisecond.
    monkeypatch.setattr(ids.time, "time", lambda: 1_795_000_000.0)
    drawn = [
        int(i) for size in itertools.islice(itertools.cycle(range(1, 6)), 12_000)
        for i in new_ids(size)
    ]  # fmt: skip
    assert len(drawn) == 36_000
    assert all(b > a for a, b in itertools.pairwise(drawn))
    assert len({i >> 22 for i in drawn}) >= 36_000 // 4_096


def test_a_block_shares_one_millisecond() -> None:
    for _ in range(5_000):
        block = [int(i) for i in new_ids(5)]
        assert len({i >> 22 for i in block}) == 1
        assert [i & 0xFFF for i in block] == list(range(block[0] & 0xFFF, (block[0] & 0xFFF) + 5))


@pytest.mark.parametrize("count", [0, -1, 4_097])
def test_a_block_size_out_of_range_is_refused(count: int) -> None:
    with pytest.raises(ValueError, match=f"count: {count}; between 1 and 4096"):
        new_ids(count)


def test_the_docs_example_has_the_same_shape() -> None:
    example = 1956366543768004069
    ours = int(new_ids(1)[0])
    # Same layout (milliseconds since the same epoch in the top bits): a later date, a larger id.
    assert ours >> 22 > example >> 22
    assert (ours >> 22) - (example >> 22) < 20 * 365 * 24 * 3600 * 1000
