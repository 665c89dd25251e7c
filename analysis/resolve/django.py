"""Django's own names: apps and their labels, models, and model references by string.

Apps come from INSTALLED_APPS entries that are analysed packages (or AppConfig paths),
from AppConfig classes, and from any package holding a ``models`` module. A class is a
model when a base resolves to an external ``...Model`` (``django.db.models.Model`` and
friends) or to another model of the analysed code, to a fixed point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.facts import FileFacts, SettingsFact
from analysis.records import AppRecord
from analysis.resolve.names import NameIndex, Target

USER_MODEL = "get_user_model()"
_DJANGO_MODEL = "django.db.models.base:Model"
# Abstract models of django.contrib.auth that user models commonly extend.
_EXTERNAL_MODEL_BASES = {"AbstractUser", "AbstractBaseUser", "PermissionsMixin"}


@dataclass
class DjangoIndex:
    apps: dict[str, AppRecord] = field(default_factory=dict)  # package -> app
    app_configs: set[str] = field(default_factory=set)  # AppConfig subclass ids
    models: dict[str, str] = field(default_factory=dict)  # symbol id -> "label.Name"
    by_label: dict[tuple[str, str], str] = field(default_factory=dict)  # (label, Name) -> id
    abstract: set[str] = field(default_factory=set)
    settings: list[tuple[str, SettingsFact]] = field(default_factory=list)
    auth_user_model: str = ""
    root_urlconf: str = ""

    def app_of(self, module: str, root: str) -> str:
        """The app label owning ``module``; otherwise its top package under the root."""
        parts = module.split(".")
        for size in range(len(parts), 0, -1):
            app = self.apps.get(".".join(parts[:size]))
            if app is not None:
                return app.label
        if root and parts[0] == root:
            return root
        return parts[0]

    def model_by_label(self, text: str, from_app: str) -> str | None:
        label, _, name = text.rpartition(".")
        return self.by_label.get((label or from_app, name))


def build_django_index(facts: dict[str, FileFacts], names: NameIndex, root: str) -> DjangoIndex:
    index = DjangoIndex()
    _collect_settings(index, facts)
    _collect_apps(index, facts, names)
    _collect_models(index, facts, names, root)
    return index


def _collect_settings(index: DjangoIndex, facts: dict[str, FileFacts]) -> None:
    for module in sorted(facts):
        for fact in facts[module].settings:
            index.settings.append((module, fact))
            index.auth_user_model = index.auth_user_model or fact.auth_user_model
            index.root_urlconf = index.root_urlconf or fact.root_urlconf


def _app_configs(facts: dict[str, FileFacts], names: NameIndex) -> dict[str, dict[str, str]]:
    """AppConfig subclasses, also through bases of the analysed code (``OscarConfig``):
    "module:Class" -> {"name": ..., "label": ...}."""
    classes = [
        (module, symbol)
        for module, file_facts in facts.items()
        for symbol in file_facts.symbols
        if symbol.kind == "class" and symbol.bases
    ]
    configs: set[str] = set()
    changed = True
    while changed:  # fixed point, like models
        changed = False
        for module, symbol in classes:
            node = f"{module}:{symbol.name}"
            if node in configs:
                continue
            for base in symbol.bases:
                target = names.resolve(module, base)
                external = target is None or target.kind == "external"
                if (external and base.rpartition(".")[2] == "AppConfig") or (
                    target is not None and target.node_id in configs
                ):
                    configs.add(node)
                    changed = True
                    break
    found: dict[str, dict[str, str]] = {}
    for module, file_facts in facts.items():
        for body in file_facts.class_bodies:
            node = f"{module}:{body.cls}"
            if node in configs and body.attr in {"name", "label"} and not body.in_meta:
                found.setdefault(node, {})[body.attr] = body.value
    return found


def _collect_apps(index: DjangoIndex, facts: dict[str, FileFacts], names: NameIndex) -> None:
    configs = _app_configs(facts, names)
    index.app_configs.update(configs)
    installed: set[str] = set()
    for _, settings in index.settings:
        installed.update(settings.apps)
    by_name = {values["name"]: values for values in configs.values() if "name" in values}
    for config_id, values in configs.items():
        package = values.get("name")
        if package is None or package not in names.modules:
            continue
        label = values.get("label") or package.rpartition(".")[2]
        dotted = config_id.replace(":", ".")
        record = AppRecord(label, package, package in installed or dotted in installed)
        known = index.apps.get(package)
        # Several configs may name one package; the installed one gives the label.
        if known is None or (record.installed and not known.installed):
            index.apps[package] = record
    # Sorted, here and below: set order changes with the hash seed, and it decides which
    # of two nested packages becomes an app and the order of apps sharing a label.
    for entry in sorted(installed):
        if entry in names.modules and entry not in index.apps:
            label = by_name.get(entry, {}).get("label") or entry.rpartition(".")[2]
            index.apps[entry] = AppRecord(label, entry, True)
    # Outer packages first: a package with models inside an app is part of that app.
    for module in sorted(names.modules, key=lambda name: (name.count("."), name)):
        package, _, last = module.rpartition(".")
        if last == "models" and package and package not in index.apps:
            if not any(package.startswith(f"{app}.") for app in index.apps):
                index.apps[package] = AppRecord(package.rpartition(".")[2], package, False)


def is_model_base(target: Target | None, models: set[str] | dict[str, str]) -> bool:
    if target is None:
        return False
    if target.kind == "external":
        name = target.module.rpartition(".")[2]
        return name.endswith("Model") or name in _EXTERNAL_MODEL_BASES
    if target.kind != "symbol":
        return False
    node = f"{target.module}:{target.name}"
    return node in models or node == _DJANGO_MODEL  # analysing Django itself


def _collect_models(
    index: DjangoIndex, facts: dict[str, FileFacts], names: NameIndex, root: str
) -> None:
    classes = [
        (module, symbol)
        for module, file_facts in facts.items()
        for symbol in file_facts.symbols
        if symbol.kind == "class" and symbol.bases
    ]
    models: set[str] = set()
    changed = True
    while changed:  # fixed point: models inheriting from models of the analysed code
        changed = False
        for module, symbol in classes:
            node = f"{module}:{symbol.name}"
            if node in models:
                continue
            if any(is_model_base(names.resolve(module, base), models) for base in symbol.bases):
                models.add(node)
                changed = True
    meta: dict[str, dict[str, str]] = {}
    for module, file_facts in facts.items():
        for body in file_facts.class_bodies:
            if body.in_meta and body.literal:
                meta.setdefault(f"{module}:{body.cls}", {})[body.attr] = body.value
    for node in sorted(models):
        module, _, name = node.partition(":")
        flags = meta.get(node, {})
        label = flags.get("app_label") or index.app_of(module, root)
        index.models[node] = f"{label}.{name}"
        if flags.get("abstract") == "True":
            index.abstract.add(node)
        index.by_label.setdefault((label, name), node)
