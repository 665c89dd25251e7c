import asyncio
import gzip
import json

from strangler_proxy.shadow_sender import httpx_sender, make_shadow_client
from strangler_proxy.snapshots import RequestSnapshot
from tests.support.shadow_servers import json_app, running


def test_sender_copies_the_request_with_the_shadow_marker():
    with running(json_app({})) as url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                send = httpx_sender(client, url + "/", max_body=10_000)
                return await send(RequestSnapshot(
                    method="POST", path="/echo?x=1",
                    headers=(("content-type", "text/plain"), ("connection", "keep-alive"),
                             ("host", "public.example"), ("cookie", "sessionid=u1")),
                    body=b"payload"))

        snapshot = asyncio.run(scenario())
    echoed = json.loads(snapshot.body)
    headers = dict(echoed["headers"])
    assert snapshot.status == 200 and echoed["body"] == "payload"
    assert headers["x-strangler-shadow"] == "1" and headers["cookie"] == "sessionid=u1"
    assert headers["host"] != "public.example"
    assert snapshot.latency_ms is not None and snapshot.latency_ms > 0


def test_sender_keeps_raw_bytes_and_stops_at_the_limit():
    zipped = gzip.compress(b'{"a": 1}')
    routes = {"/gz": (200, [("content-type", "application/json"), ("content-encoding", "gzip")],
                      zipped),
              "/big": (200, [("content-type", "text/plain")], b"z" * 50_000)}
    with running(json_app(routes)) as url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                send = httpx_sender(client, url, max_body=1000)
                return (await send(RequestSnapshot(method="GET", path="/gz")),
                        await send(RequestSnapshot(method="GET", path="/big")))

        gz, big = asyncio.run(scenario())
    assert gz.body == zipped and gz.header("content-encoding") == "gzip"
    assert big.truncated and big.body == b""


def test_no_cookie_carries_over_between_users():
    routes = {"/login": (200, [("content-type", "text/plain"),
                                ("set-cookie", "sessionid=USER-A; Path=/")], b"ok")}
    with running(json_app(routes)) as url:
        async def scenario():
            async with make_shadow_client(timeout=5) as client:
                send = httpx_sender(client, url, max_body=10_000)
                await send(RequestSnapshot(method="GET", path="/login"))
                assert len(client.cookies) == 0
                return await send(RequestSnapshot(method="GET", path="/echo"))

        echoed = json.loads(asyncio.run(scenario()).body)
    assert "cookie" not in dict(echoed["headers"])
