"""The proxy's own HTTP/1.1 server protocol, run by uvicorn's server (``http=`` option)."""

from strangler_proxy.server.protocol import HttpServerProtocol

__all__ = ["HttpServerProtocol"]
