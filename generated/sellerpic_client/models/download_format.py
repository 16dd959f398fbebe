from enum import StrEnum


class DownloadFormat(StrEnum):
    GIF = "gif"
    JPG = "jpg"
    MP4 = "mp4"
    PNG = "png"
    WEBP = "webp"

    def __str__(self) -> str:
        return str(self.value)
