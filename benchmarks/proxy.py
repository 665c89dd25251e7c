"""Proxy throughput and latency, side by side, in one run (a script, not a test).

    .venv/bin/python benchmarks/proxy.py [--quick] [--duration 5] [--connections 32] [--repeat 3]

Starts a fast upstream returning ~1 KB of JSON, then loads, one after the other: the upstream
directly; nginx as a reverse proxy to it (one worker, keep-alive upstream); strangler's proxy
(``strangler proxy serve``, one pass-through route, production defaults) with 1 and 2 workers;
nginx running what ``strangler export --target nginx --standalone`` makes of that routes file;
the same 1-worker proxy with the route in stage ``shadow`` (every request copied to a
second upstream, off the response path) and in stage ``canary`` at 50%; and three minimal
uvicorn ASGI proxies differing only in their upstream client: our
``strangler_proxy.http1`` pool, httpx's default transport and aiohttp; and uvicorn answering
the same JSON itself (no upstream), the ceiling of any uvicorn app on the machine, which the
report relates the proxy rows to; and that constant app on the proxy's own server protocol.
Load comes from wrk when installed, else from a bounded Python load generator. Prints requests/s, p50 and p99 at 32
connections with ratios to nginx and to direct, then p50 at 1 connection and the latency each
proxy adds over direct. The 1-worker strangler rows (pass-through, shadow, canary) also get a
p99 at a fixed rate below saturation (``--paced-rate``, open loop, latency from each request's
scheduled time): the shadow goal (<= 1.15x pass-through) is about that figure, since at
saturation copying every request is extra CPU on the same core by construction. The
``shadow-ab`` row is that goal's own figure: both proxies running at once, fixed-rate runs
alternating between them, medians (see ``benchmarks/paced.py``). The ``nginx-ab`` row does
the same for the throughput and p99 goals: nginx and the 1-worker proxy run at once and wrk
loads them in turn; this VM's speed drifts by 10-30 % over minutes, so the table's rows,
measured one after the other, can put the two at different speeds. Beside them it loads an
A/A control (a second copy of the proxy) and floors that split the proxy's cost: bytes
copied with no HTTP parsed, a minimal httptools relay, and that relay making the proxy's
per-request calls (``--no-ab-controls`` leaves them out).

Cores (when ``taskset`` exists): the proxy under test on core 0; wrk and the upstream on core 1.
The shadow row's worker process (replay, comparison, store writes) inherits core 0 from its
proxy, at idle CPU priority: the primary's figures include sharing its core with it.
The 2-worker strangler row gets both cores, so it shares core 1 with wrk and the upstream.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from paced import diff_summary, paced_p99, shadow_ab

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = Path(__file__).resolve().parent / "_proxy_variants"
PYTHON = sys.executable
STRANGLER_CLI = [PYTHON, "-m", "strangler"]
NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log /dev/null;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    upstream app {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""
ROUTES_TOML = """\
default = "app"

[upstreams.app]
url = "http://127.0.0.1:{upstream}"

[[routes]]
name = "pass-through"
path = "/"
upstream = "app"
stage = "service"
"""
# Shadow and canary rows: the same primary ("app") plus a second upstream ("cand", another
# copy of the fast upstream) that gets the shadow copies or the canary share.
STAGE_TOML = """\
default = "app"

[upstreams.app]
url = "http://127.0.0.1:{upstream}"
[upstreams.cand]
url = "http://127.0.0.1:{candidate}"

[[routes]]
name = "{name}"
path = "/"
upstream = "{route_upstream}"
{stage}

