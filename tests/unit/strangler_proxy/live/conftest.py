"""Fixtures for the live shadow/canary tests: real upstreams and a real proxy on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import pytest

from tests.support.differing import DifferingApp
from tests.support.servers import RunningServer, running


@pytest.fixture(scope="module")
def sides() -> Iterator[dict[str, tuple[DifferingApp, RunningServer]]]:
    apps = {"monolith": DifferingApp("monolith"), "service": DifferingApp("service")}
    with running(apps["monolith"]) as mono, running(apps["service"]) as svc:
        yield {"monolith": (apps["monolith"], mono), "service": (apps["service"], svc)}


def wait_for(check: Callable[[], object], *, timeout: float = 10.0, what: str = "") -> object:
    """Poll ``check`` until it returns something truthy (the off-path work is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One keep-alive client for many requests, keeping no cookies between them."""
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    with httpx.Client(cookies=jar, timeout=10) as shared:
        yield shared
