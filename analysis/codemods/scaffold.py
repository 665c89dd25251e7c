"""Build a service scaffold from one plan step: every file's text, and the seams left to cut.

Nothing here touches the disk except reading the source tree; ``output`` writes or diffs.

    >>> scaffold = build_scaffold(Path("monolith"), load_service_plan(plan, "catalog"))
    >>> sorted(scaffold.files)[:3]                       # doctest: +SKIP
    ['catalog/__init__.py', 'catalog/apis.py', 'catalog/apps.py']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from analysis.codemods import templates
from analysis.codemods.copier import Copier
from analysis.codemods.plan import ServicePlan
from analysis.codemods.seams import Seam, render_seams
from analysis.codemods.sources import SourceTree, dotted
from analysis.codemods.urlscan import scan_routes

_KIND_TITLES = {
    "models.py": "models", "serializers.py": "serializers", "apis.py": "API views",
    "services.py": "services", "selectors.py": "selectors",
    "admin.py": "admin", "utils.py": "helpers",
}


@dataclass(frozen=True)
class Scaffold:
    """The files of a new service (path relative to its directory -> text) and its seams."""

    service: str
    files: dict[str, str]
    seams: tuple[Seam, ...]


def _under(route: str, prefixes: tuple[str, ...]) -> bool:
    if not prefixes:
        return True
    path = "/" + route.lstrip("^/")
    return any(path.startswith("/" + p.strip("/") + "/") or path == "/" + p.strip("/")
               for p in prefixes)


def build_scaffold(root: Path, plan: ServicePlan, *, root_urlconf: str | None = None) -> Scaffold:
    """Copy the plan's members out of ``root`` into a new Django + DRF project's files."""
    tree = SourceTree(root)
    copier = Copier(tree, plan)
    placements = copier.select()
    name = plan.name
    files: dict[str, str] = {}
    for target in copier.targets():
        kind = _KIND_TITLES.get(target, "management command")
        header = (f"The {name} service's {kind}, copied from {tree.package} by `strangler "
                  "extract`.")
        files[f"{name}/{target}"] = copier.render(target, header)
        if target.startswith("management/"):
            files.setdefault(f"{name}/management/__init__.py", "")
            files.setdefault(f"{name}/management/commands/__init__.py", "")
    homes = {i: p.target[:-3].replace("/", ".") for i, p in placements.items()}
    routers, paths = scan_routes(tree, root_urlconf)
    routers = [r for r in routers if r.view in placements
               and _under(f"{r.prefix}{r.register}/", plan.url_prefixes)]
    paths = [p for p in paths if p.view in placements and _under(p.route, plan.url_prefixes)]
    routed = {r.view for r in routers} | {p.view for p in paths}
    unrouted = sorted(i.partition(":")[2] for i, p in placements.items()
                      if p.target == "apis.py" and i not in routed and not p.carried)
    files["config/__init__.py"] = ""
    files["config/settings.py"] = templates.settings_py(name, _user_model(copier))
    files["config/urls.py"] = templates.urls_py(name, routers, paths, homes, unrouted)
    files["config/asgi.py"] = templates.ASGI.format(name=name)
    files["manage.py"] = templates.MANAGE.format(name=name)
    files[f"{name}/__init__.py"] = (f'"""The {name} service, extracted from {tree.package} '
                                    'with `strangler extract`; see SEAMS.md."""\n')
    files[f"{name}/apps.py"] = templates.apps_py(name)
    files[f"{name}/migrations/__init__.py"] = ""
    seams = tuple(sorted(set(copier.seams)))
    files["SEAMS.md"] = (f"# Seams left to cut in {name}\n\nPlaces in {tree.package} the "
                         "copied code still depends on (file:line, kind, what to do).\n\n```\n"
                         + render_seams(list(seams)) + "```\n")
    return Scaffold(name, dict(sorted(files.items())), seams)


def _user_model(copier: Copier) -> str | None:
    for symbol_id, placement in copier.placements.items():
        node = placement.node
        if placement.target == "models.py" and isinstance(node, cst.ClassDef) and any(
                (dotted(b.value) or "").rpartition(".")[2] in ("AbstractUser", "AbstractBaseUser")
                for b in node.bases):
            return symbol_id.partition(":")[2]
    return None
