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


class CountingSocket:
    """A real socket pair's end that counts the writes made to it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.writes = 0

    def send(self, data: bytes) -> int:
        self.writes += 1
        return self.sock.send(data)

    def fileno(self) -> int:
        return self.sock.fileno()


def read_all(sock: socket.socket) -> list[tuple]:
    sock.setblocking(False)
    data = b""
    try:
        while chunk := sock.recv(1 << 20):
            data += chunk
    except BlockingIOError:
        pass
    return list(FrameReader().feed(data))


def test_lingering_jobs_share_one_write_and_a_control_message_goes_at_once():
    async def scenario():
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        counted = CountingSocket(ours)
        writer = ChannelWriter(counted, asyncio.get_running_loop(),  # type: ignore[arg-type]
                               max_pending_bytes=1 << 20, linger=0.05)
        for i in range(5):
            assert writer.send(encode(("J", i)))
        assert counted.writes == 0 and read_all(theirs) == []  # lingering, nothing sent yet
        await asyncio.sleep(0.1)
        assert counted.writes == 1  # the linger ran out: all five in one write
        first = read_all(theirs)
        writer.send(encode(("J", 5)))
        assert writer.send(encode(("X",)), force=True)  # no waiting for the linger
        after_force = counted.writes
        second = read_all(theirs)
        ours.close()
        theirs.close()
        return first, after_force, second

    first, after_force, second = asyncio.run(scenario())
    assert first == [("J", i) for i in range(5)]
    assert after_force == 2 and second == [("J", 5), ("X",)]  # in order, one write


def test_lingering_frames_go_early_once_they_reach_the_byte_threshold():
    from strangler_proxy.shadow_channel import LINGER_BYTES

    async def scenario():
        ours, theirs = socket.socketpair()
        for sock in (ours, theirs):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        ours.setblocking(False)
        counted = CountingSocket(ours)
        writer = ChannelWriter(counted, asyncio.get_running_loop(),  # type: ignore[arg-type]
                               max_pending_bytes=1 << 22, linger=60.0)
        frame = encode(("J", b"x" * 10_000))
        sent = 0
        while counted.writes == 0:
            assert writer.send(frame)
            sent += 1
        got = read_all(theirs)
        writer.close()
        ours.close()
        theirs.close()
        return sent, got

    sent, got = asyncio.run(scenario())
    assert sent * len(encode(("J", b"x" * 10_000))) >= LINGER_BYTES  # not before the threshold
    assert len(got) == sent  # every frame, in the one early write
