"""Route-level shadow, compare, redaction, canary and gate settings, parsed from TOML.

The keys (documented in ``docs/shadow-and-canary.md``) live in each ``[[routes]]`` table:
``sticky``, ``sticky_missing``, ``canary_steps``, ``reverse_shadow`` and the sub-tables
``shadow``, ``compare``, ``redact``, ``canary``, ``gates`` (with ``gates.auto_rollback``);
and in ``[state]``: example and queue limits. Parsers return ``(value, errors)``: every
error names its key path, and the value falls back to the default for a bad key so all
errors are found in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from strangler_proxy.canary import MISSING_RULES, CanaryConfig, parse_sticky
from strangler_proxy.compare.rules import DEFAULT_HEADERS, CompareRules
from strangler_proxy.diffstore import DEFAULT_MAX_EXAMPLE_BYTES, DEFAULT_MAX_EXAMPLES
from strangler_proxy.gates import AutoRollback, Gates
from strangler_proxy.policy_reader import PolicyError, TableReader
from strangler_proxy.redact import RedactRules
from strangler_proxy.shadow_queue import DEFAULT_QUEUE_SIZE, DEFAULT_WORKERS, SAFE_METHODS
from strangler_proxy.stages import DEFAULT_CANARY_STEPS, validate_steps

T = TypeVar("T")
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_SHADOW_TIMEOUT_S = 2.0
ShadowVerdict = Literal["shadow", "method", "sampled_out", "too_large"]
_ALL_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ShadowPolicy:
    sample_rate: float = 1.0
    methods: frozenset[str] = SAFE_METHODS
    unsafe_methods: bool = False  # opt-in for a candidate with its own database
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    timeout: float = DEFAULT_SHADOW_TIMEOUT_S
    learn_noise: bool = False
    noise_sample_rate: float = 0.1  # share of shadowed requests asked twice of the primary


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutePolicy:
    shadow: ShadowPolicy = field(default_factory=ShadowPolicy)
    compare: CompareRules = field(default_factory=CompareRules)
    redact: RedactRules = field(default_factory=RedactRules)
    canary: CanaryConfig = field(default_factory=CanaryConfig)
    canary_steps: tuple[int, ...] = DEFAULT_CANARY_STEPS
    reverse_shadow: bool = False
    gates: Gates = field(default_factory=Gates)
    auto_rollback: AutoRollback = field(default_factory=AutoRollback)


@dataclass(frozen=True, slots=True, kw_only=True)
class StateOptions:
    examples_per_route: int = DEFAULT_MAX_EXAMPLES
    example_max_bytes: int = DEFAULT_MAX_EXAMPLE_BYTES
    shadow_queue_size: int = DEFAULT_QUEUE_SIZE
    shadow_workers: int = DEFAULT_WORKERS


def should_shadow(policy: ShadowPolicy, method: str, body_bytes: int | None,
                  draw: float) -> ShadowVerdict:
    """Whether to copy this request; ``draw`` is uniform in [0, 1) from the caller's RNG.

    ``body_bytes`` is the request's Content-Length (None when unknown: streamed bodies
    are then limited by the tap instead).
    """
    method = method.upper()
    if method not in policy.methods or (method not in SAFE_METHODS and not policy.unsafe_methods):
        return "method"
    if body_bytes is not None and body_bytes > policy.max_body_bytes:
        return "too_large"
    if draw >= policy.sample_rate:
        return "sampled_out"
    return "shadow"


_ROUTE_KEYS = ("sticky", "sticky_missing", "canary_steps", "reverse_shadow", "shadow",
               "compare", "redact", "canary", "gates")


def parse_route_policy(route: Mapping[str, Any], prefix: str = "routes[0]"
                       ) -> tuple[RoutePolicy, list[PolicyError]]:
    """Read this module's keys from one ``[[routes]]`` table (other keys are left alone)."""
    errors: list[PolicyError] = []
    top = TableReader(route, prefix, errors)
    canary = _canary(top)
    steps = top.integers("canary_steps", DEFAULT_CANARY_STEPS)
    for problem in validate_steps(steps):
        top.error("canary_steps", problem)
        steps = DEFAULT_CANARY_STEPS
    shadow, compare_rules, redact, gates, auto = (ShadowPolicy(), CompareRules(), RedactRules(),
                                                  Gates(), AutoRollback())
    if (sub := top.sub("shadow")) is not None:
        shadow = _shadow(sub)
    if (sub := top.sub("compare")) is not None:
        compare_rules = _compare(sub)
    if (sub := top.sub("redact")) is not None:
        sub.only({"headers", "fields", "query"})
        names = sub.strings("headers"), sub.strings("fields"), sub.strings("query")
        redact = _safe_build(sub, "fields", lambda: RedactRules.build(
            headers=names[0], fields=names[1], query=names[2]), RedactRules())
    if (sub := top.sub("gates")) is not None:
        gates, auto = _gates(sub)
    policy = RoutePolicy(shadow=shadow, compare=compare_rules, redact=redact, canary=canary,
                         canary_steps=steps,
                         reverse_shadow=top.boolean("reverse_shadow", False),
                         gates=gates, auto_rollback=auto)
    return policy, errors


