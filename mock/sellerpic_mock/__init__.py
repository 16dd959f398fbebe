"""Stateful offline simulator of the SellerPic AI API.

`create_app(MockConfig(...))` gives an ASGI app; `sellerpic-mock serve` (or
`python -m sellerpic_mock serve`) runs it with uvicorn. See mock/README.md.
"""

from .app import create_app
from .clock import Clock, FakeClock, SystemClock
from .config import DEMO_API_KEY, MockConfig

__all__ = ["DEMO_API_KEY", "Clock", "FakeClock", "MockConfig", "SystemClock", "create_app"]
