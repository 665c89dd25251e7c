from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from . import rawserver


@pytest.fixture(autouse=True, params=["asyncio", "uvloop"])
def event_loop_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test here runs on both loops the proxy may get from uvicorn."""
    if request.param == "uvloop":
        uvloop = pytest.importorskip("uvloop", reason="uvloop not installed")
        rawserver.loop_factory = uvloop.new_event_loop
    try:
        yield request.param
    finally:
        rawserver.loop_factory = asyncio.new_event_loop
