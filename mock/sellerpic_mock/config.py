"""Everything that shapes one simulator instance, with the defaults documented in mock/README.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .clock import Clock, SystemClock

DEMO_API_KEY = "sk-sellerpic-demo"
DEFAULT_CREDITS = 1000
DEFAULT_DATA_DIR = Path("~/.sellerpic-mock")


@dataclass
class MockConfig:
    #: API key -> credits granted to its account.
    api_keys: dict[str, int] = field(default_factory=dict)
    #: Whether `sk-sellerpic-demo` exists; on by default so a fresh install works at once.
    demo_key: bool = True
    default_credits: int = DEFAULT_CREDITS
    #: Where the database, uploads and results live; None means a temporary folder removed
    #: when the app closes (the CLI passes ~/.sellerpic-mock unless --ephemeral).
    data_dir: Path | None = None
    #: Seconds a task stays CREATED, then RUNNING, before it finishes (divided by `speed`).
    created_seconds: float = 1.0
    running_seconds: float = 3.0
    speed: float = 1.0
    #: Share of result items that fail, decided per result id from `seed`.
    failure_rate: float = 0.0
    seed: int = 0
    #: Extra delay on every request, and shares of requests answered 500 or dropped.
    latency_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    fault_seed: int | None = None
    #: Origin used in presigned URLs; None derives it from each request's Host header.
    public_url: str | None = None
    clock: Clock = field(default_factory=SystemClock)

    def accounts(self) -> dict[str, int]:
        keys = dict(self.api_keys)
        if self.demo_key:
            keys.setdefault(DEMO_API_KEY, self.default_credits)
        return keys

    @property
    def created_duration(self) -> float:
        return self.created_seconds / self.speed

    @property
    def running_duration(self) -> float:
        return self.running_seconds / self.speed


_SCALARS = {f.name for f in fields(MockConfig)} - {"api_keys", "clock", "data_dir"}


def load_config_file(path: Path, base: MockConfig | None = None) -> MockConfig:
    """Read keys and settings from YAML or JSON.

    ``accounts`` is a list of ``{key, credits}`` (credits optional) or a mapping key -> credits;
    the other top-level names are MockConfig fields.
    """
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    config = base or MockConfig()
    updates: dict[str, Any] = {}
    unknown = set(raw) - _SCALARS - {"accounts", "data_dir"}
    if unknown:
        raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
    for name in _SCALARS & set(raw):
        updates[name] = raw[name]
    if "data_dir" in raw:
        updates["data_dir"] = Path(str(raw["data_dir"])).expanduser()
    config = replace(config, **updates)
    keys = dict(config.api_keys)
    accounts = raw.get("accounts") or []
    if isinstance(accounts, dict):
        for key, credits in accounts.items():
            keys[str(key)] = int(credits if credits is not None else config.default_credits)
    else:
        for entry in accounts:
            if isinstance(entry, str):
                keys[entry] = config.default_credits
            else:
                keys[str(entry["key"])] = int(entry.get("credits", config.default_credits))
    return replace(config, api_keys=keys)
