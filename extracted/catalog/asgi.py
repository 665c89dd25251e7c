"""ASGI entry point: ``uvicorn extracted.catalog.asgi:application --port 8001``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extracted.catalog.settings.base")

application = get_asgi_application()
