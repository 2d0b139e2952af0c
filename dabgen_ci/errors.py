"""The user-facing error hierarchy.

Every error a user can cause or meet is a :class:`DabgenError` subclass carrying the exit
code the CLI contract promises. The single top-level handler in ``cli.py`` turns them into a
one-line message and that exit code; nothing else catches broadly.
"""

from __future__ import annotations


class DabgenError(Exception):
    """Base of all errors shown to users as one actionable line."""

    exit_code = 1


class BadInputError(DabgenError):
    """Bad usage or bad input: missing snapshot, malformed job JSON, non-empty output dir."""

    exit_code = 2


class WorkspaceError(DabgenError):
    """The workspace could not serve a request: auth, permission, network, rate limit."""

    exit_code = 3


class NotFoundError(WorkspaceError):
    """A job, notebook or file does not exist in the workspace (or snapshot)."""


class PermissionDeniedError(WorkspaceError):
    """The credentials are valid but may not read the object."""
