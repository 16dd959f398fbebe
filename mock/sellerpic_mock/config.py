"""Everything that shapes one simulator instance, with the defaults documented in mock/README.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from .clock import Clock, SystemClock

DEMO_API_KEY = "sk-sellerpic-demo"
DEFAULT_CREDITS = 1000
DEFAULT_DATA_DIR = Path("~/.sellerpic-mock")


class ConfigError(ValueError):
    """A setting the simulator cannot run with; the message names the setting and the value."""


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
    #: Connection limits of a served simulator (see guard.py): the largest request head, the
    #: seconds a head and a body may take, the most connections open (None: the file limit
    #: less a reserve).
    max_head_bytes: int = 64 * 1024
    head_timeout: float = 10.0
    body_timeout: float = 60.0
    max_connections: int | None = None
    clock: Clock = field(default_factory=SystemClock)
    #: The control plane under /_sellerpic/: on unless turned off (`--no-admin`), open unless
    #: an admin token is set (the CLI sets one when it binds a non-loopback address).
    admin: bool = True
    admin_token: str | None = field(default=None, repr=False)
    #: Requests the journal keeps (0 turns it off), and the window of its duplicate check.
    journal_size: int = 10_000
    duplicate_window_s: float = 600.0

    def __post_init__(self) -> None:
        # Checked here, once, so a bad value stops the start instead of failing requests later
        # (speed 0 divided by zero at the first create, a string speed raised a TypeError).
        problems = config_problems(self)
        if problems:
            raise ConfigError("; ".join(problems))

    def accounts(self) -> dict[str, int]:
        keys = dict(self.api_keys)
        if self.demo_key:
            keys.setdefault(DEMO_API_KEY, self.default_credits)
        return keys

    def refused_keys(self) -> list[str]:
        """Keys an earlier run of the data dir created that must stop working: the demo key
        under `demo_key=False`, unless it is also granted explicitly."""
        return [] if self.demo_key or DEMO_API_KEY in self.api_keys else [DEMO_API_KEY]

    @property
    def created_duration(self) -> float:
        return self.created_seconds / self.speed

    @property
    def running_duration(self) -> float:
        return self.running_seconds / self.speed


_SCALARS = {f.name for f in fields(MockConfig)} - {"api_keys", "clock", "data_dir"}
_SECONDS = ("created_seconds", "running_seconds", "latency_ms", "duplicate_window_s")
_POSITIVE_SECONDS = ("head_timeout", "body_timeout")
_SHARES = ("failure_rate", "error_rate", "drop_rate")


def config_problems(config: MockConfig) -> list[str]:
    """Every setting of `config` that is out of range or of the wrong type, in words."""
    problems: list[str] = []
    for name in _SECONDS:
        value = getattr(config, name)
        if not (_is_number(value) and value >= 0):
            problems.append(_problem(name, value, "a number >= 0"))
    for name in ("speed", *_POSITIVE_SECONDS):
        value = getattr(config, name)
        if not (_is_number(value) and value > 0):
            problems.append(_problem(name, value, "a number > 0"))
    if not (_is_whole(config.max_head_bytes) and config.max_head_bytes >= 1024):
        problems.append(_problem("max_head_bytes", config.max_head_bytes, "a whole number >= 1024"))
    if config.max_connections is not None and not (
        _is_whole(config.max_connections) and config.max_connections >= 1
    ):
        problems.append(_problem("max_connections", config.max_connections, "a whole number >= 1"))
    for name in _SHARES:
        value = getattr(config, name)
        if not (_is_number(value) and 0 <= value <= 1):
            problems.append(_problem(name, value, "a share between 0 and 1"))
    for name in ("seed", "fault_seed"):
        value = getattr(config, name)
        if value is not None and not _is_whole(value):
            problems.append(_problem(name, value, "a whole number"))
    if not _is_credits(config.journal_size):
        problems.append(_problem("journal_size", config.journal_size, "a whole number >= 0"))
    if config.admin_token is not None and not (
        isinstance(config.admin_token, str) and config.admin_token.strip()
    ):
        problems.append("admin_token (--admin-token) must be a non-empty string")
    if not isinstance(config.admin, bool):
        problems.append(_problem("admin", config.admin, "true or false"))
    if not _is_credits(config.default_credits):
        problems.append(_problem("default_credits", config.default_credits, "a whole number >= 0"))
    for key, credits in config.api_keys.items():
        if not isinstance(key, str) or not key:
            problems.append(f"API keys must be non-empty strings, got {key!r}")
        if not _is_credits(credits):
            problems.append(f"credits of {key!r} must be a whole number >= 0, got {credits!r}")
    if config.public_url is not None and not isinstance(config.public_url, str):
        problems.append(_problem("public_url", config.public_url, "a string"))
    return problems


#: The command-line flag of each setting whose flag is not its name with dashes.
_FLAGS = {
    "latency_ms": "--latency",
    "default_credits": "--credits",
    "duplicate_window_s": "--duplicate-window",
    "admin": "--no-admin",
}


def _problem(name: str, value: object, wanted: str) -> str:
    flag = _FLAGS.get(name, "--" + name.replace("_", "-"))
    return f"{name} ({flag}) must be {wanted}, got {value!r}"


def _is_number(value: object) -> TypeGuard[float]:
    # bool is an int to Python, not a number to a user; NaN compares unequal to itself.
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _is_whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_credits(value: object) -> TypeGuard[int]:
    return _is_whole(value) and value >= 0


def parse_credits(value: object, where: str) -> int:
    """Credits from a flag or a config file entry; a ConfigError naming `where` otherwise."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not _is_credits(value):
        raise ConfigError(f"{where}: credits must be a whole number >= 0, got {value!r}")
    return value


def load_config_file(path: Path, base: MockConfig | None = None) -> MockConfig:
    """Read keys and settings from YAML or JSON.

    ``accounts`` is a list of ``{key, credits}`` (credits optional) or a mapping key -> credits;
    the other top-level names are MockConfig fields. Any problem is a ConfigError naming the file.
    """
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    config = base or MockConfig()
    unknown = set(raw) - _SCALARS - {"accounts", "data_dir"}
    if unknown:
        raise ConfigError(f"{path}: unknown settings {sorted(unknown)}")
    updates: dict[str, Any] = {name: raw[name] for name in _SCALARS & set(raw)}
    if "data_dir" in raw:
        updates["data_dir"] = Path(str(raw["data_dir"])).expanduser()
    keys = dict(config.api_keys)
    # Accounts without an amount get the file's default_credits when it sets one.
    default = updates.get("default_credits", config.default_credits)
    for key, credits in _account_entries(path, raw.get("accounts") or []):
        where = f"{path}: account {key!r}"
        keys[key] = default if credits is None else parse_credits(credits, where)
    try:
        return replace(config, api_keys=keys, **updates)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _account_entries(path: Path, accounts: object) -> list[tuple[str, object]]:
    """(key, credits or None) from either form of the `accounts` setting."""
    if isinstance(accounts, dict):
        return [(str(key), credits) for key, credits in accounts.items()]
    if not isinstance(accounts, list):
        raise ConfigError(f"{path}: accounts must be a list or a mapping, got {accounts!r}")
    entries: list[tuple[str, object]] = []
    for entry in accounts:
        if isinstance(entry, str):
            entries.append((entry, None))
        elif isinstance(entry, dict) and isinstance(entry.get("key"), str):
            entries.append((entry["key"], entry.get("credits")))
        else:
            raise ConfigError(f"{path}: each account needs a `key`, got {entry!r}")
    return entries
