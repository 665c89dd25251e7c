"""Settings of the catalog service. Everything comes from the environment.

| variable                 | default                                         |
|--------------------------|-------------------------------------------------|
| DJANGO_SECRET_KEY        | required, except for the demo/tests             |
| DJANGO_DEMO              | off; ``1`` allows fixed development keys        |
| DJANGO_DEBUG             | off                                             |
| DJANGO_ALLOWED_HOSTS     | ``127.0.0.1,localhost,testserver``              |
| DATABASE_URL             | SQLite file ``var/catalog.sqlite3``             |
| STRANGLER_IDENTITY_KEYS  | ``kid:secret,...`` verifying X-Strangler-Identity (demo: fixed) |
| CATALOG_MONOLITH_URL     | ``http://127.0.0.1:8000`` (backfill and sync)   |
| CATALOG_OUTBOX_TOKEN     | bearer token for the monolith's ``/api/outbox/`` |
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

REPO_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = REPO_DIR / "var"
_TRUE = {"1", "true", "yes", "on"}

# The test settings module imports this one: its relaxed secrets must apply before the checks.
TESTING = os.environ.get("DJANGO_SETTINGS_MODULE") == "extracted.catalog.settings.test"
DEMO = os.environ.get("DJANGO_DEMO", "").strip().lower() in _TRUE
# `check`/`makemigrations` never sign or serve anything: a fresh clone may run them keyless.
KEYLESS_COMMAND = sys.argv[1:2] in (["check"], ["makemigrations"])
DEBUG = os.environ.get("DJANGO_DEBUG", "").strip().lower() in _TRUE

DEMO_SECRET_KEY = "django-insecure-catalog-demo-key-never-use-in-production-0123456789"
# The same development keyring as strangler_proxy.identity.DEMO_KEYS (demo and tests only).
DEMO_IDENTITY_KEYS = "demo:strangler-demo-identity-key-never-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "rest_framework",
    "extracted.catalog.titles",
    "extracted.catalog.sync",
]

# The monolith's stack minus sessions/CSRF/messages: callers are identified by a signed header.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "extracted.catalog.urls"
ASGI_APPLICATION = "extracted.catalog.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "extracted.catalog.common.authentication.SignedIdentityAuthentication",
    ],
    # As in the monolith: authenticated by default (the router's API root answers 401 to
    # anonymous callers there too); the catalog viewsets open reads with IsStaffOrReadOnly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "extracted.catalog.common.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

CATALOG_MONOLITH_URL = os.environ.get("CATALOG_MONOLITH_URL", "http://127.0.0.1:8000")
CATALOG_OUTBOX_TOKEN = os.environ.get("CATALOG_OUTBOX_TOKEN", "")


def configure(namespace: dict, *, testing: bool) -> None:
    """Fill the secrets and the database once ``TESTING`` is known (base and test share it)."""
    relaxed = testing or DEMO or KEYLESS_COMMAND
    secret = os.environ.get("DJANGO_SECRET_KEY", "")
    if not secret and not relaxed:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Export a long random value, or set DJANGO_DEMO=1 "
            "to run the local demo with a fixed development key."
        )
    namespace["SECRET_KEY"] = secret or DEMO_SECRET_KEY
    keys = os.environ.get("STRANGLER_IDENTITY_KEYS", "")
    if not keys and not relaxed:
        raise ImproperlyConfigured(
            "STRANGLER_IDENTITY_KEYS is not set. Give the proxy's identity keys as "
            "'kid:secret[,kid:secret]', or set DJANGO_DEMO=1 for the development key."
        )
    namespace["IDENTITY_KEYS"] = keys or DEMO_IDENTITY_KEYS
    if os.environ.get("DATABASE_URL"):
        namespace["DATABASES"] = {"default": dj_database_url.config(conn_max_age=60)}
    else:
        if not testing:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
        namespace["DATABASES"] = {
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "catalog.sqlite3"}
        }


configure(globals(), testing=TESTING)
