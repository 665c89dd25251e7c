import asyncio

from strangler_proxy.body_tap import BoundedBodyTap, ResponseTap


def test_tap_keeps_everything_under_the_limit():
    tap = BoundedBodyTap(10)
    for chunk in (b"abc", b"", b"defg"):
        tap.feed(chunk)
    assert (tap.body, tap.size, tap.overflowed) == (b"abcdefg", 7, False)


def test_tap_marks_overflow_and_keeps_counting():
    tap = BoundedBodyTap(5)
    tap.feed(b"abc")
    tap.feed(b"def")
    tap.feed(b"ghi")
    assert tap.overflowed and tap.size == 9 and tap.body == b""
    exact = BoundedBodyTap(3)
    exact.feed(b"abc")
    assert not exact.overflowed and exact.body == b"abc"


def run_tap(messages, limit):
    sent, done = [], []

    async def send(message):
        sent.append(message)

    async def scenario():
        tap = ResponseTap(send, limit=limit, on_complete=done.append, started=0.0,
                          clock=lambda: 0.25)
        for message in messages:
            await tap(message)

    asyncio.run(scenario())
    return sent, done


START = {"type": "http.response.start", "status": 201,
         "headers": [(b"Content-Type", b"application/json"), (b"set-cookie", b"a=1"),
                     (b"set-cookie", b"b=2")]}


def test_response_tap_forwards_the_same_messages_and_reports_a_snapshot():
    messages = [START, {"type": "http.response.body", "body": b'{"a":', "more_body": True},
                {"type": "http.response.body", "body": b" 1}"}]
    sent, done = run_tap(messages, limit=100)
    assert all(a is b for a, b in zip(sent, messages)) and len(sent) == 3
    (snapshot,) = done
    assert snapshot.status == 201 and snapshot.body == b'{"a": 1}' and not snapshot.truncated
    assert snapshot.headers == (("content-type", "application/json"), ("set-cookie", "a=1"),
                                ("set-cookie", "b=2"))
    assert snapshot.latency_ms == 250.0


def test_response_tap_truncates_big_bodies_but_not_the_client_stream():
    body = [{"type": "http.response.body", "body": b"x" * 1000, "more_body": True}] * 5
    sent, done = run_tap([START, *body, {"type": "http.response.body", "body": b""}], limit=2048)
    assert sum(len(m.get("body", b"")) for m in sent) == 5000
    assert done[0].truncated and done[0].body == b""


def test_response_tap_reports_nothing_when_the_client_is_gone():
    done = []

    async def failing_send(message):
        raise OSError("client went away")

    async def scenario():
        tap = ResponseTap(failing_send, limit=10, on_complete=done.append)
        try:
            await tap({"type": "http.response.body", "body": b"x"})
        except OSError:
            pass

    asyncio.run(scenario())
    assert done == []
