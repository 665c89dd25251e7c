"""The catalog's transactional outbox: every catalog change is also written as an event row.

The extracted catalog service drains these events (``GET /api/outbox/events/?after=<seq>``) to
stay in step with the monolith while both run; ``/api/outbox/export/<aggregate>/`` serves a
full, keyset-paginated copy for the service's backfill.
"""
