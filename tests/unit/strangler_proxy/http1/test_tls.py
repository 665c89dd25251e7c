"""https upstreams: TLS through asyncio's ssl, verified against a throwaway CA."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from strangler_proxy.http1 import ConnectionPool, Timeouts, errors

from .rawserver import async_test, response


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl binary is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@async_test
async def test_https_upstream_keeps_alive_over_tls(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                writer.write(response(200, head.split(b" ")[1]))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    try:
        trusting = ssl.create_default_context(cafile=str(cert))
        pool = ConnectionPool(f"https://127.0.0.1:{port}", ssl_context=trusting)
        for target in (b"/one", b"/two"):
            resp = await pool.request(b"GET", target, [])
            assert await resp.aread() == target
            await resp.aclose()
        assert connections == 1
        await pool.aclose()

        # The default context verifies against the system CAs: a self-signed upstream fails.
        strict = ConnectionPool(f"https://127.0.0.1:{port}", timeouts=Timeouts(connect=5.0))
        with pytest.raises(errors.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await strict.request(b"GET", b"/", [])
        await strict.aclose()
    finally:
        server.close()
        await server.wait_closed()
