from enum import StrEnum


class PresetType(StrEnum):
    AI_BACKGROUND = "AI_BACKGROUND"
    BACKGROUND = "BACKGROUND"
    SWAP_MODEL = "SWAP_MODEL"
    SWAP_MODEL_SCENE = "SWAP_MODEL_SCENE"

    def __str__(self) -> str:
        return str(self.value)
