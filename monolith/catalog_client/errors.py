"""The catalog client's errors::

    CatalogError
    └── CatalogUnavailable   the catalog service did not answer in time (after retries), or
                             answered something unusable; the message names the request
"""


class CatalogError(Exception):
    """Base of the catalog client's errors."""


class CatalogUnavailable(CatalogError):
    """The catalog could not be read."""