[state]
store = "sqlite:///{tmp}/state-{name}.db"
"""
SHADOW_STAGE = 'stage = "shadow"\n[routes.shadow]\nsample_rate = 1.0'
# wrk sends no cookie: draw a fresh bucket per request so the split is really 50/50
CANARY_STAGE = 'stage = "canary"\npercent = 50\nsticky_missing = "random"'


@dataclass
class Result:
    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    p50_1conn_ms: float | None = None
    paced_p99_ms: float | None = None  # p99 at a fixed rate below saturation (shadow goal)
    note: str = ""


# -- processes ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinned(cores: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", cores, *argv] if shutil.which("taskset") else argv


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"not listening on {port} after {timeout}s")


@contextlib.contextmanager
def running(argv: list[str], port: int, *, env: dict[str, str] | None = None,
            log: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_listening(port, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()  # type: ignore[union-attr]


def uvicorn_variant(module: str, port: int, http: str = "httptools") -> list[str]:
    return pinned("0", [PYTHON, "-m", "uvicorn", f"{module}:app", "--app-dir", str(VARIANTS),
                        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                        "--log-level", "warning", "--http", http, "--loop", "auto"])


# -- load --------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, connections: int, seconds: float) -> tuple[float, float, float, str]:
    argv = pinned("1", ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", url])
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        found = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert found is not None, out
        return float(found.group(1)) * _UNITS[found.group(2)]

    # wrk's 2 s timeouts land in "Socket errors": reported with the row, not fatal.
    errors = "; ".join(m.strip() for m in re.findall(r"(?:Non-2xx|Socket errors).*", out))
    return rps, pct("50"), pct("99"), errors


async def _python_load(host: str, port: int, connections: int, seconds: float) -> list[float]:
    request = f"GET / HTTP/1.1\r\nhost: {host}:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def one_connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while (start := time.perf_counter()) < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                if length is None:
                    raise RuntimeError("the load generator needs Content-Length responses")
                await reader.readexactly(int(length.group(1)))
                latencies.append(time.perf_counter() - start)
        finally:
            writer.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return latencies


def python_load(url: str, connections: int, seconds: float) -> tuple[float, float, float, str]:
    port = int(url.rsplit(":", 1)[1].strip("/"))
    latencies = sorted(asyncio.run(_python_load("127.0.0.1", port, connections, seconds)))
    if not latencies:
        raise RuntimeError("no request completed")
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return len(latencies) / seconds, pick(0.50), pick(0.99), ""


def measure(name: str, url: str, args: argparse.Namespace, *, paced: bool = False) -> Result:
    load = wrk if shutil.which("wrk") else python_load
    load(url, args.connections, args.warmup)
    runs = [load(url, args.connections, args.duration) for _ in range(args.repeat)]
    singles = [load(url, 1, args.duration) for _ in range(args.repeat)]
    rps, p50, p99 = (statistics.median(run[i] for run in runs) for i in range(3))
    p50_one = statistics.median(run[1] for run in singles)
    errors = "; ".join(run[3] for run in runs + singles if run[3])
    result = Result(name, rps, p50, p99, p50_one, note=errors)
    if paced:
        result.paced_p99_ms = statistics.median(
            paced_p99(url, args.paced_rate, args.duration) for _ in range(args.repeat))
    paced_text = (f" p99 at {args.paced_rate:g} req/s {result.paced_p99_ms:.2f} ms"
                  if result.paced_p99_ms is not None else "")
    print(f"  {name:<26} {rps:>9,.0f} req/s  p50 {p50:.2f} ms  p99 {p99:.2f} ms  "
          f"(1 conn p50 {p50_one:.3f} ms){paced_text} {result.note}", flush=True)
    return result


# -- rows --------------------------------------------------------------------------------

def row_nginx(upstream: int, tmp: Path, args: argparse.Namespace) -> Result:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        return Result("nginx", note="nginx not installed (Debian: apt-get install nginx-light)")
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, upstream=upstream, port=port))
    try:
        with running(pinned("0", [nginx, "-c", str(conf), "-p", str(tmp)]), port):
            return measure("nginx (1 worker)", f"http://127.0.0.1:{port}/", args)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        error_log = tmp / "error.log"
        tail = error_log.read_text(errors="replace")[-200:] if error_log.exists() else ""
        return Result("nginx (1 worker)", note=f"failed: {exc} {tail}".strip())


def row_nginx_exported(upstream: int, tmp: Path, args: argparse.Namespace) -> Result:
    """nginx running what ``strangler export --target nginx --standalone`` made of ROUTES_TOML.

    The step after several strangler processes: the same routes file, compiled. Its config
    keeps what the export always adds (request ids, forwarding headers, an access log file).
    """
    name = "nginx, exported routes"
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        return Result(name, note="nginx not installed (Debian: apt-get install nginx-light)")
    routes, out, port = tmp / "export-routes.toml", tmp / "exported", free_port()
    routes.write_text(ROUTES_TOML.format(upstream=upstream))
    export = subprocess.run([PYTHON, "-m", "strangler", "export", "--target", "nginx",
                             "--standalone", str(routes), "--out", str(out), "--listen",
                             f"127.0.0.1:{port}"], cwd=ROOT, capture_output=True, text=True)
    if export.returncode != 0:
        return Result(name, note=f"skipped: export failed: {export.stderr.strip()[:200]}")
    # foreground, one worker like the nginx row; as root keep the workers able to use tmp
    globals_ = "daemon off; worker_processes 1;" + (" user root;" if os.geteuid() == 0 else "")
    try:
        with running(pinned("0", [nginx, "-p", str(out), "-c", str(out / "nginx.conf"),
                                  "-g", globals_]), port):
            return measure(name, f"http://127.0.0.1:{port}/", args)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        error_log = out / "error.log"
        tail = error_log.read_text(errors="replace")[-200:] if error_log.exists() else ""
        return Result(name, note=f"failed: {exc} {tail}".strip())


@contextlib.contextmanager
def strangler_serving(routes: Path, workers: int, tmp: Path,
                      log_name: str) -> Iterator[str]:
    """``strangler proxy serve`` on ``routes``, pinned like the rows say; yields its URL."""
    port = free_port()
    cores = "0" if workers == 1 else "0,1"
    argv = pinned(cores, [*STRANGLER_CLI, "proxy", "serve", "--config", str(routes), "--port",
                          str(port), "--workers", str(workers), "--log-level", "warning"])
    log = tmp / log_name  # its access log lands here
    try:
        with running(argv, port, log=log):
            yield f"http://127.0.0.1:{port}/"
    except RuntimeError as exc:
        tail = log.read_text(errors="replace")[-300:] if log.exists() else ""
        raise RuntimeError(f"{exc} {tail}".strip()[:300]) from exc


def checked_routes(path: Path, text: str) -> str:
    """Write a routes file; '' when ``strangler proxy check`` accepts it, else why not."""
    path.write_text(text)
    check = subprocess.run([*STRANGLER_CLI, "proxy", "check", str(path)], cwd=ROOT,
                           capture_output=True, text=True)
    return "" if check.returncode == 0 else f"`proxy check` failed: {check.stderr.strip()[:200]}"


def row_strangler(upstream: int, workers: int, tmp: Path, args: argparse.Namespace, *,
                  label: str = "", routes_text: str = "") -> Result:
    name = label or f"strangler proxy, {workers} worker{'s' if workers > 1 else ''}"
    try:
        import strangler_proxy.app  # noqa: F401  (the row needs the real proxy)
    except Exception as exc:  # not written yet, or broken
        return Result(name, note=f"skipped: strangler_proxy.app does not import ({exc})")
    routes = tmp / (f"routes-{abs(hash(name))}.toml" if routes_text else "routes.toml")
    refused = checked_routes(routes, routes_text or ROUTES_TOML.format(upstream=upstream))
    if refused:
        return Result(name, note=f"skipped: {refused}")
    try:
        with strangler_serving(routes, workers, tmp,
                               f"strangler-{workers}-{abs(hash(name))}.log") as url:
            return measure(name, url, args, paced=workers == 1 and args.paced_rate > 0)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        return Result(name, note=f"failed: {exc}"[:300])


def run_nginx_ab(upstream: int, tmp: Path, args: argparse.Namespace) -> str:
    """nginx and the 1-worker proxy side by side *in time*: all sides run at once on core 0
    and wrk loads them in turn, the order rotating each round, so a machine whose speed
    drifts between rows (this VM's does, by 10-30 % over minutes) moves every side of a round
    alike. Reports, per side, the median of its per-round ratios to nginx.

    Besides the proxy, more sides say how far to trust the ratio and where the proxy's time
    goes (``--no-ab-controls`` leaves them out): a second copy of the same proxy (an A/A
    control: its distance from the first copy is the instrument's own spread), and from
    ``_proxy_variants``: ``raw_forward.py`` (bytes copied, no HTTP parsed: the event loop and
    socket cost of any Python proxy), ``minimal_relay.py`` (the relay's architecture,
    httptools both sides and a kept-alive pool, none of its work) and ``features_relay.py``
    (that minimal relay calling the proxy's per-request functions, with and without the
    accounting)."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        return "nginx A/B skipped: nginx not installed (Debian: apt-get install nginx-light)"
    routes = tmp / "routes-ab-nginx.toml"
    refused = checked_routes(routes, ROUTES_TOML.format(upstream=upstream))
    if refused:
        return f"nginx A/B skipped: {refused}"
    port = free_port()
    conf = tmp / "nginx-ab.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, upstream=upstream, port=port))
    sides: dict[str, str] = {"nginx": f"http://127.0.0.1:{port}/"}
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(running(pinned("0", [nginx, "-c", str(conf), "-p", str(tmp)]),
                                        port))
            sides[AB_OURS] = stack.enter_context(
                strangler_serving(routes, 1, tmp, "ab-nginx-strangler.log"))
            if args.ab_controls:
                sides[AB_CONTROL] = stack.enter_context(
                    strangler_serving(routes, 1, tmp, "ab-nginx-strangler-control.log"))
                for label, script, extra in AB_FLOORS:
                    floor_port = free_port()
                    stack.enter_context(running(pinned("0", [
                        PYTHON, str(VARIANTS / script), str(floor_port), str(upstream),
                        *(arg.format(routes=routes) for arg in extra)]), floor_port))
                    sides[label] = f"http://127.0.0.1:{floor_port}/"
            names = list(sides)
            for url in sides.values():
                wrk(url, args.connections, args.warmup)
            rounds: list[dict[str, tuple[float, float]]] = []
            for index in range(args.ab_rounds):
                shift = index % len(names)  # each side goes first in turn
                order = names[shift:] + names[:shift]
                got = {name: wrk(sides[name], args.connections, args.duration) for name in order}
                rounds.append({name: (got[name][0], got[name][2]) for name in names})
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        return f"nginx A/B failed: {exc}"[:300]
    return ab_report(rounds, args)


AB_OURS = "strangler 1 worker"
AB_CONTROL = "strangler, second copy (A/A control)"
# (label, script in _proxy_variants, its arguments after PORT UPSTREAM_PORT; "{routes}" is the
# routes file of the proxy side)
AB_FLOORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("minimal relay + the proxy's feature calls", "features_relay.py", ("{routes}",)),
    ("the same without metrics and access line", "features_relay.py",
     ("{routes}", "--no-accounting")),
    ("minimal relay (floor)", "minimal_relay.py", ()),
    ("raw byte forwarding (floor)", "raw_forward.py", ()),
)


def ab_report(rounds: list[dict[str, tuple[float, float]]], args: argparse.Namespace) -> str:
    """The nginx A/B's lines: per side, medians of per-round throughput and p99 ratios."""
    def medians(name: str) -> tuple[float, float]:
        return (statistics.median(r[name][0] / r["nginx"][0] for r in rounds),
                statistics.median(r[name][1] / r["nginx"][1] for r in rounds))

    rps, p99 = medians(AB_OURS)
    lines = [f"nginx A/B, {len(rounds)} rounds x {args.duration:g} s per side, order rotating: "
             f"strangler 1 worker / nginx 1 worker: throughput {rps:.2f}x (goal >= 0.45x), "
             f"p99 {p99:.1f}x (goal <= 3x), medians of per-round ratios"]
    for name in rounds[0]:
        if name in ("nginx", AB_OURS):
            continue
        other_rps, other_p99 = medians(name)
        lines.append(f"  {name}: throughput {other_rps:.2f}x, p99 {other_p99:.1f}x nginx")
    if AB_CONTROL in rounds[0]:
        spread = statistics.median(r[AB_CONTROL][0] / r[AB_OURS][0] for r in rounds)
        lines.append(f"  A/A control: the second copy / the first = {spread:.2f}x (1.00x on a "
                     "steady machine; read the goal's ratio with this spread in mind)")
    for name in rounds[0]:
        lines.append(f"  per round, {name}: req/s "
                     + ", ".join(f"{r[name][0]:,.0f}" for r in rounds) + "; p99 ms "
                     + ", ".join(f"{r[name][1]:.2f}" for r in rounds))
    return "\n".join(lines)


def run_shadow_ab(upstream: int, tmp: Path, args: argparse.Namespace) -> str:
    """The shadow goal's figure: see benchmarks/paced.py. Returns the report line."""
    candidate = free_port()
    idle = ["chrt", "-i", "0"] if shutil.which("chrt") and args.ab_candidate == "idle" else []
    texts = {stage: STAGE_TOML.format(upstream=upstream, candidate=candidate, name=f"ab-{stage}",
                                      route_upstream="cand", stage=body, tmp=tmp)
             for stage, body in (("plain", 'stage = "monolith"'), ("shadow", SHADOW_STAGE))}
    files = {stage: tmp / f"routes-ab-{stage}.toml" for stage in texts}
    for stage, text in texts.items():
        refused = checked_routes(files[stage], text)
        if refused:
            return f"shadow A/B skipped: {refused}"
    try:
        with running([*idle, *pinned("1", [PYTHON, str(VARIANTS / "upstream.py"),
                                           str(candidate)])], candidate), \
                strangler_serving(files["plain"], 1, tmp, "ab-plain.log") as plain, \
                strangler_serving(files["shadow"], 1, tmp, "ab-shadow.log") as shadow:
            result = shadow_ab(plain, shadow, rate=args.paced_rate, seconds=args.ab_seconds,
                               rounds=args.ab_rounds,
                               recorded=lambda: diff_summary(STRANGLER_CLI, str(files["shadow"]),
                                                             "ab-shadow", str(ROOT)))
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        return f"shadow A/B failed: {exc}"[:300]
    return result.report()


def row_variant(module: str, label: str, upstream: int, args: argparse.Namespace,
                http: str = "httptools") -> Result:
    port = free_port()
    env = {"BENCH_UPSTREAM": f"http://127.0.0.1:{upstream}"}
    try:
        with running(uvicorn_variant(module, port, http), port, env=env):
            return measure(label, f"http://127.0.0.1:{port}/", args)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        return Result(label, note=f"failed: {exc}"[:300])


# -- report ------------------------------------------------------------------------------

UVICORN_CEILING = "uvicorn, constant (ceiling)"
# --only names: direct, nginx, 1- and 2-worker strangler, shadow and canary rows, nginx on
# the exported routes, the uvicorn variants (ceiling and the three upstream clients), and
# shadow-ab: the shadow goal's alternating fixed-rate runs (benchmarks/paced.py); nginx-ab:
# nginx and the 1-worker proxy running at once, loaded in turn (the throughput goal's ratio)
ROWS = ("direct", "nginx", "strangler", "strangler2", "shadow", "canary", "shadow-ab", "nginx-ab",
        "export", "variants")


def ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}x" if value and base else "-"


