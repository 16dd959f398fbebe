"""Task and result ids: 19-digit, increasing (sequential B-tree inserts), never repeated."""

from __future__ import annotations

import itertools

from sellerpic_mock.domain.ids import new_id


def test_ids_increase_and_never_repeat_even_in_a_burst() -> None:
    # More than 4,096 in a millisecond overflows the sequence: the next millisecond is borrowed.
    ids = [int(new_id()) for _ in range(20_000)]
    assert all(b > a for a, b in itertools.pairwise(ids))
    assert all(len(str(i)) == 19 and i < 2**63 for i in ids)


def test_the_docs_example_has_the_same_shape() -> None:
    example = 1956366543768004069
    ours = int(new_id())
    # Same layout (milliseconds since the same epoch in the top bits): a later date, a larger id.
    assert ours >> 22 > example >> 22
    assert (ours >> 22) - (example >> 22) < 20 * 365 * 24 * 3600 * 1000
