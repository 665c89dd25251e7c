"""The shadow channel: frames over a real socket pair, bounded and never blocking the sender."""

import asyncio
import socket

import pytest

from strangler_proxy.shadow_channel import ChannelWriter, FrameReader, encode, read_message


def test_frames_survive_any_chunking():
    messages = [("J", 1, None, ("GET", "/a?x=1", [(b"accept", b"*/*")], b"\x00" * 300)),
                ("D", {"catalog": (2, 1)}), ("X",)]
    stream = b"".join(encode(m) for m in messages)
    for size in (1, 3, 7, len(stream)):
        reader = FrameReader()
        got = [m for i in range(0, len(stream), size) for m in reader.feed(stream[i:i + size])]
        assert got == messages


def test_a_corrupt_length_is_refused():
    with pytest.raises(ValueError, match="corrupted"):
        list(FrameReader().feed(b"\xff\xff\xff\xff" + b"x" * 10))


def small_pair() -> tuple[socket.socket, socket.socket]:
    ours, theirs = socket.socketpair()
    for sock in (ours, theirs):  # tiny kernel buffers: partial writes happen at once
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ours.setblocking(False)
    return ours, theirs


def test_writer_queues_what_the_socket_cannot_take_and_refuses_past_its_bound():
    async def scenario():
        ours, theirs = small_pair()
        writer = ChannelWriter(ours, asyncio.get_running_loop(), max_pending_bytes=200_000)
        frames = [encode(("J", i, b"x" * 50_000)) for i in range(8)]
        accepted = [writer.send(frame) for frame in frames]  # returns at once, nobody reads
        assert accepted[0] and not all(accepted)  # the bound was reached: later ones refused
        assert writer.full and writer.pending_bytes > 0
        assert writer.send(encode(("X",)), force=True)  # control messages still go
        theirs.setblocking(False)
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        transport, _ = await loop.connect_accepted_socket(
            lambda: asyncio.StreamReaderProtocol(reader), theirs)
        received = []
        while (message := await asyncio.wait_for(read_message(reader), 5)) != ("X",):
            received.append(message[1])
        transport.close()
        ours.close()
        return accepted, received

    accepted, received = asyncio.run(scenario())
    # every accepted frame arrived, whole and in order; refused ones never did
    assert received == [i for i, ok in enumerate(accepted) if ok]


def test_writer_is_broken_once_the_peer_is_gone():
    async def scenario():
        ours, theirs = small_pair()
        theirs.close()
        writer = ChannelWriter(ours, asyncio.get_running_loop(), max_pending_bytes=10_000)
        results = [writer.send(encode(("J", i, b"y" * 3000))) for i in range(3)]
        ours.close()
        return results, writer.broken

    results, broken = asyncio.run(scenario())
    assert broken and results[-1] is False
