from enum import StrEnum


class KnownTaskStatus(StrEnum):
    CREATED = "CREATED"
    FAILED = "FAILED"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"

    def __str__(self) -> str:
        return str(self.value)