def parse_state_options(table: Mapping[str, Any], prefix: str = "state"
                        ) -> tuple[StateOptions, list[PolicyError]]:
    """Read this module's keys from ``[state]`` (``store`` belongs to the loader)."""
    errors: list[PolicyError] = []
    r = TableReader(table, prefix, errors)
    options = StateOptions(
        examples_per_route=r.integer("examples_per_route", DEFAULT_MAX_EXAMPLES, low=0,
                                     high=10_000),
        example_max_bytes=r.integer("example_max_bytes", DEFAULT_MAX_EXAMPLE_BYTES, low=1024,
                                    high=10_485_760),
        shadow_queue_size=r.integer("shadow_queue_size", DEFAULT_QUEUE_SIZE, low=1,
                                    high=1_000_000),
        shadow_workers=r.integer("shadow_workers", DEFAULT_WORKERS, low=1, high=256))
    return options, errors


def _canary(top: TableReader) -> CanaryConfig:
    config = CanaryConfig()
    sticky = config.sticky
    if "sticky" in top.table:
        raw = top.text("sticky", str(sticky))
        try:
            sticky = parse_sticky(raw)
        except ValueError as exc:
            top.error("sticky", str(exc))
    missing = top.text("sticky_missing", config.missing, choices=MISSING_RULES)
    sub = top.sub("canary")
    if sub is None:
        return CanaryConfig(sticky=sticky, missing=missing)  # type: ignore[arg-type]
    sub.only({"allow_override", "override_header", "override_cookie"})
    return CanaryConfig(
        sticky=sticky, missing=missing,  # type: ignore[arg-type]
        allow_override=sub.boolean("allow_override", config.allow_override),
        override_header=sub.text("override_header", config.override_header).lower(),
        override_cookie=sub.text("override_cookie", config.override_cookie))


def _shadow(r: TableReader) -> ShadowPolicy:
    r.only({"sample_rate", "methods", "unsafe_methods", "max_body_bytes", "timeout",
            "learn_noise", "noise_sample_rate"})
    unsafe = r.boolean("unsafe_methods", False)
    methods = frozenset(m.upper() for m in r.strings("methods", tuple(sorted(SAFE_METHODS))))
    if unknown := sorted(methods - _ALL_METHODS):
        r.error("methods", f"unknown method(s) {', '.join(unknown)}")
    elif (unsafe_listed := sorted(methods - SAFE_METHODS)) and not unsafe:
        r.error("methods", f"{', '.join(unsafe_listed)} would change data twice; set "
                           "unsafe_methods = true only if the candidate has its own database")
    return ShadowPolicy(
        sample_rate=r.number("sample_rate", 1.0, low=0.0, high=1.0),
        methods=methods, unsafe_methods=unsafe,
        max_body_bytes=r.integer("max_body_bytes", DEFAULT_MAX_BODY_BYTES, low=0),
        timeout=r.number("timeout", DEFAULT_SHADOW_TIMEOUT_S, low=0.001, high=300.0),
        learn_noise=r.boolean("learn_noise", False),
        noise_sample_rate=r.number("noise_sample_rate", 0.1, low=0.0, high=1.0))


def _compare(r: TableReader) -> CompareRules:
    r.only({"ignore", "unordered", "abs_tolerance", "rel_tolerance", "headers", "status",
            "builtin_normalizers", "max_differences"})
    ignore, unordered = r.strings("ignore"), r.strings("unordered")
    options: dict[str, Any] = {
        "abs_tolerance": r.number("abs_tolerance", 0.0, low=0.0),
        "rel_tolerance": r.number("rel_tolerance", 0.0, low=0.0, high=1.0),
        "compare_status": r.boolean("status", True),
        "builtin_normalizers": r.boolean("builtin_normalizers", True),
        "max_differences": r.integer("max_differences", 50, low=1, high=10_000),
    }
    headers = r.strings("headers", DEFAULT_HEADERS)
    return _safe_build(r, "ignore", lambda: CompareRules.build(
        ignore=ignore, unordered=unordered, headers=headers, **options), CompareRules())


def _gates(r: TableReader) -> tuple[Gates, AutoRollback]:
    r.only({"min_compared", "min_match_rate", "max_candidate_error_rate", "max_p99_ratio",
            "auto_rollback"})
    base = Gates()
    gates = Gates(
        min_compared=r.integer("min_compared", base.min_compared),
        min_match_rate=r.number("min_match_rate", base.min_match_rate, low=0.0, high=1.0),
        max_candidate_error_rate=r.number("max_candidate_error_rate",
                                          base.max_candidate_error_rate, low=0.0, high=1.0),
        max_p99_ratio=r.number("max_p99_ratio", base.max_p99_ratio, low=0.0))
    auto = AutoRollback()
    if (sub := r.sub("auto_rollback")) is not None:
        sub.only({"enabled", "error_budget", "window_seconds", "min_requests"})
        auto = AutoRollback(
            enabled=sub.boolean("enabled", True),
            error_budget=sub.number("error_budget", auto.error_budget, low=0.0, high=1.0),
            window_seconds=sub.number("window_seconds", auto.window_seconds, low=1.0,
                                      high=86_400.0),
            min_requests=sub.integer("min_requests", auto.min_requests, low=1))
    return gates, auto


def _safe_build(r: TableReader, key: str, build: Callable[[], T], fallback: T) -> T:
    # the only failure left at this point is a path glob that does not parse
    try:
        return build()
    except ValueError as exc:
        r.error(key, str(exc))
        return fallback
