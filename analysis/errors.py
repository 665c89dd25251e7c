"""Errors of the analysis package.

    AnalysisError                 anything the caller should turn into a message
     └── InvalidRootError         the path to analyse is missing or not a directory

Unparsable files are not errors: they are ``Skipped`` results listed in the output.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base of the package's errors."""


class InvalidRootError(AnalysisError):
    """The analysed path does not exist or is not a directory."""
