"""Test settings: fixed keys without environment; the database from DATABASE_URL when given.

``base`` sees ``DJANGO_SETTINGS_MODULE`` naming this module and relaxes the secret checks.
"""

from extracted.catalog.settings.base import *  # noqa: F403

DEBUG = False
