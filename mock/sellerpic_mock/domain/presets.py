"""The built-in preset catalogue (models, scenes, AI styles, background images)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ..rendering.presets import preset_image
from .errors import bad_request, not_found

_CATALOGUE: dict[str, tuple[int, tuple[str, ...]]] = {
    # type: (first id, names); ids match the spec's examples (presetBackgroundId "1",
    # modelId "101", sceneId "201").
    "AI_BACKGROUND": (
        1,
        (
            "Marble counter",
            "Sunny kitchen",
            "Beach at dusk",
            "Concrete loft",
            "Forest floor",
            "Studio softbox",
            "Pastel podium",
            "Desert dunes",
            "City night",
            "Linen drape",
            "Autumn leaves",
            "Snowy window",
        ),
    ),
    "SWAP_MODEL": (
        101,
        ("Ava", "Noah", "Mia", "Leo", "Zoe", "Kai"),
    ),
    "SWAP_MODEL_SCENE": (
        201,
        ("Street", "Studio white", "Park", "Cafe", "Rooftop", "Boutique"),
    ),
    "BACKGROUND": (
        301,
        (
            "White sweep",
            "Grey paper",
            "Oak table",
            "Terrazzo",
            "Blue wall",
            "Brick",
            "Sand",
            "Slate",
        ),
    ),
}

MAX_PAGE_SIZE = 50


@dataclass(frozen=True)
class Preset:
    kind: str
    id: str
    name: str

    def as_json(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "imageUrl": f"{base_url}/presets/{self.kind}/{self.id}.png",
            "name": self.name,
            "thumbUrl": f"{base_url}/presets/{self.kind}/{self.id}-thumb.png",
            "userUpload": False,
        }


class Presets:
    def __init__(self) -> None:
        self._by_kind: dict[str, list[Preset]] = {
            kind: [Preset(kind, str(first + n), name) for n, name in enumerate(names)]
            for kind, (first, names) in _CATALOGUE.items()
        }
        self._images: dict[tuple[str, str, bool], bytes] = {}
        self._lock = threading.Lock()

    def page(self, kind: str, page_num: int, page_size: int, base_url: str) -> dict[str, Any]:
        items = self._by_kind.get(kind)
        if items is None:
            raise bad_request(f"type: must be one of {', '.join(self._by_kind)}")
        start = (page_num - 1) * page_size
        chosen = items[start : start + page_size]
        return {
            "hasMore": start + page_size < len(items),
            "list": [preset.as_json(base_url) for preset in chosen],
            "total": len(items),
        }

    def exists(self, kind: str, preset_id: str) -> bool:
        return any(preset.id == preset_id for preset in self._by_kind.get(kind, []))

    def require(self, kind: str, preset_id: str, field: str) -> None:
        if not self.exists(kind, preset_id):
            raise bad_request(f"{field}: no {kind} preset with id {preset_id!r}")

    def image(self, kind: str, preset_id: str, thumb: bool = False) -> bytes:
        if not self.exists(kind, preset_id):
            raise not_found()
        key = (kind, preset_id, thumb)
        with self._lock:
            cached = self._images.get(key)
        if cached is None:
            cached = preset_image(kind, preset_id, thumb)
            with self._lock:
                self._images[key] = cached
        return cached