def report(results: list[Result], connections: int) -> None:
    by_name = {r.name: r for r in results}
    direct, nginx = by_name.get("direct (no proxy)"), by_name.get("nginx (1 worker)")
    print(f"\n{connections} connections, ~1 KB JSON:")
    print(f"{'':<28}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs nginx':>10}{'vs direct':>11}"
          f"{'p50@1c ms':>11}{'added p50':>11}")
    for r in results:
        if r.rps is None:
            print(f"{r.name:<28}{r.note}")
            continue
        added = (f"{r.p50_1conn_ms - direct.p50_1conn_ms:+.3f}"
                 if direct and direct.p50_1conn_ms is not None and r is not direct else "-")
        print(f"{r.name:<28}{r.rps:>10,.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
              f"{ratio(r.rps, nginx.rps if nginx else None):>10}"
              f"{ratio(r.rps, direct.rps if direct else None):>11}"
              f"{r.p50_1conn_ms:>11.3f}{added:>11}  {r.note}")
    plain = by_name.get("strangler proxy, 1 worker")
    shadow, canary = by_name.get("strangler, shadow on"), by_name.get("strangler, canary 50%")
    if plain and plain.p99_ms:
        print("\np99 vs the 1-worker pass-through, saturated (32 connections): " + ", ".join(
            f"{r.name} {r.p99_ms / plain.p99_ms:.2f}x" for r in (shadow, canary)
            if r is not None and r.p99_ms))
    if plain and plain.paced_p99_ms:
        print("p99 vs the 1-worker pass-through at a fixed rate, one run per row minutes apart "
              "(the shadow goal's own figure is the shadow A/B line): "
              + ", ".join(f"{r.name} {r.paced_p99_ms:.2f} ms / {plain.paced_p99_ms:.2f} ms = "
                          f"{r.paced_p99_ms / plain.paced_p99_ms:.2f}x" for r in (shadow, canary)
                          if r is not None and r.paced_p99_ms))
    ceiling = by_name.get(UVICORN_CEILING)
    if ceiling and ceiling.rps and nginx and nginx.rps:
        # No uvicorn app can beat this row; it bounds what the proxy rows can reach here.
        print(f"\nuvicorn's own ceiling is {ceiling.rps / nginx.rps:.2f}x nginx on this machine; "
              "of that ceiling: " + ", ".join(
                  f"{r.name} {r.rps / ceiling.rps:.2f}x" for r in results
                  if r.rps and r.name.startswith(("strangler proxy", "uvicorn +"))))
    if nginx and nginx.p99_ms:
        print("\np99 vs nginx: " + ", ".join(
            f"{r.name} {r.p99_ms / nginx.p99_ms:.1f}x" for r in results
            if r.p99_ms and r is not nginx and r is not direct))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s runs: a smoke test")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--paced-rate", type=float, default=200.0,
                        help="req/s of the fixed-rate p99 run of the 1-worker strangler rows "
                             "(below saturation; 0 skips it)")
    parser.add_argument("--ab-rounds", type=int, default=6,
                        help="runs per side of the shadow-ab and nginx-ab rows (alternating)")
    parser.add_argument("--no-ab-controls", dest="ab_controls", action="store_false",
                        help="nginx-ab without its A/A control and floor sides (faster)")
    parser.add_argument("--ab-seconds", type=float, default=4.0,
                        help="seconds per run of the shadow-ab row")
    parser.add_argument("--ab-candidate", choices=("idle", "normal"), default="idle",
                        help="CPU priority of the shadow-ab row's candidate upstream (idle: it "
                             "stands for a service on a host of its own)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per row; the median is reported (use 3 on a noisy machine)")
    parser.add_argument("--only", default="",
                        help="comma-separated rows to run, of: " + ", ".join(ROWS)
                             + " (default: all)")
    args = parser.parse_args()
    wanted = {name.strip() for name in args.only.split(",") if name.strip()} or set(ROWS)
    if wanted - set(ROWS):
        parser.error(f"--only: unknown row(s) {', '.join(sorted(wanted - set(ROWS)))}; "
                     f"known: {', '.join(ROWS)}")
    if args.quick:
        args.duration = 2.0
    args.warmup = 1.0 if args.quick else 2.0
    load = "wrk -t1 --latency" if shutil.which("wrk") else (
        "the Python load generator (wrk not installed; Debian: apt-get install wrk)")
    split = ("proxy on core 0; load and upstream on core 1; 2-worker row on cores 0,1"
             if shutil.which("taskset") else "unpinned (taskset not installed)")
    print(f"load: {load}; {args.repeat} x {args.duration:g}s runs (median) after "
          f"{args.warmup:g}s warm-up; "
          f"cores: {split} ({os.cpu_count()} online)\n")

    results: list[Result] = []
    upstream = free_port()
    with tempfile.TemporaryDirectory(prefix="strangler-bench-") as tmp_name, running(
        pinned("1", [PYTHON, str(VARIANTS / "upstream.py"), str(upstream)]), upstream
    ):
        tmp = Path(tmp_name)
        if "direct" in wanted:
            results.append(measure("direct (no proxy)", f"http://127.0.0.1:{upstream}/", args))
        if "nginx" in wanted:
            results.append(row_nginx(upstream, tmp, args))
        if "strangler" in wanted:
            results.append(row_strangler(upstream, 1, tmp, args))
        if "strangler2" in wanted:
            results.append(row_strangler(upstream, 2, tmp, args))
        candidate = free_port()
        with running(pinned("1", [PYTHON, str(VARIANTS / "upstream.py"), str(candidate)]),
                     candidate):
            for name, label, route_upstream, stage in (
                    ("shadow", "strangler, shadow on", "cand", SHADOW_STAGE),
                    ("canary", "strangler, canary 50%", "cand", CANARY_STAGE)):
                if name not in wanted:
                    continue
                text = STAGE_TOML.format(upstream=upstream, candidate=candidate, name=name,
                                         route_upstream=route_upstream, stage=stage, tmp=tmp)
                results.append(row_strangler(upstream, 1, tmp, args, label=label,
                                             routes_text=text))
        ab_lines = [run_nginx_ab(upstream, tmp, args)] if "nginx-ab" in wanted else []
        if "shadow-ab" in wanted and args.paced_rate > 0:
            ab_lines.append(run_shadow_ab(upstream, tmp, args))
        if "export" in wanted:
            results.append(row_nginx_exported(upstream, tmp, args))
        for module, label, http in (
                ("const_app", UVICORN_CEILING, "httptools"),
                # the same constant app on strangler's own server protocol (ASGI path)
                ("const_app", "our protocol, constant", "strangler_proxy.server:HttpServerProtocol"),
                ("pool_app", "uvicorn + http1 pool", "httptools"),
                ("aiohttp_app", "uvicorn + aiohttp", "httptools"),
                ("httpx_app", "uvicorn + httpx (default)", "httptools")):
            if "variants" not in wanted:
                break
            results.append(row_variant(module, label, upstream, args, http))
        for r in results:
            if r.rps is None:
                print(f"  {r.name:<26} {r.note}")
    report(results, args.connections)
    for line in ab_lines:
        print("\n" + line)


if __name__ == "__main__":
    main()
