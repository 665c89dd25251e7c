"""The project files around the copied code: settings, URLconf, entry points, app config."""

from __future__ import annotations

from analysis.codemods.urlscan import PathRoute, RouterRoute

SETTINGS = '''"""Settings of the {name} service (from `strangler extract`): the environment.

| variable             | default                                               |
|----------------------|-------------------------------------------------------|
| DJANGO_SECRET_KEY    | required, except with DJANGO_DEMO=1 or check/makemigrations |
| DJANGO_DEMO          | off; ``1`` allows a fixed development key             |
| DJANGO_DEBUG         | off                                                   |
| DJANGO_ALLOWED_HOSTS | ``127.0.0.1,localhost,testserver``                    |
| DATABASE_URL         | SQLite file ``{name}.sqlite3`` next to manage.py (its own database) |
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
_TRUE = {{"1", "true", "yes", "on"}}

DEMO = os.environ.get("DJANGO_DEMO", "").strip().lower() in _TRUE
# check/makemigrations never sign or serve anything: a fresh checkout may run them keyless.
KEYLESS_COMMAND = sys.argv[1:2] in (["check"], ["makemigrations"])
DEBUG = os.environ.get("DJANGO_DEBUG", "").strip().lower() in _TRUE

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEMO or KEYLESS_COMMAND):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Export a long random value, "
            "or set DJANGO_DEMO=1 to run locally with a fixed development key."
        )
    SECRET_KEY = "django-insecure-{name}-development-key-never-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "{name}",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        }},
    }},
]

DATABASES = {{
    "default": dj_database_url.config(
        default=f"sqlite:///{{BASE_DIR / '{name}.sqlite3'}}", conn_max_age=60
    )
}}
{auth_user_model}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
'''

MANAGE = '''#!/usr/bin/env python
"""Management entry of the {name} service: ``python manage.py <command>`` from any directory."""

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
'''

ASGI = '''"""ASGI entry of the {name} service: ``uvicorn config.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()
'''

APPS = '''from django.apps import AppConfig


class {camel}Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "{name}"
    label = "{name}"
    verbose_name = "{title}"
'''


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def settings_py(name: str, user_model: str | None) -> str:
    auth = f'\nAUTH_USER_MODEL = "{name}.{user_model}"\n' if user_model else ""
    return SETTINGS.format(name=name, auth_user_model=auth)


def apps_py(name: str) -> str:
    return APPS.format(name=name, camel=camel(name), title=name.replace("_", " ").capitalize())


def urls_py(name: str, routers: list[RouterRoute], paths: list[PathRoute],
            homes: dict[str, str], unrouted: list[str]) -> str:
    """The URLconf: one DefaultRouter per monolith prefix, plain routes kept whole.

    ``homes`` maps a view's symbol id to the app module holding it (``apis``...).
    """
    modules = sorted({homes[r.view] for r in routers} | {homes[p.view] for p in paths})
    lines = [f'"""URL map of the {name} service: the monolith\'s own paths for the views it '
             'took."""', "", "from django.contrib import admin",
             "from django.urls import include, path" + (", re_path" if any(
                 p.regex for p in paths) else "")]
    if routers:
        lines.append("from rest_framework.routers import DefaultRouter")
    lines += ["", f"from {name} import {', '.join(modules)}" if modules else ""]
    prefixes = list(dict.fromkeys(r.prefix for r in routers))
    for index, prefix in enumerate(prefixes):
        lines += ["", f"router_{index} = DefaultRouter()  # /{prefix}"]
        for route in (r for r in routers if r.prefix == prefix):
            basename = f', basename="{route.basename}"' if route.basename else ""
            view = route.view.partition(":")[2]
            lines.append(f'router_{index}.register("{route.register}", '
                         f"{homes[route.view]}.{view}{basename})")
    if unrouted:
        lines += ["", "# Not routed in the monolith (no URL to keep): " + ", ".join(unrouted)]
    lines += ["", "urlpatterns = ["]
    for index, prefix in enumerate(prefixes):
        lines.append(f'    path("{prefix}", include(router_{index}.urls)),')
    for plain in paths:
        view = f"{homes[plain.view]}.{plain.view.partition(':')[2]}"
        view += ".as_view()" if plain.as_view else ""
        name_arg = f', name="{plain.name}"' if plain.name else ""
        func = "re_path" if plain.regex else "path"
        lines.append(f"    {func}({_quote(plain.route)}, {view}{name_arg}),")
    lines += ['    path("admin/", admin.site.urls),', "]"]
    return "\n".join(lines).replace("\n\n\n\n", "\n\n\n") + "\n"
