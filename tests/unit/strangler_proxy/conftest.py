"""Fixtures the proxy's test modules share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import RunningServer, UpstreamApp, running


@pytest.fixture(scope="module")
def monolith_server() -> Iterator[RunningServer]:
    """A real echoing upstream named "monolith", one per test module."""
    with running(UpstreamApp("monolith")) as server:
        yield server
