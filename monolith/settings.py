"""Settings for Reelbox, the legacy monolith. Everything comes from the environment.

| variable               | default                              |
|------------------------|--------------------------------------|
| DJANGO_SECRET_KEY      | required, except for the demo/tests  |
| DJANGO_DEMO            | off; ``1`` allows a fixed dev key    |
| DJANGO_DEBUG           | off; ``1``/``true``/``yes`` turns on |
| DJANGO_ALLOWED_HOSTS   | ``127.0.0.1,localhost,testserver``   |
| DATABASE_URL           | SQLite file ``var/monolith.sqlite3`` |
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

_TRUE = {"1", "true", "yes", "on"}

# Tests need no environment at all. pytest (>= 8.2) exports PYTEST_VERSION for the whole
# session and pytest-django imports these settings inside it; `manage.py test` is the other
# runner. Neither is ever how the site is served, so the shortcuts below (a fixed key, a fast
# password hasher) cannot leak into a real deployment that forgot its secret key.
TESTING = "PYTEST_VERSION" in os.environ or sys.argv[1:2] == ["test"]
DEMO = os.environ.get("DJANGO_DEMO", "").strip().lower() in _TRUE
# `manage.py check` / `makemigrations` never sign or serve anything, so a fresh clone may run
# them without a key (check --deploy then flags the development key, as it should).
KEYLESS_COMMAND = sys.argv[1:2] in (["check"], ["makemigrations"])

DEBUG = os.environ.get("DJANGO_DEBUG", "").strip().lower() in _TRUE

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEMO or TESTING or KEYLESS_COMMAND:
        SECRET_KEY = "django-insecure-reelbox-demo-key-never-use-in-production-0123456789"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Export a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEMO=1 to run the local demo with a fixed development key."
        )

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
    "rest_framework.authtoken",
    "monolith.core",
    "monolith.playback",
    "monolith.ratings",
    "monolith.recommendations",
    "monolith.notifications",
    "monolith.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "monolith.urls"
WSGI_APPLICATION = "monolith.wsgi.application"
ASGI_APPLICATION = "monolith.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if not TESTING:
    # pytest-django uses an in-memory SQLite database; only real runs need var/.
    (VAR_DIR / "staticfiles").mkdir(parents=True, exist_ok=True)

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config(conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "monolith.sqlite3",
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    # PBKDF2 costs ~0.3 s per hash; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# None under tests: WhiteNoise warns about a missing STATIC_ROOT and warnings fail the suite.
STATIC_ROOT = None if TESTING else VAR_DIR / "staticfiles"
# Serve app static files straight from the finders under uvicorn, so the demo needs no
# collectstatic step; a deployment runs collectstatic and sets DJANGO_WHITENOISE_FINDERS=0.
WHITENOISE_USE_FINDERS = os.environ.get("DJANGO_WHITENOISE_FINDERS", "1").strip().lower() in _TRUE

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = "Reelbox <no-reply@reelbox.example>"

REST_FRAMEWORK = {
    # Token first: an anonymous API call then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "monolith.core.utils.StandardPagination",
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

# --------------------------------------------------------------------------- the catalog's extraction
# Each API request is one transaction, so a catalog change and its outbox event (monolith.outbox)
# commit or roll back together.
for _database in DATABASES.values():
    _database.setdefault("ATOMIC_REQUESTS", True)
# Bearer token the extracted catalog service presents to read /api/outbox/ (empty: staff only).
REELBOX_OUTBOX_TOKEN = os.environ.get("REELBOX_OUTBOX_TOKEN", "")
# Where other domains read the catalog (monolith.catalog_client): "orm" (the tables, legacy) or
# "http" (the extracted service at REELBOX_CATALOG_URL). Switching back is one variable.
REELBOX_CATALOG_BACKEND = os.environ.get("REELBOX_CATALOG_BACKEND", "orm").strip().lower()
REELBOX_CATALOG_URL = os.environ.get("REELBOX_CATALOG_URL", "http://127.0.0.1:8001")
REELBOX_CATALOG_TIMEOUT = float(os.environ.get("REELBOX_CATALOG_TIMEOUT", "2.0"))
