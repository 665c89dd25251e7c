"""Structural checks of HTTPRoute objects, written from the published v1 CRD's schema.

No PyPI package ships the Gateway API CRDs, so the constraints the exporter can meet or
break are restated here: allowed keys at every level (the API server rejects unknown
fields), enums, lengths, item limits, and the CEL rules on filters. ``problems(doc)``
returns every violation, empty when the object is valid.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["problems"]

_DNS_LABELS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_HOSTNAME = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$")
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
_FILTER_FIELDS = {"RequestHeaderModifier": "requestHeaderModifier",
                  "ResponseHeaderModifier": "responseHeaderModifier",
                  "RequestMirror": "requestMirror", "RequestRedirect": "requestRedirect",
                  "URLRewrite": "urlRewrite", "ExtensionRef": "extensionRef"}


class _Check:
    def __init__(self) -> None:
        self.found: list[str] = []

    def keys(self, where: str, value: Any, allowed: set[str],
             required: frozenset[str] | set[str] = frozenset()) -> bool:
        if not isinstance(value, dict):
            self.found.append(f"{where}: expected an object")
            return False
        for key in sorted(set(value) - allowed):
            self.found.append(f"{where}.{key}: unknown field")
        for key in sorted(required - set(value)):
            self.found.append(f"{where}.{key}: required")
        return True

    def items(self, where: str, value: Any, most: int) -> list[Any]:
        if not isinstance(value, list):
            self.found.append(f"{where}: expected a list")
            return []
        if len(value) > most:
            self.found.append(f"{where}: {len(value)} items, at most {most}")
        return value

    def text(self, where: str, value: Any, most: int, pattern: re.Pattern[str] | None = None
             ) -> None:
        if not isinstance(value, str) or not 1 <= len(value) <= most:
            self.found.append(f"{where}: expected a string of 1-{most} characters")
        elif pattern is not None and not pattern.match(value):
            self.found.append(f"{where}: {value!r} does not match {pattern.pattern}")


def problems(doc: Any) -> list[str]:
    check = _Check()
    if not check.keys("", doc, {"apiVersion", "kind", "metadata", "spec"},
                      {"apiVersion", "kind", "metadata", "spec"}):
        return check.found
    if doc["apiVersion"] != "gateway.networking.k8s.io/v1" or doc["kind"] != "HTTPRoute":
        check.found.append("not a gateway.networking.k8s.io/v1 HTTPRoute")
    meta = doc["metadata"]
    if check.keys("metadata", meta, {"name", "namespace", "labels"}, {"name"}):
        check.text("metadata.name", meta["name"], 253, _DNS_LABELS)
        if "namespace" in meta:
            check.text("metadata.namespace", meta["namespace"], 63, _DNS_LABELS)
    spec = doc["spec"]
    if not check.keys("spec", spec, {"parentRefs", "hostnames", "rules"}):
        return check.found
    for i, ref in enumerate(check.items("spec.parentRefs", spec.get("parentRefs", []), 32)):
        if check.keys(f"spec.parentRefs[{i}]", ref, {"group", "kind", "namespace", "name",
                                                     "sectionName", "port"}, {"name"}):
            check.text(f"spec.parentRefs[{i}].name", ref["name"], 253)
    for i, host in enumerate(check.items("spec.hostnames", spec.get("hostnames", []), 16)):
        check.text(f"spec.hostnames[{i}]", host, 253, _HOSTNAME)
    for i, rule in enumerate(check.items("spec.rules", spec.get("rules", []), 16)):
        _rule(check, f"spec.rules[{i}]", rule)
    return check.found


def _rule(check: _Check, where: str, rule: Any) -> None:
    if not check.keys(where, rule, {"name", "matches", "filters", "backendRefs", "timeouts",
                                    "sessionPersistence"}):
        return
    kinds: list[str] = []
    for i, match in enumerate(check.items(f"{where}.matches", rule.get("matches", []), 8)):
        kinds.append(_match(check, f"{where}.matches[{i}]", match))
    filters = check.items(f"{where}.filters", rule.get("filters", []), 16)
    _filters(check, f"{where}.filters", filters, kinds)
    for i, ref in enumerate(check.items(f"{where}.backendRefs", rule.get("backendRefs", []), 16)):
        at = f"{where}.backendRefs[{i}]"
        if check.keys(at, ref, {"group", "kind", "name", "namespace", "port", "weight",
                                "filters"}, {"name", "port"}):
            check.text(f"{at}.name", ref["name"], 253)
            if not isinstance(ref["port"], int) or not 1 <= ref["port"] <= 65535:
                check.found.append(f"{at}.port: 1-65535")
            weight = ref.get("weight", 1)
            if not isinstance(weight, int) or not 0 <= weight <= 1_000_000:
                check.found.append(f"{at}.weight: 0-1000000")
            _filters(check, f"{at}.filters", check.items(f"{at}.filters", ref.get(
                "filters", []), 16), kinds)


def _match(check: _Check, where: str, match: Any) -> str:
    if not check.keys(where, match, {"path", "headers", "queryParams", "method"}):
        return ""
    path = match.get("path", {"type": "PathPrefix", "value": "/"})
    kind = ""
    if check.keys(f"{where}.path", path, {"type", "value"}):
        kind = path.get("type", "PathPrefix")
        value = path.get("value", "/")
        if kind not in ("Exact", "PathPrefix", "RegularExpression"):
            check.found.append(f"{where}.path.type: {kind!r}")
        check.text(f"{where}.path.value", value, 1024)
        if kind in ("Exact", "PathPrefix") and (
                not value.startswith("/") or any(bad in value for bad in (
                    "//", "/./", "/../", "%2f", "%2F", "#")) or value.endswith(("/..", "/."))):
            check.found.append(f"{where}.path.value: not an absolute normalised path")
        if kind == "RegularExpression":
            re.compile(value)
    if "method" in match and match["method"] not in _METHODS:
        check.found.append(f"{where}.method: {match['method']!r}")
    for i, header in enumerate(check.items(f"{where}.headers", match.get("headers", []), 16)):
        at = f"{where}.headers[{i}]"
        if check.keys(at, header, {"type", "name", "value"}, {"name", "value"}):
            if header.get("type", "Exact") not in ("Exact", "RegularExpression"):
                check.found.append(f"{at}.type: {header['type']!r}")
            check.text(f"{at}.name", header["name"], 256, _HEADER_NAME)
            check.text(f"{at}.value", header["value"], 4096)
    return kind


def _filters(check: _Check, where: str, filters: list[Any], kinds: list[str]) -> None:
    types = []
    for i, item in enumerate(filters):
        at = f"{where}[{i}]"
        if not check.keys(at, item, {"type", *_FILTER_FIELDS.values()}, {"type"}):
            continue
        kind = item["type"]
        types.append(kind)
        field = _FILTER_FIELDS.get(kind)
        if field is None:
            check.found.append(f"{at}.type: {kind!r}")
            continue
        others = set(item) - {"type", field}
        if field not in item or others:  # CEL: the field of its type, and only that one
            check.found.append(f"{at}: {kind} needs {field} and nothing else")
        if kind == "RequestMirror" and check.keys(f"{at}.requestMirror", item.get(field),
                                                  {"backendRef", "percent", "fraction"},
                                                  {"backendRef"}):
            ref = item[field]["backendRef"]
            check.keys(f"{at}.requestMirror.backendRef", ref,
                       {"group", "kind", "name", "namespace", "port"}, {"name", "port"})
        if kind == "URLRewrite" and check.keys(f"{at}.urlRewrite", item.get(field),
                                               {"hostname", "path"}):
            path = item[field].get("path", {})
            if check.keys(f"{at}.urlRewrite.path", path,
                          {"type", "replaceFullPath", "replacePrefixMatch"}, {"type"}):
                prefix_only = all(k == "PathPrefix" for k in kinds)
                if path["type"] == "ReplacePrefixMatch" and not prefix_only:
                    check.found.append(f"{at}: ReplacePrefixMatch needs PathPrefix matches only")
    if "URLRewrite" in types and "RequestRedirect" in types:
        check.found.append(f"{where}: URLRewrite and RequestRedirect cannot be combined")
    for kind in set(types) - {"RequestMirror", "ExtensionRef"}:
        if types.count(kind) > 1:
            check.found.append(f"{where}: {kind} may appear once")
