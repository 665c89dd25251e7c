"""Header hygiene, pure: what the upstream and the client get, and what logs may show.

- hop-by-hop headers and every header named in ``Connection`` are dropped both ways;
  framing (``Content-Length``/``Transfer-Encoding``) is left to the upstream client;
- ``X-Forwarded-For/Proto/Host`` and ``Forwarded`` are set; the client's own values are kept
  (and appended to) only when the peer is one of ``trusted_proxies``, otherwise replaced;
- ``X-Strangler-Identity`` and ``X-Strangler-Shadow`` from the client are dropped (only the
  proxy sets them);
- ``X-Request-ID`` is kept when it looks sane, generated otherwise, and returned to the client;
- ``traceparent``/``tracestate`` pass through untouched;
- ``redact_headers``/``redact_query`` keep secrets out of anything written down.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "HOP_BY_HOP",
    "PreparedRequest",
    "Trust",
    "prepare_request",
    "redact_headers",
    "redact_query",
    "response_header_lines",
    "response_headers",
]

Headers = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset({
    b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding",
    b"upgrade", b"proxy-authenticate", b"proxy-authorization",
})
# Not hop-by-hop, but the upstream client frames the body and the proxy sets the host. The
# identity and shadow-marker headers are the proxy's own: a client can never inject them.
_REQUEST_DROP = HOP_BY_HOP | {b"content-length", b"host", b"x-strangler-identity",
                              b"x-strangler-shadow"}
_FORWARDING = frozenset({b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host",
                         b"forwarded"})
_REQUEST_ID = b"x-request-id"
_SPECIAL = _REQUEST_DROP | _FORWARDING | {_REQUEST_ID}  # what prepare_request looks at
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie",
                               "x-api-key", "x-auth-token", "x-csrftoken"})
_SENSITIVE_PARAM = re.compile(r"token|secret|password|passwd|key|auth|signature|session|code",
                              re.IGNORECASE)
REDACTED = "[redacted]"


def _fresh_prefix() -> None:
    global _id_prefix, _id_counter
    _id_prefix = os.urandom(10).hex()
    _id_counter = itertools.count()


_id_prefix = ""
_id_counter = itertools.count()
_fresh_prefix()
os.register_at_fork(after_in_child=_fresh_prefix)  # forked workers must not share the prefix


def _new_request_id() -> str:
    """32 hex digits, unique per process and request: a random 80-bit prefix drawn once per
    process and a counter (no syscall per request, unlike ``os.urandom``)."""
    return f"{_id_prefix}{next(_id_counter) & 0xFFFFFFFFFFFF:012x}"


class Trust:
    """Which peers may vouch for the original client (``[proxy] trusted_proxies``)."""

    def __init__(self, cidrs: Iterable[str] = ()) -> None:
        self.networks = tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)
        self._cache: dict[str, bool] = {}

    def trusts(self, peer: str) -> bool:
        if not self.networks:
            return False
        known = self._cache.get(peer)
        if known is None:
            try:
                address = ipaddress.ip_address(peer)
                known = any(address in network for network in self.networks)
            except ValueError:
                known = False
            if len(self._cache) < 4096:  # bounded: peers are few behind a load balancer
                self._cache[peer] = known
        return known


@dataclass(slots=True)
class PreparedRequest(Mapping[str, str]):
    """The client's request head made ready for the upstream; also, as a mapping, its headers
    by lower-case name for route conditions and sticky keys (built only if one asks: most
    requests never do, and one object less per request is measurable on the relay's path)."""

    headers: Headers  # ready for the upstream, without framing headers and Host
    request_id: str
    host: bytes  # the Host the client asked for
    content_length: int | None
    chunked: bool
    header_bytes: int  # size of the client's header block, for the 431 limit
    hosts: int = 1  # Host fields the client sent: HTTP/1.1 needs exactly one (limits.check_host)
    _map: dict[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def conditions(self) -> Mapping[str, str]:
        """Name -> value for route conditions: the request itself."""
        return self

    def _built(self) -> dict[str, str]:
        if self._map is None:
            # The headers as they go upstream: forwarding headers already sanitised, so a
            # route condition on them sees trusted values only.
            self._map = {n.decode("latin-1"): v.decode("latin-1") for n, v in self.headers}
        return self._map

    def __getitem__(self, name: str) -> str:
        return self._built()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def prepare_request(raw: Iterable[tuple[bytes, bytes]], *, peer: str, scheme: str,
                    trust: Trust) -> PreparedRequest:
    """Clean the client's headers for the upstream in one pass.

    ``Host`` is left out: the forwarder adds the client's or the upstream's, per attempt.
    """
    connection_named: set[bytes] = set()
    kept: Headers = []
    forwarded: dict[bytes, bytes] = {}
    host = b""
    hosts = 0
    size = 0
    request_id = ""
    content_length: int | None = None
    chunked = False
    for name, value in raw:
        size += len(name) + len(value) + 4
        if name not in _SPECIAL:  # most headers: one set lookup
            kept.append((name, value))
            continue
        if name in _REQUEST_DROP or name in _FORWARDING:
            if name == b"host":
                host = value
                hosts += 1
            elif name == b"content-length":
                content_length = _content_length(value)
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"connection":
                connection_named.update(t.strip().lower() for t in value.split(b","))
            elif name in _FORWARDING:
                forwarded[name] = forwarded[name] + b", " + value if name in forwarded else value
            continue
        candidate = value.decode("latin-1")  # the only other special one: X-Request-ID
        if _VALID_ID.match(candidate):
            request_id = candidate
    if connection_named:
        kept = [(n, v) for n, v in kept if n not in connection_named]
    if not request_id:
        request_id = _new_request_id()
    kept.append((_REQUEST_ID, request_id.encode("ascii")))
    if forwarded:
        kept.extend(_forwarding(forwarded, peer, scheme, host, trust.trusts(peer)))
    else:  # the common case depends on (peer, scheme, host) only: built once per triple
        key = (peer, scheme, host)
        ours = _OWN_FORWARDING.get(key)
        if ours is None:
            ours = tuple(_forwarding({}, peer, scheme, host, False))
            if len(_OWN_FORWARDING) < 4096:
                _OWN_FORWARDING[key] = ours
        kept.extend(ours)
    # positional: keywords cost a fifth of this function on the relay's path
    return PreparedRequest(kept, request_id, host, content_length, chunked, size, hosts)


_OWN_FORWARDING: dict[tuple[str, str, bytes], tuple[tuple[bytes, bytes], ...]] = {}


def _content_length(value: bytes) -> int:
    # The server already rejected a malformed Content-Length; be defensive anyway.
    try:
        return max(int(value), 0)
    except ValueError:
        return 0


def _forwarding(given: dict[bytes, bytes], peer: str, scheme: str, host: bytes,
                trusted: bool) -> Headers:
    peer_b = peer.encode("ascii")
    proto = scheme.encode("ascii")
    node = (b'"[' + peer_b + b']"') if b":" in peer_b else peer_b
    ours = b"for=" + node + b";proto=" + proto + (b";host=" + _quote(host) if host else b"")
    if trusted:
        xff = given[b"x-forwarded-for"] + b", " + peer_b if b"x-forwarded-for" in given else peer_b
        fwd = given[b"forwarded"] + b", " + ours if b"forwarded" in given else ours
        proto = given.get(b"x-forwarded-proto", proto)
        host = given.get(b"x-forwarded-host", host)
    else:
        xff, fwd = peer_b, ours
    out = [(b"x-forwarded-for", xff), (b"x-forwarded-proto", proto), (b"forwarded", fwd)]
    if host:
        out.append((b"x-forwarded-host", host))
    return out


def _quote(value: bytes) -> bytes:
    return b'"' + value.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def response_headers(upstream: Iterable[tuple[bytes, bytes]], request_id: str) -> Headers:
    """The upstream's headers for the client: hop-by-hop gone, duplicates (Set-Cookie) kept."""
    out: Headers = []
    connection_named: set[bytes] = set()
    for name, value in upstream:
        name = name.lower()
        if name in HOP_BY_HOP:
            if name == b"connection":
                connection_named.update(t.strip().lower() for t in value.split(b","))
            continue
        if name == _REQUEST_ID:
            continue
        out.append((name, value))
    if connection_named:
        out = [(n, v) for n, v in out if n not in connection_named]
    out.append((_REQUEST_ID, request_id.encode("ascii")))
    return out


def response_header_lines(upstream: Iterable[tuple[bytes, bytes]],
                          request_id: str) -> tuple[bytes, bool]:
    """``response_headers`` as the bytes of its header lines, and whether they carry a
    Content-Length: what the relay writes, at half the cost of rendering the pairs."""
    parts: list[bytes] = []
    framed = False
    for name, value in upstream:
        name = name.lower()
        if name in HOP_BY_HOP or name == _REQUEST_ID:
            if name == b"connection":  # rare: it names more headers to drop
                pairs = response_headers(upstream, request_id)
                return (b"".join([b"%s: %s\r\n" % pair for pair in pairs]),
                        any(n == b"content-length" for n, _ in pairs))
            continue
        if name == b"content-length":
            framed = True
        parts += (name, b": ", value, b"\r\n")
    parts += (b"x-request-id: ", request_id.encode("ascii"), b"\r\n")
    return b"".join(parts), framed


def redact_headers(headers: Iterable[tuple[bytes | str, bytes | str]]) -> list[tuple[str, str]]:
    """Headers safe to log: secrets replaced by ``[redacted]``."""
    out = []
    for name, value in headers:
        n = name.decode("latin-1") if isinstance(name, bytes) else name
        v = value.decode("latin-1") if isinstance(value, bytes) else value
        out.append((n, REDACTED if n.lower() in SENSITIVE_HEADERS else v))
    return out


def redact_query(query: bytes | str) -> str:
    """A query string safe to log: values of token/password/key-like parameters redacted."""
    text = query.decode("latin-1") if isinstance(query, bytes) else query
    if not text:
        return ""
    pairs = parse_qsl(text, keep_blank_values=True)
    return urlencode([(k, REDACTED if _SENSITIVE_PARAM.search(k) else v) for k, v in pairs],
                     safe="[]")
