#!/usr/bin/env python
"""The catalog service's management entry: ``python extracted/catalog/manage.py <command>``."""

import os
import sys
from pathlib import Path


def main() -> None:
    # Run from anywhere: the repository root holds the ``extracted`` package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extracted.catalog.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
