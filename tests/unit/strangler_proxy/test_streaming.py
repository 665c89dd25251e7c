"""Bodies stream both ways: a large download and upload pass with the proxy's memory flat.

The proxy runs as ``strangler proxy serve`` in a subprocess and the upstream in another, so
the peak RSS read from ``/proc/PID/status`` (VmHWM) is the proxy's own.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.unit.strangler_proxy.harness import ROOT, proxy_process, write_routes

SIZE = 1 << 28  # 256 MiB each way: 2.5x the RSS bound, so any buffering fails; ~10 s here
CHUNK = bytes(range(256)) * 4096  # 1 MiB
PEAK_RSS_LIMIT_KB = 100 * 1024


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


@pytest.fixture()
def upstream_process() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "tests.support.servers", "big"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().split()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.slow
def test_large_bodies_both_ways_with_flat_proxy_memory(upstream_process: str,
                                                      tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read the proxy's peak RSS")
    config = write_routes(tmp_path / "routes.toml", {"monolith": upstream_process},
                          extra="[proxy]\naccess_log = false")
    with proxy_process(config, "--log-level", "warning") as proxy, \
            httpx.Client(timeout=60) as client:
        before = peak_rss_kb(proxy.process.pid)
        received = 0
        with client.stream("GET", proxy.url + f"/download/{SIZE}") as response:
            assert response.status_code == 200
            assert response.headers["content-length"] == str(SIZE)
            for chunk in response.iter_raw(1 << 20):
                received += len(chunk)
        assert received == SIZE

        digest = hashlib.sha256()

        def upload() -> Iterator[bytes]:
            for _ in range(SIZE // len(CHUNK)):
                digest.update(CHUNK)
                yield CHUNK

        echo = client.post(proxy.url + "/upload", content=upload()).json()
        assert echo["body_bytes"] == SIZE
        assert echo["body_sha256"] == digest.hexdigest()
        peak = peak_rss_kb(proxy.process.pid)
    print(f"proxy peak RSS {peak} kB (at start {before} kB)")
    assert peak < PEAK_RSS_LIMIT_KB, f"proxy peak RSS {peak} kB (was {before} kB at start)"
