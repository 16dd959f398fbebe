"""pytest fixtures for code that calls the SellerPic API: an isolated simulator per test.

Registered through the `pytest11` entry point of `sellerpic-kit`, so installing the package is
all the set-up. This module imports nothing but pytest: the simulator and the clients are
imported when a fixture is first used, and a fixture used without the `simulator` extra fails
with one line naming it.

Fixtures: `sellerpic_simulator`, `sellerpic_client`, `async_sellerpic_client`,
`sellerpic_server`. Marker: `@pytest.mark.sellerpic(credits=..., failure_rate=...,
created_seconds=..., running_seconds=..., speed=..., accounts=...)`. See docs/TESTING.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sellerpic import AsyncSellerPic, SellerPic

    from ._simulator import InProcessSimulator, ServedSimulator

__all__ = [
    "async_sellerpic_client",
    "sellerpic_client",
    "sellerpic_server",
    "sellerpic_simulator",
]

MARKER = "sellerpic"
MARKER_HELP = (
    "sellerpic(credits=1000, failure_rate=0.0, created_seconds=1.0, running_seconds=3.0, "
    "speed=1.0, accounts=None): configure this test's SellerPic simulator"
)
MISSING_EXTRA = (
    "the sellerpic fixtures need the simulator, which is not installed ({}): "
    "pip install 'sellerpic-kit[simulator]'"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


def _simulator_module() -> Any:
    try:
        from . import _simulator
    except ImportError as exc:  # the extra's server stack is not installed
        missing = str(exc)
    else:
        return _simulator
    pytest.fail(MISSING_EXTRA.format(missing), pytrace=False)


def _settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        pytest.fail("@pytest.mark.sellerpic takes keyword arguments only", pytrace=False)
    return dict(marker.kwargs)


@pytest.fixture
def sellerpic_simulator(request: pytest.FixtureRequest) -> Iterator[InProcessSimulator]:
    """A fresh in-process simulator on a manual clock: no sockets, no sleeping."""
    module = _simulator_module()
    simulator = module.InProcessSimulator.start(**_settings(request))
    try:
        yield simulator
    finally:
        simulator.close()


@pytest.fixture
def sellerpic_client(sellerpic_simulator: InProcessSimulator) -> Iterator[SellerPic]:
    """`SellerPic` wired to `sellerpic_simulator`; waits in simulated time."""
    client = sellerpic_simulator.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def async_sellerpic_client(sellerpic_simulator: InProcessSimulator) -> AsyncSellerPic:
    """`AsyncSellerPic` wired to `sellerpic_simulator`; waits in simulated time. A plain
    fixture, so it works under any async test runner (anyio's plugin, pytest-asyncio)."""
    return sellerpic_simulator.async_client()


@pytest.fixture
def sellerpic_server(request: pytest.FixtureRequest) -> Iterator[ServedSimulator]:
    """The simulator served on a free loopback port, for code that runs in a subprocess, a
    CLI call or another language; time passes for real (or through its control API)."""
    module = _simulator_module()
    with module.ServedSimulator.start(**_settings(request)) as server:
        yield server
