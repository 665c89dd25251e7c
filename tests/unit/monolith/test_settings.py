"""Settings come from the environment; a real run without a secret key refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Import monolith.settings in a fresh interpreter, outside pytest, with exactly ``env``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_", "DATABASE_URL"))
    }
    code = (
        "import json\n"
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS,"
        " 'engine': db['ENGINE'], 'name': str(db['NAME'])}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={
            **clean,
            "PYTHONPATH": str(REPO),
            "DJANGO_SETTINGS_MODULE": "monolith.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_is_a_clear_error(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
    assert "DJANGO_DEMO=1" in result.stderr


def test_demo_defaults_are_safe(tmp_path):
    result = load_settings(
        tmp_path, DJANGO_DEMO="1", DATABASE_URL="sqlite:///" + str(tmp_path / "x.sqlite3")
    )
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout
    assert '"hosts": ["127.0.0.1", "localhost", "testserver"]' in result.stdout


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("postgres://reel:box@127.0.0.1:5432/reelbox", "django.db.backends.postgresql"),
        ("sqlite:///relative.sqlite3", "django.db.backends.sqlite3"),
    ],
)
def test_database_url_selects_the_database(tmp_path, url, engine):
    result = load_settings(
        tmp_path,
        DJANGO_SECRET_KEY="k" * 60,
        DATABASE_URL=url,
        DJANGO_DEBUG="true",
        DJANGO_ALLOWED_HOSTS="reelbox.example, api.reelbox.example",
    )
    assert result.returncode == 0, result.stderr
    assert f'"engine": "{engine}"' in result.stdout
    assert '"debug": true' in result.stdout
    assert '"hosts": ["reelbox.example", "api.reelbox.example"]' in result.stdout


def test_under_pytest_no_environment_is_needed():
    from django.conf import settings

    assert settings.TESTING is True
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.DEBUG is False


def test_manage_py_check_is_clean_on_a_fresh_clone(tmp_path):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_", "DATABASE_URL"))
    }
    result = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "check"],
        cwd=tmp_path,
        env={**clean, "DATABASE_URL": "sqlite:///" + str(tmp_path / "check.sqlite3")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
