"""What a create body refers to: the file keys and preset ids in it, by field."""

from __future__ import annotations

from typing import Any


def file_key_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, file key) for every `...Key` field, including nested garments."""
    found: list[tuple[str, str]] = []
    for name, value in body.items():
        if isinstance(value, dict):
            found.extend((f"{name}.{sub}", key) for sub, key in file_key_fields(value))
        elif name.endswith("Key") and isinstance(value, str):
            found.append((name, value))
    return found


def preset_fields(operation: str, body: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, preset type) for every preset id the body refers to."""
    fields: list[tuple[str, str]] = []
    if operation == "replaceBackground" and body.get("presetBackgroundId"):
        kind = {"AI_BACKGROUND": "AI_BACKGROUND", "PRESET_BACKGROUND_IMAGE": "BACKGROUND"}
        if body.get("replaceType") in kind:
            fields.append(("presetBackgroundId", kind[body["replaceType"]]))
    if operation == "swapModel":
        if body.get("modelId"):
            fields.append(("modelId", "SWAP_MODEL"))
        if body.get("sceneId"):
            fields.append(("sceneId", "SWAP_MODEL_SCENE"))
    return fields
