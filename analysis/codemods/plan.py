"""Read one service of a plan (the analysis JSON contract's ``services`` list)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.codemods.errors import PlanError

_SERVICE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True, kw_only=True)
class ServicePlan:
    """What the codemods need of one planned service."""

    name: str
    members: tuple[str, ...]  # "pkg.mod:Name" symbol ids, or "pkg.mod" module ids
    models: tuple[str, ...] = ()  # "label.Model" as Django names them
    url_prefixes: tuple[str, ...] = ()


def _strings(entry: dict, key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlanError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def load_service_plan(path: Path, service: str) -> ServicePlan:
    """The service named ``service`` in the plan at ``path``.

    >>> load_service_plan(Path("plan.json"), "catalog").members[:1]  # doctest: +SKIP
    ('monolith.core.models:Genre',)
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(f"{path}: not valid JSON ({exc}); write it with `strangler plan "
                        "--format json --out plan.json`") from None
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, list) or not all(isinstance(s, dict) for s in services):
        raise PlanError(f"{path}: no 'services' list of objects (the analysis JSON contract)")
    names = tuple(sorted(str(s.get("name")) for s in services))
    for index, entry in enumerate(services):
        if entry.get("name") != service:
            continue
        where = f"{path}: services[{index}] ({service})"
        if not _SERVICE_NAME.match(service):
            raise PlanError(f"{where}: the name must be a Python identifier in lower case "
                            "(it becomes the app package)", services=names)
        members = _strings(entry, "members", where)
        if not members:
            raise PlanError(f"{where}: 'members' is empty; nothing to extract", services=names)
        return ServicePlan(
            name=service,
            members=members,
            models=_strings(entry, "models", where),
            url_prefixes=_strings(entry, "url_prefixes", where),
        )
    listed = ", ".join(names) if names else "none"
    raise PlanError(f"{path}: no service named {service!r}; the plan has: {listed}",
                    services=names)
