"""strangler: migrate a legacy Django monolith to services, one route at a time.

This package holds only the command-line layer; the work lives in ``analysis``
(reads code) and ``strangler_proxy`` (moves traffic), which never import each other.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
