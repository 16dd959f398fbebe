"""The account: credits and presets, the values the clients return and the steps that read
them."""

from __future__ import annotations

from dataclasses import dataclass

from sellerpic_client.api.account import get_credit_usage, list_presets
from sellerpic_client.models import PresetType

from ._effects import Steps, api_call
from ._envelope import envelope_data, int_field
from ._request import call_api
from .errors import InvalidInputError, ServerError
from .tasks import Settings

PRESET_TYPES = tuple(t.value for t in PresetType)


@dataclass(frozen=True)
class Credits:
    total: int
    used: int
    remaining: int


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    image_url: str
    thumb_url: str


@dataclass(frozen=True)
class PresetPage:
    items: list[Preset]
    total: int | None
    has_more: bool


def credits_steps(settings: Settings) -> Steps[Credits]:
    raw = yield from call_api(
        lambda: api_call("getCreditUsage", get_credit_usage), "getCreditUsage", settings.retry
    )
    data = envelope_data(raw)
    return Credits(
        total=int_field(data, "total", "data"),
        used=int_field(data, "usage", "data"),
        remaining=int_field(data, "remaining", "data"),
    )


def presets_steps(settings: Settings, type_: str, page: int, page_size: int) -> Steps[PresetPage]:
    if type_.upper() not in PRESET_TYPES:
        raise InvalidInputError(
            f"preset type must be one of {', '.join(PRESET_TYPES)}", field="type"
        )
    raw = yield from call_api(
        lambda: api_call(
            "listPresets",
            list_presets,
            type_=PresetType(type_.upper()),
            page_num=page,
            page_size=page_size,
        ),
        "listPresets",
        settings.retry,
    )
    data = envelope_data(raw)
    rows = data.get("list")
    rows = [] if rows is None else rows
    if not isinstance(rows, list):
        raise ServerError("the answer's `data.list` is not a list as documented", field="list")
    items = [
        Preset(
            id=str(r.get("id", "")),
            name=str(r.get("name") or ""),
            image_url=str(r.get("imageUrl") or ""),
            thumb_url=str(r.get("thumbUrl") or ""),
        )
        for r in rows or []
        if isinstance(r, dict)
    ]
    total = int_field(data, "total", "data") if data.get("total") is not None else None
    has_more = data.get("hasMore", False)
    if not isinstance(has_more, bool):
        raise ServerError(
            "the answer's `data.hasMore` is not true or false as documented", field="hasMore"
        )
    return PresetPage(items, total, has_more)
