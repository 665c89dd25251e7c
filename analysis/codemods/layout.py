"""Where a copied symbol goes in the new app: the HackSoftware styleguide layout by kind.

models -> ``models.py``, serializers -> ``serializers.py``, views and viewsets -> ``apis.py``,
business operations -> ``services.py``, reads -> ``selectors.py``, admin classes ->
``admin.py``, management commands -> ``management/commands/<name>.py``, the rest ->
``utils.py``. AppConfig classes are not copied: the scaffold writes its own ``apps.py``.
"""

from __future__ import annotations

import libcst as cst

from analysis.codemods.sources import SourceModule, Symbol, dotted

_VIEW_MODULES = {"views", "apis", "api", "pages", "viewsets"}
_BY_MODULE = {
    "models": "models.py",
    "serializers": "serializers.py",
    "services": "services.py",
    "selectors": "selectors.py",
    "admin": "admin.py",
}
# Copied in this order, so a module may import those before it without cycles.
TARGET_ORDER = ("utils.py", "models.py", "selectors.py", "services.py", "serializers.py",
                "apis.py", "admin.py")


def _bases(node: Symbol) -> list[str]:
    if not isinstance(node, cst.ClassDef):
        return []
    return [dotted(arg.value) or "" for arg in node.bases]


def is_app_config(node: Symbol) -> bool:
    return any(base.rpartition(".")[2] == "AppConfig" for base in _bases(node))


def is_model(source: SourceModule, node: Symbol) -> bool:
    """A Django model class: in a ``models`` module, or derived from ``...Model``."""
    if not isinstance(node, cst.ClassDef):
        return False
    last = [b.rpartition(".")[2] for b in _bases(node)]
    if any(b == "Model" or b.startswith("Abstract") for b in last):
        return True
    in_models = source.module_id.rpartition(".")[2] == "models"
    return in_models and not any(b.endswith(("Manager", "QuerySet", "Choices")) for b in last)


def target_for(source: SourceModule, node: Symbol) -> str | None:
    """The file (relative to the app package) that receives ``node``; None: not copied."""
    if is_app_config(node):
        return None
    module_id = source.module_id
    if ".management.commands." in module_id:
        return f"management/commands/{module_id.rpartition('.')[2]}.py"
    if is_model(source, node):
        return "models.py"
    last_part = module_id.rpartition(".")[2]
    bases = [b.rpartition(".")[2] for b in _bases(node)]
    if last_part in _VIEW_MODULES or any("View" in b for b in bases):
        return "apis.py"
    if last_part == "serializers" or any(b.endswith(("Serializer", "Field")) for b in bases):
        return "serializers.py"
    return _BY_MODULE.get(last_part, "utils.py")


def app_label_of(source: SourceModule) -> str:
    """The Django app label owning ``source``: ``label`` in the app's apps.py, else its name."""
    package_dir = source.path.parent
    apps = package_dir / "apps.py"
    if apps.is_file():
        try:
            tree = cst.parse_module(apps.read_bytes())
        except cst.ParserSyntaxError:
            tree = None
        for statement in tree.body if tree is not None else []:
            if not isinstance(statement, cst.ClassDef):
                continue
            for line in statement.body.body:
                small = line.body[0] if isinstance(line, cst.SimpleStatementLine) else None
                if (isinstance(small, cst.Assign) and dotted(small.targets[0].target) == "label"
                        and isinstance(small.value, cst.SimpleString)):
                    value = small.value.evaluated_value
                    if isinstance(value, str):
                        return value
    return package_dir.name
