from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from sellerpic import AsyncSellerPic, RetryPolicy, SellerPic

from .fakeapi import BASE, KEY, FakeApi

FAST = RetryPolicy(
    max_retries=3, base_delay=0.001, max_delay=0.01, busy_base_delay=0.001, busy_max_delay=0.01
)


def png(
    size: tuple[int, int] = (64, 64), mode: str = "RGB", fill: int | tuple[int, ...] = (200, 60, 40)
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, fill).save(buffer, format="PNG")
    return buffer.getvalue()


def mask(size: tuple[int, int] = (64, 64), grey: bool = False) -> bytes:
    img = Image.new("L", size, 0)
    w, h = size
    for x in range(w // 4, w * 3 // 4):
        for y in range(h // 4, h * 3 // 4):
            img.putpixel((x, y), 128 if grey else 255)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "image": tmp_path / "image.png",
        "mask": tmp_path / "mask.png",
        "product": tmp_path / "product.png",
        "grey_mask": tmp_path / "grey.png",
        "small_mask": tmp_path / "small.png",
        "gif": tmp_path / "fake.png",
    }
    paths["image"].write_bytes(png())
    paths["mask"].write_bytes(mask())
    paths["product"].write_bytes(png(fill=(0, 0, 200)))
    paths["grey_mask"].write_bytes(mask(grey=True))
    paths["small_mask"].write_bytes(mask((32, 32)))
    paths["gif"].write_bytes(b"GIF89a" + b"\x00" * 64)
    return paths


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A simulator served on loopback whose tasks finish in 0.15 s (the CLI tests' target)."""
    sim = pytest.importorskip("sellerpic_mock.testing")
    from sellerpic_mock.config import MockConfig

    with sim.run_server(MockConfig(created_seconds=0.05, running_seconds=0.1)) as url:
        yield url


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def client(api: FakeApi) -> SellerPic:
    import httpx

    return SellerPic(
        KEY,
        base_url=BASE,
        retry_policy=FAST,
        poll_interval=0.0,
        http_client=httpx.Client(transport=api.transport()),
    )


@pytest.fixture
def aclient(api: FakeApi) -> AsyncSellerPic:
    import httpx

    return AsyncSellerPic(
        KEY,
        base_url=BASE,
        retry_policy=FAST,
        poll_interval=0.0,
        http_client=httpx.AsyncClient(transport=api.async_transport()),
    )
