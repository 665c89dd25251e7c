"""The catalog's own data and its ``/api/catalog/`` API."""
