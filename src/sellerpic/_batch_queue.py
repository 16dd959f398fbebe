"""`JobQueue`: job records in job order, the index the runner keeps per state."""

from __future__ import annotations

import heapq

from ._batch_types import JobRecord


class JobQueue:
    """Job records kept in job order (by rank): add and discard in O(log n), the first one in
    O(log n) amortised. A discarded id stays in the heap until it reaches the top."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, str]] = []
        self._queued: set[str] = set()
        self._members: dict[str, tuple[int, JobRecord]] = {}

    def __len__(self) -> int:
        return len(self._members)

    def add(self, rank: int, record: JobRecord) -> None:
        self._members[record.id] = (rank, record)
        if record.id not in self._queued:
            self._queued.add(record.id)
            heapq.heappush(self._heap, (rank, record.id))

    def discard(self, job_id: str) -> None:
        self._members.pop(job_id, None)

    def first(self) -> JobRecord | None:
        heap = self._heap
        while heap:
            member = self._members.get(heap[0][1])
            if member is not None:
                return member[1]
            self._queued.discard(heapq.heappop(heap)[1])
        return None

    def ordered(self) -> list[JobRecord]:
        """All members in job order: O(k log k) for k members (meant for small sets)."""
        return [record for _, record in sorted(self._members.values(), key=lambda m: m[0])]
