"""Errors of the codemods: problems with the input that stop a run before anything is written.

::

    CodemodError                 base; ``str()`` says what to do
    ├── PlanError                the plan file is unreadable, malformed, or lacks the service
    ├── SourceError              a member's module or symbol is missing or does not parse
    └── TargetExistsError        the scaffold directory exists and --force was not given

Seams (references the codemod could not carry) are results, never exceptions.
"""

from __future__ import annotations


class CodemodError(Exception):
    """Base of every codemod error."""


class PlanError(CodemodError):
    """The plan cannot be used; ``services`` lists the service names it does hold."""

    def __init__(self, message: str, *, services: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.services = services


class SourceError(CodemodError):
    """A member named by the plan cannot be found or parsed in the source tree."""


class TargetExistsError(CodemodError):
    """The scaffold would overwrite an existing directory."""
