"""The request-path half of shadowing: decide, keep bounded copies, hand a job over.

For a request whose ``Decision.shadow`` names a target (stage ``shadow``: the service;
stage ``service`` with ``reverse_shadow``: the monolith), :meth:`Shadower.check` applies the
route's shadow policy (method, body size, sample rate) and :meth:`Shadower.submit` hands the
request and the primary's complete response, as raw bytes, to the shadow worker: one pickle
and one non-blocking socket write, nothing decoded or compared here. :meth:`Shadower.wrap`
does both for the ASGI path: it tees a bounded copy of a streamed request body and wraps
``send`` in a :class:`~strangler_proxy.body_tap.RawResponseTap` that submits once the
primary's last byte has gone to the client.

The worker (``shadow_worker``, a separate process per proxy worker, supervised by
``shadow_process``) asks the candidate with ``X-Strangler-Shadow: 1`` through its own
connection pools, compares, learns noise and writes the diff store, so none of that runs on
the proxy's event loop or holds its GIL. When the channel is full, or the worker is
restarting, the copy is dropped and counted (``dropped_overload`` in the diff store, sent to
the worker with the next drop report). Without a store location the same work runs in this
loop instead (``inline``): for a diff store that only this process can open.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from strangler_proxy.body_tap import RawResponseTap, TeeBody
from strangler_proxy.diffstore import DiffStore
from strangler_proxy.headers import PreparedRequest
from strangler_proxy.limits import RequestBody
from strangler_proxy.policies import StateOptions, should_shadow
from strangler_proxy.routes import Decision, Route, RouteTable
from strangler_proxy.shadow_process import ShadowProcess, StoreLocation, worker_priority
from strangler_proxy.shadow_runner import CONFIG_LIMIT, JobRunner, RouteShadowConfig
from strangler_proxy.store_errors import StoreErrors

__all__ = ["DROP_REPORT_S", "Shadower", "StoreLocation", "TeeBody"]

log = logging.getLogger(__name__)
Send = Callable[[dict[str, Any]], Awaitable[None]]
RawHeaders = list[tuple[bytes, bytes]]
DROP_REPORT_S = 0.2  # drop counts go to the worker (and so the store) at most this often
DRAIN_TIMEOUT_S = 2.0


class Shadower:
    """Decides and hands over shadow copies; ``start``/``stop`` in the app's lifespan.

    ``location`` names the store the worker process opens; ``None`` runs the work inline in
    this event loop with ``diffs``. ``priority`` is the worker's CPU priority, one of
    ``shadow_worker.PRIORITIES`` (default: ``$STRANGLER_SHADOW_PRIORITY``, else ``idle``).
    """

    def __init__(self, diffs: DiffStore, options: StateOptions, *,
                 location: StoreLocation | None = None,
                 draw: Callable[[], float] = random.random, priority: str | None = None,
                 max_restarts: int = 5) -> None:
        self._draw = draw
        self._started = False
        self._drops: dict[str, list[int]] = {}
        self._drop_timer: asyncio.TimerHandle | None = None
        self._configs: dict[tuple[int, int, int], tuple[Any, ...]] = {}
        self._next_config = 0
        self.figures: dict[str, int] = {}  # the worker's last report (offered, dropped, ...)
        self.submitted = 0
        self.refused = 0  # channel full, worker restarting or shadowing off
        self._inline: JobRunner | None = None
        self.process: ShadowProcess | None = None
        if location is None:
            self._inline = JobRunner(diffs, queue_size=options.shadow_queue_size,
                                     workers=options.shadow_workers, draw=draw)
            self.store_errors = self._inline.queue.store_errors
        else:
            self.store_errors = StoreErrors("shadow", "writing shadow results", logger=log)
            self.process = ShadowProcess(
                {"store": location.url, "base_dir": location.base_dir,
                 "store_options": location.options, "queue_size": options.shadow_queue_size,
                 "workers": options.shadow_workers, "drain_timeout": DRAIN_TIMEOUT_S,
                 "log_level": logging.getLogger("strangler_proxy").getEffectiveLevel(),
                 "priority": worker_priority(priority)},
                on_figures=self._figures, on_store_errors=self._store_failed,
                max_restarts=max_restarts)
            self.process.on_restart = self._configs.clear

    @property
    def mode(self) -> str:
        """``process``, ``inline``, or ``off`` when the worker could not be kept running."""
        if self._inline is not None:
            return "inline"
        assert self.process is not None
        return "off" if self.process.state == "off" else "process"

    async def start(self) -> None:
        if self._inline is not None:
            await self._inline.start()
        self._started = True  # the worker process starts with the first shadowed request

    async def stop(self) -> None:
        self._started = False
        if self._drop_timer is not None:
            self._drop_timer.cancel()
            self._drop_timer = None
        if self._drops and self.process is not None and self.process.state != "off":
            # the last counts ride ahead of the stop message, whatever the channel's fill
            self.process.send(("D", {r: tuple(c) for r, c in self._drops.items()}), force=True)
            self._drops = {}
        if self._inline is not None:
            await self._inline.stop(drain_timeout=DRAIN_TIMEOUT_S)
        elif self.process is not None:
            await self.process.stop(drain_timeout=DRAIN_TIMEOUT_S)

    # -- the request path ----------------------------------------------------------------
    def check(self, decision: Decision, method: str, body_size: int | None) -> bool:
        """Whether to copy this request: a shadow target, the route's method, size and sample
        rules. ``body_size`` is the request's Content-Length (``None`` when streamed)."""
        route = decision.route
        if route is None or decision.shadow is None or not self._started:
            return False
        verdict = should_shadow(route.policy.shadow, method, body_size, self._draw())
        if verdict == "too_large":
            self._count(route.name, too_large=1)
        return verdict == "shadow"

    def submit(self, table: RouteTable, decision: Decision, *, method: str, path: str,
               query: bytes, request_headers: RawHeaders, request_body: bytes, status: int,
               response_headers: RawHeaders, response_body: bytes,
               latency_ms: float = 0.0, truncated: bool = False,
               extra_headers: tuple[tuple[str, str], ...] = ()) -> bool:
        """Hand one shadow job over once the primary's response is complete; never waits.

        Call it from the event loop's thread for a request :meth:`check` accepted (it does
        not draw again). ``path`` is the normalised request path and ``query`` the raw query
        string; ``request_headers`` are the headers sent to the primary (no Host), as raw
        pairs; ``request_body`` the complete request body; ``status``, ``response_headers``
        and ``response_body`` the primary's response as the client got it (content coding
        kept), ``truncated`` when the body kept is not all of it; ``latency_ms`` the
        primary's time; ``extra_headers`` go to the candidate only (the service's identity).
        The lists are not copied: do not change them afterwards.

        Returns whether the job was taken. Not taken (and counted in the diff store):
        a body over the route's ``max_body_bytes`` (``dropped_too_large``), or the channel
        full, the worker restarting or off (``dropped_overload``).
        """
        route = decision.route
        target = decision.shadow
        if route is None or target is None or not self._started:
            return False
        limit = route.policy.shadow.max_body_bytes
        if truncated or len(response_body) > limit or len(request_body) > limit:
            self._count(route.name, too_large=1)
            return False
        if self.process is not None and not self.process.accepting:
            self.refused += 1  # channel full, worker restarting or off: refused unbuilt
            self._count(route.name, overload=1)
            return False
        number, config = self._config(table, route, target, decision.primary)
        tail = "?" + query.decode("latin-1") if query else ""
        candidate_path = route.rewrite(path) if target == route.upstream else path
        job = (method, candidate_path + tail, decision.forward_path + tail, request_headers,
               extra_headers, request_body, status, response_headers, response_body,
               latency_ms)
        message = ("J", number, config, job)
        if self._inline is not None:
            taken = self._inline.handle(message)
        else:
            assert self.process is not None
            taken = self.process.send(message)
            if not taken:
                if config is not None:  # the worker never saw it: send it again next time
                    self._configs.pop((id(route), id(table.upstreams[target]),
                                       id(table.upstreams[decision.primary])), None)
                self.refused += 1
                self._count(route.name, overload=1)
        self.submitted += taken
        return taken

    def wrap(self, table: RouteTable, decision: Decision, *, method: str, path: str,
             query: bytes, prepared: PreparedRequest, body: bytes | RequestBody | None,
             send: Send, extra_headers: tuple[tuple[str, str], ...] = ()
             ) -> tuple[Send, bytes | RequestBody | TeeBody | None]:
        """``(send, body)`` to forward with: tapped when this request is shadowed.

        The ASGI path's use of :meth:`check` and :meth:`submit`: a streamed body is teed
        (bounded), and ``send`` wrapped so the job is submitted after the last byte.
        """
        route = decision.route
        if route is None or decision.shadow is None or not self._started:
            return send, body
        size = prepared.content_length if prepared.content_length is not None else (
            len(body) if isinstance(body, bytes) else None)
        if not self.check(decision, method, size):
            return send, body
        limit = route.policy.shadow.max_body_bytes
        tee = TeeBody(body, limit) if isinstance(body, RequestBody) else None
        headers = list(prepared.headers)  # forward() may append to the original

        def complete(status: int, response_headers: RawHeaders, response_body: bytes,
                     truncated: bool, latency_ms: float) -> None:
            if tee is not None:
                if tee.tap.overflowed or not tee.complete:
                    self._count(route.name, too_large=1)
                    return
                request_body = tee.tap.body
            else:
                request_body = body if isinstance(body, bytes) else b""
            self.submit(table, decision, method=method, path=path, query=query,
                        request_headers=headers, request_body=request_body, status=status,
                        response_headers=response_headers, response_body=response_body,
                        latency_ms=latency_ms, truncated=truncated,
                        extra_headers=extra_headers)

        tapped = RawResponseTap(send, limit=limit, on_complete=complete)
        return tapped, (tee if tee is not None else body)

    # -- bookkeeping ---------------------------------------------------------------------
    def _config(self, table: RouteTable, route: Route, target: str, primary: str
                ) -> tuple[int, RouteShadowConfig | None]:
        """The job's config number, and the config itself when the worker lacks it."""
        candidate, asked = table.upstreams[target], table.upstreams[primary]
        key = (id(route), id(candidate), id(asked))
        known = self._configs.get(key)
        # the objects are kept in the entry, so their ids cannot be reused while it lives
        if known is not None and known[1] is route and known[2] is candidate and \
                known[3] is asked:
            return known[0], None
        if len(self._configs) >= CONFIG_LIMIT:  # reloads made many: start numbering again
            self._configs.clear()
        self._next_config += 1
        self._configs[key] = (self._next_config, route, candidate, asked)
        policy = route.policy
        return self._next_config, RouteShadowConfig(route.name, policy.shadow, policy.compare,
                                                     policy.redact, candidate, asked)

    def _count(self, route: str, *, overload: int = 0, too_large: int = 0) -> None:
        if self._inline is not None:
            self._inline.queue.count_drops(route, overload=overload, too_large=too_large)
            return
        counts = self._drops.setdefault(route, [0, 0])
        counts[0] += overload
        counts[1] += too_large
        if self._drop_timer is None:
            self._drop_timer = asyncio.get_running_loop().call_later(DROP_REPORT_S,
                                                                     self._report_drops)

    def _report_drops(self) -> None:
        self._drop_timer = None
        if not self._drops or self.process is None:
            return
        if self.process.send(("D", {r: tuple(c) for r, c in self._drops.items()})):
            self._drops = {}
        elif self.process.state in ("running", "restarting", "idle"):
            # channel full or worker restarting: keep the counts and try again
            self._drop_timer = asyncio.get_running_loop().call_later(DROP_REPORT_S,
                                                                     self._report_drops)

    def _figures(self, figures: dict[str, int]) -> None:
        self.figures = figures

    def _store_failed(self, failures: int) -> None:
        # the worker logged it (rate-limited); here it is only counted for /-/metrics
        self.store_errors.count += failures
        if self.store_errors.on_error is not None:
            self.store_errors.on_error(self.store_errors.what, failures)

    def stats(self) -> dict[str, object]:
        """Figures for an admin view or a metric: mode, worker, hand-overs, worker's counts."""
        process = self.process
        return {"mode": self.mode, "submitted": self.submitted, "refused": self.refused,
                "worker_pid": process.pid if process else None,
                "restarts": process.restarts if process else 0,
                "reason": process.reason if process else "", **self.figures}

