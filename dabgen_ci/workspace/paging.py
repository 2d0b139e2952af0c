"""Every loop over API pages ends: on a token the server already gave, or at a page cap.

A server that keeps answering with new page tokens (or the same one) would otherwise hang
``generate`` and the MCP tools forever. The caps are far above what a real workspace needs
(a job has at most 1,000 tasks: 10 ``jobs/get`` pages; a workspace has at most 12,000
jobs: 120 ``jobs/list`` pages) and each stop is a :class:`WorkspaceError` (exit 3) that
says what happened. The same module checks that an answer has the shape the caller reads
(an object, not an array or a string), so a wrong body is a workspace error, not a crash.
"""

from __future__ import annotations

from typing import Any

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.core.limits import json_depth_problem
from dabgen_ci.errors import WorkspaceError

MAX_JOB_PAGES = 100
MAX_LIST_PAGES = 1000


class PageGuard:
    """Call :meth:`next` with each ``next_page_token``; it refuses repeats and the cap."""

    def __init__(self, host: str, what: str, max_pages: int = MAX_LIST_PAGES) -> None:
        self._host, self._what, self._max = host, what, max_pages
        self._seen: set[str] = set()

    def next(self, token: object) -> str:
        """The token to ask for next, after checking it may be followed."""
        if not isinstance(token, str):
            raise WorkspaceError(f"{self._host} answered {self._what} with a page token that "
                                 "is not a string; stopped")
        if token in self._seen:
            raise WorkspaceError(f"{self._host} sent a repeated page token while paging "
                                 f"{self._what}; stopped instead of looping forever")
        self._seen.add(token)
        if len(self._seen) >= self._max:
            raise WorkspaceError(f"{self._host} was still sending pages of {self._what} "
                                 f"after {self._max}; stopped (no workspace needs that many)")
        return token


def expect_object(body: Any, host: str, what: str) -> JsonObject:
    """``body`` when it is a JSON object of reasonable depth, else a workspace error."""
    if not isinstance(body, dict):
        raise WorkspaceError(f"{host} answered {what} with a JSON {_kind(body)} where an "
                             "object was expected")
    problem = json_depth_problem(body)
    if problem:
        raise WorkspaceError(f"{host} answered {what} with JSON dabgen refuses: {problem}")
    return body


def expect_field(body: JsonObject, key: str, kind: type, host: str, what: str) -> Any:
    """``body[key]`` when absent (None) or of ``kind``, else a workspace error."""
    value = body.get(key)
    if value is not None and not isinstance(value, kind):
        raise WorkspaceError(f"{host} answered {what} with '{key}' as a JSON {_kind(value)}, "
                             f"not {'an object' if kind is dict else 'a ' + _kind(kind())}")
    return value


def _kind(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
