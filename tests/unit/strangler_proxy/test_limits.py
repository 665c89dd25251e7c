"""Request limits; the body stream is fed by a scripted ASGI ``receive`` (the port it reads)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from strangler_proxy.errors import (
    BadRequest,
    ClientGone,
    HeadersTooLarge,
    MethodNotAllowed,
    PayloadTooLarge,
)
from strangler_proxy.limits import RequestBody, check_headers, check_target, read_body


def test_targets_and_header_size() -> None:
    with pytest.raises(MethodNotAllowed):
        check_target("CONNECT", b"/x")
    with pytest.raises(BadRequest):
        check_target("GET", b"http://example.com/")
    check_target("GET", b"/x")
    with pytest.raises(HeadersTooLarge):
        check_headers(2000, 1024)
    check_headers(2000, 0)  # 0: no limit


def script(*messages: dict[str, Any]) -> Callable[[], Awaitable[dict[str, Any]]]:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


async def drain(body: RequestBody) -> bytes:
    return b"".join([chunk async for chunk in body])


def test_body_in_one_message_is_bytes_and_none_without_framing() -> None:
    receive = script({"type": "http.request", "body": b"abc", "more_body": False})
    assert asyncio.run(read_body(receive, content_length=3, chunked=False, limit=10)) == b"abc"
    assert asyncio.run(read_body(script(), content_length=None, chunked=False, limit=10)) is None


def test_streamed_body_is_counted_against_the_limit() -> None:
    receive = script(*[{"type": "http.request", "body": b"x" * 4, "more_body": True}] * 3,
                     {"type": "http.request", "body": b"", "more_body": False})
    body = asyncio.run(read_body(receive, content_length=None, chunked=True, limit=10))
    assert isinstance(body, RequestBody)
    with pytest.raises(PayloadTooLarge):
        asyncio.run(drain(body))
    with pytest.raises(PayloadTooLarge):
        asyncio.run(read_body(script(), content_length=11, chunked=False, limit=10))


def test_streamed_body_within_the_limit_and_replayability() -> None:
    receive = script({"type": "http.request", "body": b"ab", "more_body": True},
                     {"type": "http.request", "body": b"cd", "more_body": False})
    body = asyncio.run(read_body(receive, content_length=4, chunked=False, limit=0))
    assert isinstance(body, RequestBody)
    assert body.replayable
    assert asyncio.run(drain(body)) == b"abcd"
    assert body.complete and not body.replayable


def test_client_leaving_mid_body() -> None:
    receive = script({"type": "http.request", "body": b"ab", "more_body": True},
                     {"type": "http.disconnect"})
    body = asyncio.run(read_body(receive, content_length=None, chunked=True, limit=0))
    assert isinstance(body, RequestBody)
    with pytest.raises(ClientGone):
        asyncio.run(drain(body))
