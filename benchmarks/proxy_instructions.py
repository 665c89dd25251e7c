"""Instructions per request, counted by callgrind: a meter that the machine's drift cannot move.

Wall-clock A/B runs on this VM spread by 10-30% between two runs of one program, so a change
worth 5% cannot be seen in them. callgrind counts the instructions a process executes in user
space: the same program and load give the same count, whatever else the machine does. It does
not see the kernel's share (syscalls) nor cache misses, so it says how much Python and C work
a request costs, not how long it takes; ``proxy.py``'s nginx A/B stays the judge of speed.

Each side runs under ``valgrind --tool=callgrind`` with counting off; a warm-up load runs, then
counting is switched on (``callgrind_control -i on``), a fixed number of keep-alive requests is
sent over a few connections, and the count is dumped. Sides:

- minimal relay (``_proxy_variants/minimal_relay.py``): the architecture, no work;
- + feature calls, without and with the accounting (``_proxy_variants/features_relay.py``);
- the proxy (``strangler proxy serve``, one pass-through route, production defaults), with
  those GETs (its relay) and with POSTs of a 1 KB JSON body (its ASGI path).

``.venv/bin/python benchmarks/proxy_instructions.py [--requests 4000]``
(Debian: ``apt-get install valgrind``.) About a minute.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from proxy import PYTHON, ROOT, ROUTES_TOML, STRANGLER_CLI, VARIANTS, free_port  # noqa: E402

# What wrk sends, plus the two headers most clients add.
REQUEST = (b"GET /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n"
           b"Accept: */*\r\n\r\n")
# A request with a body takes the proxy's ASGI path (the relay serves bodyless ones only).
BODY = b'{"title": "x", "rating": 4}' * 40
POST = (b"POST /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
CONNECTIONS = 8


def _exchange(sock: socket.socket, buffer: bytearray, request: bytes) -> None:
    """One request out, its whole response read (Content-Length framed)."""
    sock.sendall(request)
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            head = bytes(buffer[:end]).lower()
            if not head.startswith(b"http/1.1 200"):
                raise RuntimeError(f"unexpected response: {head[:80]!r}")
            length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
            if len(buffer) >= end + 4 + length:
                del buffer[:end + 4 + length]
                return
        data = sock.recv(65536)
        if not data:
            raise RuntimeError("the side closed the connection")
        buffer += data


def load(port: int, requests: int, request: bytes = REQUEST) -> None:
    """``requests`` keep-alive requests over ``CONNECTIONS`` connections, all answered."""
    errors: list[BaseException] = []

    def one_connection(count: int) -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                buffer = bytearray()
                for _ in range(count):
                    _exchange(sock, buffer, request)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=one_connection, args=(requests // CONNECTIONS,))
               for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"load failed: {errors[0]!r}")


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"not listening on {port} after {timeout:g}s")


def count(argv: list[str], port: int, requests: int, tmp: Path, label: str,
          request: bytes = REQUEST) -> int:
    """Instructions the process under ``argv`` executes while serving ``requests``."""
    out = tmp / f"callgrind.{label}"
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",
         f"--callgrind-out-file={out}.%p", *argv],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc)
        load(port, 400, request)  # warm-up: imports, pool connections, caches
        control = ["callgrind_control"]
        subprocess.run([*control, "-i", "on", str(proc.pid)], check=True, capture_output=True)
        load(port, requests, request)
        subprocess.run([*control, "-d", str(proc.pid)], check=True, capture_output=True)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    dumps = sorted(tmp.glob(f"callgrind.{label}.*.1"))
    if not dumps:
        raise RuntimeError(f"{label}: callgrind wrote no dump")
    for line in dumps[-1].read_text().splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise RuntimeError(f"{label}: no summary line in {dumps[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="counted requests per side")
    parser.add_argument("--only", default="", help="count only the sides whose name has this")
    args = parser.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        sys.exit("valgrind is not installed: apt-get install valgrind")
    with tempfile.TemporaryDirectory(prefix="strangler-ir-") as scratch:
        tmp = Path(scratch)
        upstream_port = free_port()
        upstream = subprocess.Popen([PYTHON, str(VARIANTS / "upstream.py"), str(upstream_port)])
        try:
            _wait_listening(upstream_port, upstream)
            routes = tmp / "routes.toml"
            routes.write_text(ROUTES_TOML.format(upstream=upstream_port))
            def proxy(port: int) -> list[str]:
                return [*STRANGLER_CLI, "proxy", "serve", "--config", str(routes), "--port",
                        str(port), "--workers", "1", "--log-level", "warning"]

            sides: list[tuple[str, Callable[[int], list[str]], bytes]] = [
                ("minimal relay", lambda p: [PYTHON, str(VARIANTS / "minimal_relay.py"), str(p),
                                             str(upstream_port)], REQUEST),
                ("+ feature calls", lambda p: [PYTHON, str(VARIANTS / "features_relay.py"),
                                               str(p), str(upstream_port), str(routes),
                                               "--no-accounting"], REQUEST),
                ("+ metrics and access line", lambda p: [
                    PYTHON, str(VARIANTS / "features_relay.py"), str(p), str(upstream_port),
                    str(routes)], REQUEST),
                ("strangler proxy, 1 worker", proxy, REQUEST),
                ("strangler proxy, POST 1 KB (ASGI path)", proxy, POST),
            ]
            print(f"{'side':<40} {'instructions/request':>21} {'vs minimal':>11}")
            base = 0.0
            for index, (label, argv, request) in enumerate(sides):
                if args.only not in label:
                    continue
                port = free_port()
                per_request = count(argv(port), port, args.requests, tmp, f"side{index}",
                                    request) / args.requests
                base = base or per_request
                print(f"{label:<40} {per_request:>21,.0f} {per_request / base:>10.2f}x",
                      flush=True)
        finally:
            upstream.terminate()
            upstream.wait(timeout=10)


if __name__ == "__main__":
    main()
