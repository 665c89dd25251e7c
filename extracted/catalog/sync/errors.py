"""The sync app's one exception tree (turned into exit codes by the management commands)::

    SyncError
    ├── SourceUnavailable   the monolith did not answer (after retries): rerun, nothing lost
    ├── SourceRejected      the monolith refused us (401/403): check CATALOG_OUTBOX_TOKEN
    └── BadEvent            an event or row the service cannot apply: names its sequence/id
"""


class SyncError(Exception):
    """Base of the sync app's errors."""


class SourceUnavailable(SyncError):
    pass


class SourceRejected(SyncError):
    pass


class BadEvent(SyncError):
    pass
