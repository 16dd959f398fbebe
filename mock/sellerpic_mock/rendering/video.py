"""Image-to-video results: a slow zoom over the source image, a few frames per second."""

from __future__ import annotations

import io
from fractions import Fraction

from PIL import Image

from .common import open_rgb
from .results import RenderJob

FPS = 4
#: Video frames are small: the point is a real, playable file, not fidelity.
VIDEO_SIDE = 480
MP4_HINT = (
    "MP4 results need PyAV, which this install of the simulator lacks: "
    "pip install 'sellerpic-kit[simulator-video]' (GIF and WebP results need nothing more)"
)


class EncoderMissing(RuntimeError):
    """The format needs a package of an extra that is not installed."""


def frames(job: RenderJob) -> list[Image.Image]:
    image = open_rgb(job.inputs["imageKey"], VIDEO_SIDE)
    # Even dimensions: yuv420p needs them.
    width, height = image.width // 2 * 2, image.height // 2 * 2
    image = image.resize((width, height))
    seconds = int(job.body.get("videoDuration") or 5)
    count = FPS * (5 if seconds <= 5 else 10)
    out: list[Image.Image] = []
    for n in range(count):
        zoom = 1.0 + 0.15 * n / max(1, count - 1)
        crop_w, crop_h = width / zoom, height / zoom
        left, top = (width - crop_w) / 2, (height - crop_h) / 2
        box = (round(left), round(top), round(left + crop_w), round(top + crop_h))
        out.append(image.crop(box).resize((width, height), Image.Resampling.BILINEAR))
    return out


def encode(images: list[Image.Image], fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt in ("gif", "webp"):
        images[0].save(
            buffer,
            format=fmt.upper(),
            save_all=True,
            append_images=images[1:],
            duration=1000 // FPS,
            loop=0,
        )
        return buffer.getvalue()
    if fmt != "mp4":
        raise ValueError(f"not a video format: {fmt}")
    try:
        # PyAV (FFmpeg, about 107 MB) is the `simulator-video` extra, imported only for MP4.
        import av
    except ModuleNotFoundError:
        raise EncoderMissing(MP4_HINT) from None
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(FPS, 1))
        stream.width, stream.height = images[0].size
        stream.pix_fmt = "yuv420p"
        # One thread and fixed options keep the bytes identical from run to run.
        stream.codec_context.thread_count = 1
        stream.codec_context.options = {"preset": "ultrafast", "crf": "28"}
        for image in images:
            frame = av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
