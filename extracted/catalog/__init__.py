"""The catalog service carved out of Reelbox: titles, genres, seasons, episodes, people.

It serves the monolith's ``/api/catalog/`` contract from its own database, fills it with
``backfill`` and keeps it in step with ``sync`` (see ``docs/extracted-catalog.md``)::

    python extracted/catalog/manage.py migrate
    python extracted/catalog/manage.py backfill --source http://127.0.0.1:8000
    uvicorn extracted.catalog.asgi:application --port 8001
"""
