"""A lean HTTP/1.1 upstream client for the proxy's forwarding hot path.

asyncio Protocols plus httptools' response parser, with an O(1) keep-alive pool::

    from strangler_proxy.http1 import ConnectionPool, Timeouts

    pool = ConnectionPool("http://127.0.0.1:8000", timeouts=Timeouts(read=30.0))
    response = await pool.request(b"GET", b"/health", [(b"host", b"backend")])
    try:
        body = await response.aread()
    finally:
        await response.aclose()
    await pool.aclose()

httpx stays the project's client everywhere else; this exists because forwarding through
httpcore's pool tops out near 400 requests/s here (see ``benchmarks/proxy.py``).
"""

from . import errors
from .config import HIGH_WATER, LOW_WATER, Timeouts
from .pool import ConnectionPool
from .response import UpstreamResponse

__all__ = ["HIGH_WATER", "LOW_WATER", "ConnectionPool", "Timeouts", "UpstreamResponse", "errors"]
